"""A function's page lists every finding about the function, wherever the finding is filed (its
queue, its event source mapping, the account), named readably and linked from the lists."""

import csv
import io
import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from advisor.models import Finding, FindingFunction, FunctionRecord
from tests.dashboard.builders import make_finding
from tests.fixtures.aws_state import create_function
from tests.reports.builders import connected_account, scan_inline

pytestmark = pytest.mark.django_db


@pytest.fixture
def consumer_estate(aws):
    """orders-consumer reads orders-jobs (no dead-letter queue) in batches of 10 without
    partial batch responses; orders-api stands apart."""
    account, session = connected_account(aws)
    create_function(session, aws, name="orders-consumer", runtime="python3.13", Timeout=30)
    create_function(session, aws, name="orders-api", runtime="python3.13")
    sqs = session.client("sqs", endpoint_url=aws, region_name="us-east-1")
    url = sqs.create_queue(QueueName="orders-jobs", Attributes={"VisibilityTimeout": "300"})[
        "QueueUrl"
    ]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam = session.client("lambda", endpoint_url=aws, region_name="us-east-1")
    lam.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName="orders-consumer", BatchSize=10
    )
    scan = scan_inline(account)
    return account, scan


def page_of(client, account, name):
    record = FunctionRecord.objects.get(account=account, name=name)
    return client.get(reverse("advisor:function-detail", args=[record.pk])).content.decode()


def test_the_page_lists_the_findings_of_its_queue_and_mapping(client, consumer_estate):
    account, _ = consumer_estate
    client.force_login(account.workspace.memberships.get().user)
    # given findings filed under the queue and under the mapping
    queue_rules = {"sqs-source-without-dlq"}
    mapping_rules = {"sqs-partial-batch-response-missing"}
    filed = dict(Finding.objects.filter(account=account).values_list("rule_id", "resource_arn"))
    assert ":sqs:" in filed["sqs-source-without-dlq"]
    assert ":event-source-mapping:" in filed["sqs-partial-batch-response-missing"]
    own = set(
        Finding.objects.filter(account=account, resource_arn__endswith=":orders-consumer")
        .filter(status="open")
        .values_list("rule_id", flat=True)
    )
    # when the function's page is read
    body = page_of(client, account, "orders-consumer")
    # then it lists them all, and the count says so
    shown = set(re.findall(r'<article class="finding" data-rule="([^"]+)"', body))
    assert shown == own | queue_rules | mapping_rules
    assert f"Open findings ({len(shown)})" in body
    assert "On queue orders-jobs" in body
    assert "On SQS orders-jobs → orders-consumer" in body
    # and the function apart shows none of them
    other = page_of(client, account, "orders-api")
    assert "sqs-source-without-dlq" not in other
    assert "sqs-partial-batch-response-missing" not in other


def test_lists_and_exports_name_the_resource_and_link_its_function(client, consumer_estate):
    account, _ = consumer_estate
    client.force_login(account.workspace.memberships.get().user)
    record = FunctionRecord.objects.get(account=account, name="orders-consumer")
    page = reverse("advisor:function-detail", args=[record.pk])
    body = client.get(reverse("advisor:finding-list") + "?rule=sqs-partial-batch-response-missing")
    body = body.content.decode()
    assert "SQS orders-jobs → orders-consumer" in body
    assert f'<a href="{page}">orders-consumer</a>' in body
    mapping = Finding.objects.get(account=account, rule_id="sqs-partial-batch-response-missing")
    uuid = mapping.resource_arn.rsplit(":", 1)[-1]
    assert f">{uuid}<" not in body and f"<td>{uuid}" not in body
    overview = client.get(reverse("advisor:overview")).content.decode()
    assert "queue orders-jobs" in overview and f'href="{page}"' in overview
    response = client.get(reverse("advisor:finding-list") + "?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = {r["rule_id"]: r["resource"] for r in rows}
    assert names["sqs-source-without-dlq"] == "queue orders-jobs"
    assert names["sqs-partial-batch-response-missing"] == "SQS orders-jobs → orders-consumer"


def test_a_rescan_keeps_the_links_to_what_the_scan_says(consumer_estate):
    # given the queue's finding linked to its reader
    account, scan = consumer_estate
    queue_finding = Finding.objects.get(account=account, rule_id="sqs-source-without-dlq")
    consumer = FunctionRecord.objects.get(scan=scan, name="orders-consumer").arn
    assert list(queue_finding.concerns.values_list("function_arn", flat=True)) == [consumer]
    # and a stale link left from an earlier scan
    FindingFunction.objects.create(finding=queue_finding, function_arn=consumer + "-gone")
    # when the account is scanned again
    scan_inline(account)
    # then the links are the scan's again
    assert list(queue_finding.concerns.values_list("function_arn", flat=True)) == [consumer]


def test_findings_recorded_without_an_inventory_link_what_they_name(world):
    # given a finding stored before the links existed (the migration fills them the same way)
    import importlib

    from django.apps import apps

    orders = world["orders"]
    account_arn = f"arn:aws:lambda:us-east-1:{orders.account.account_id}:account"
    finding = make_finding(
        orders,
        rule_id="unreserved-concurrency-low",
        resource_arn=account_arn,
        evidence={"largest_reservations": [{"function": "orders-api", "arn": orders.arn}]},
        concerns=(),
    )
    FindingFunction.objects.all().delete()
    # when the migration's step runs
    migration = importlib.import_module("advisor.migrations.0012_finding_functions")
    migration.link_findings(apps, None)
    # then the account-level finding concerns the function it names, and each function's own
    # findings concern it
    assert list(finding.concerns.values_list("function_arn", flat=True)) == [orders.arn]
    assert FindingFunction.objects.filter(
        finding=world["my_high"], function_arn=orders.arn
    ).exists()


def test_an_account_level_finding_naming_the_function_is_on_its_page(client, world):
    orders = world["orders"]
    make_finding(
        orders,
        rule_id="unreserved-concurrency-low",
        severity="high",
        resource_arn=f"arn:aws:lambda:us-east-1:{orders.account.account_id}:account",
        evidence={"largest_reservations": [{"function": "orders-api", "arn": orders.arn}]},
    )
    client.force_login(world["alice"])
    body = client.get(reverse("advisor:function-detail", args=[orders.pk])).content.decode()
    assert "Open findings (3)" in body
    assert "On account-level, us-east-1" in body
    # and the functions list counts it too
    listing = client.get(reverse("advisor:function-list") + "?sort=findings&dir=desc")
    count_link = f'?function={quote(orders.arn)}&amp;account={orders.account_id}">3</a>'
    assert count_link in listing.content.decode()
    # which lead to the same three findings
    listed = client.get(reverse("advisor:finding-list") + f"?function={quote(orders.arn)}")
    assert listed.context["page"].paginator.count == 3
