"""What the scan's analysis stores is what the overview, the email and the findings show: a
workspace that tunes a cost rule's threshold sees all three change together."""

import datetime as dt

import pytest
from django.urls import reverse

from advisor.models import Finding
from advisor.reports.email import scan_report_message
from advisor.reports.scan_report import build_scan_report
from advisor.services.scan_run import scan_finish, scan_region
from advisor.services.scans import scan_create
from tests.factories import make_user
from tests.fixtures.aws_state import create_function
from tests.reports.builders import connected_account, scan_inline

pytestmark = pytest.mark.django_db


def publish_traffic(session, aws: str, *, name: str, per_hour: int, duration_ms: float) -> None:
    """14 days of hourly Invocations and Duration for one function, as Lambda publishes them."""
    cloudwatch = session.client("cloudwatch", endpoint_url=aws, region_name="us-east-1")
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    dimensions = [{"Name": "FunctionName", "Value": name}]
    items = []
    for hour in range(1, 14 * 24):
        moment = now - dt.timedelta(hours=hour)
        items.append(
            {
                "MetricName": "Invocations",
                "Dimensions": dimensions,
                "Timestamp": moment,
                "Value": float(per_hour),
                "Unit": "Count",
            }
        )
        items.append(
            {
                "MetricName": "Duration",
                "Dimensions": dimensions,
                "Timestamp": moment,
                "Values": [duration_ms],
                "Counts": [float(per_hour)],
                "Unit": "Milliseconds",
            }
        )
    for start in range(0, len(items), 1000):  # PutMetricData takes up to 1,000 items a call
        cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=items[start : start + 1000])


def test_a_tuned_threshold_changes_the_overview_the_email_and_the_findings_alike(client, aws):
    owner = make_user("owner")
    account, session = connected_account(aws, members={owner: "owner"})
    # given a busy x86_64 function that would cost less on arm64
    create_function(session, aws, name="busy-api", MemorySize=2048, Architectures=["x86_64"])
    publish_traffic(session, aws, name="busy-api", per_hour=400_000, duration_ms=800)
    client.force_login(owner)
    url = reverse("advisor:cost-opportunities", args=[account.pk])

    first = scan_inline(account)
    finding = Finding.objects.get(account=account, rule_id="arm64-candidate")
    saving = finding.evidence["monthly_saving_usd"]
    assert finding.status == Finding.Status.OPEN and saving > 1
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Switch busy-api to arm64" in fragment and "Move to arm64" in fragment
    email = scan_report_message(build_scan_report(first), to="ops@example.com").body
    assert "Switch busy-api to arm64" in email and f"${saving:,.2f}" in email

    # when the workspace asks arm64 savings to be larger than this one, and scans again
    workspace = account.workspace
    workspace.rule_options = {"arm64-candidate": {"min_monthly_saving_usd": saving + 1}}
    workspace.save()
    second = scan_inline(account)

    # then the finding resolves, and the overview and the email no longer offer the saving
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESOLVED
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Switch busy-api to arm64" not in fragment and "Move to arm64" not in fragment
    email = scan_report_message(build_scan_report(second), to="ops@example.com").body
    assert "Switch busy-api to arm64" not in email
    # while what the untouched thresholds report stays, on both
    assert Finding.objects.get(rule_id="consider-containers").status == Finding.Status.OPEN
    assert "Move busy-api to" in fragment and "Move busy-api to" in email


def test_a_threshold_changed_while_a_scan_runs_applies_from_the_next_scan_on(aws):
    account, session = connected_account(aws)
    create_function(session, aws, name="busy-api", MemorySize=2048, Architectures=["x86_64"])
    publish_traffic(session, aws, name="busy-api", per_hour=400_000, duration_ms=800)
    # given a scan started with the default thresholds, its region collected and decided
    scan = scan_create(account=account)
    assert scan_region(scan_id=scan.pk, region="us-east-1") is True
    # when the workspace asks moving off Lambda to save far more, before the scan finishes
    workspace = account.workspace
    workspace.rule_options = {"consider-containers": {"min_monthly_saving_usd": 1_000_000}}
    workspace.save()
    scan = scan_finish(scan_id=scan.pk)
    # then the whole scan judged with the thresholds it started with: the verdict its region
    # task worked out, its card, the finding and the opportunity agree
    assert scan.rule_options == {}
    record = scan.functions.get(name="busy-api")
    assert record.verdict in ("containers", "ec2") and record.decision["verdict"] == record.verdict
    finding = Finding.objects.get(account=account, rule_id="consider-containers")
    assert finding.status == Finding.Status.OPEN
    assert any(o["kind"] == "container-candidate" for o in scan.cost_opportunities["opportunities"])
    # and the next scan takes the new threshold, throughout
    second = scan_inline(account)
    assert second.rule_options == workspace.rule_options
    record = second.functions.get(name="busy-api")
    assert record.verdict == record.decision["verdict"] == "lambda"
    finding.refresh_from_db()
    assert finding.status == Finding.Status.RESOLVED
    assert not any(
        o["kind"] == "container-candidate" for o in second.cost_opportunities["opportunities"]
    )
