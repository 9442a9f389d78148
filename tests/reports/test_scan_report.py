"""The report of a scan: what is new and resolved since the previous scan, the risks, the CSV."""

import csv
import io

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from advisor.models import Finding, Scan
from advisor.reports.email import scan_report_message
from advisor.reports.scan_report import (
    CSV_COLUMNS,
    build_scan_report,
    one_line,
    open_findings_csv,
    report_subject,
)
from advisor.services.findings import record_findings
from tests.fixtures.aws_state import create_function
from tests.reports.builders import connected_account, estate_v1, estate_v2, name_of, scan_inline

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("new", "resolved", "expected"),
    [
        ({"high": 3}, 2, "3 new high findings, 2 resolved — acme-prod"),
        (
            {"critical": 1, "high": 1, "low": 2},
            0,
            "1 new critical finding, 1 new high finding, 2 more new findings — acme-prod",
        ),
        ({"medium": 1}, 1, "1 new finding, 1 resolved — acme-prod"),
        ({}, 0, "No new findings — acme-prod"),
    ],
)
def test_subject_counts_the_worst_news_first(new, resolved, expected):
    assert report_subject(account_name="acme-prod", new_by_severity=new, resolved=resolved) == (
        expected
    )


def test_one_line_remediation_is_the_first_command():
    assert one_line("aws lambda update \\\n  --runtime python3.13\n") == "aws lambda update"
    assert len(one_line("x" * 500)) == 160


@pytest.fixture
def two_scans(aws):
    account, session = connected_account(aws)
    estate_v1(session, aws)
    first = scan_inline(account)
    estate_v2(session, aws)
    second = scan_inline(account)
    return account, first, second


@override_settings(ADVISOR_SITE_URL="https://advisor.example.com")
def test_report_lists_new_and_resolved_findings_since_the_previous_scan(two_scans):
    account, first, second = two_scans

    report = build_scan_report(second)

    assert report.previous_scan == first
    new = {(f.rule_id, f.resource_name) for f in report.new_findings}
    assert ("deprecated-runtime", "reports-cron") in new
    assert ("deprecated-runtime", "legacy-etl") not in new  # open since the first scan
    resolved = {(f.rule_id, f.resource_name) for f in report.resolved_findings}
    assert resolved == {("deprecated-runtime", "legacy-billing")}
    assert report.subject == report_subject(
        account_name="acme-prod", new_by_severity=report.new_by_severity, resolved=1
    )
    assert report.new_by_severity["high"] >= 1
    assert report.top_risks and all(f.remediation for f in report.top_risks)
    assert report.links["scan"] == f"https://advisor.example.com/scans/{second.pk}/"
    assert report.links["account"] == f"https://advisor.example.com/aws-accounts/{account.pk}/"


def test_findings_a_failed_region_hid_are_not_new_when_seen_again(two_scans):
    # given a scan between two good ones that could not read the region (it resolves nothing)
    account, _, second = two_scans
    blind = Scan.objects.create(
        account=account,
        status=Scan.Status.PARTIAL,
        regions=account.regions,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    record_findings(scan=blind, results=[], scanned_regions=set())
    assert Finding.objects.filter(account=account, status="open").count() > 0
    # when the next scan sees them all again
    fourth = scan_inline(account)
    report = build_scan_report(fourth)
    # then its report has nothing new: the blind scan before it was not "the previous state"
    assert report.previous_scan == blind
    assert report.new_findings == [] and report.new_total == 0
    assert report.subject.startswith("No new findings")
    assert second.pk < blind.pk < fourth.pk


def test_first_report_counts_every_finding_as_new(two_scans):
    _, first, _ = two_scans
    report = build_scan_report(first)
    assert report.previous_scan is None
    assert report.new_total == Finding.objects.filter(occurrences__scan=first).count()
    assert report.resolved_total == 0


def test_csv_has_one_row_per_open_finding(two_scans):
    account, _, _ = two_scans
    rows = list(csv.DictReader(io.StringIO(open_findings_csv(account))))
    open_ = Finding.objects.filter(account=account, status="open")
    assert list(rows[0]) == CSV_COLUMNS
    assert {(r["rule_id"], r["resource_arn"]) for r in rows} == set(
        open_.values_list("rule_id", "resource_arn")
    )
    deprecated = {name_of(r["resource_arn"]) for r in rows if r["rule_id"] == "deprecated-runtime"}
    assert deprecated == {"legacy-etl", "reports-cron"}


def test_email_has_both_parts_the_csv_and_unsubscribe_headers(two_scans):
    _, _, second = two_scans

    message = scan_report_message(build_scan_report(second), to="ops@example.com")
    message.send()

    sent = mail.outbox[0]
    assert sent.to == ["ops@example.com"]
    assert "reports-cron" in sent.body and "RESOLVED (1)" in sent.body
    html = sent.alternatives[0]
    assert html.mimetype == "text/html"
    assert 'data-rule="deprecated-runtime"' in html.content
    assert sent.attachments[0].filename.endswith(".csv")
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = sent.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/reports/unsubscribe/" in link and link in sent.body and link in html.content


def test_attached_csv_neutralises_cells_that_start_like_formulas(aws):
    # Given a scanned function whose name (valid on AWS) starts its finding's message with "-",
    account, session = connected_account(aws)
    create_function(session, aws, name="-2-3", runtime="python3.8")
    scan = scan_inline(account)
    # when its report is mailed,
    message = scan_report_message(build_scan_report(scan), to="ops@example.com")
    message.send()
    # then in the attachment that cell is text for a spreadsheet, with a leading quote.
    (attachment,) = mail.outbox[0].attachments
    rows = [r for r in csv.DictReader(io.StringIO(attachment.content)) if "-2-3" in r["message"]]
    assert {r["rule_id"] for r in rows} >= {"deprecated-runtime"}
    assert all(r["message"].startswith("'-2-3 ") for r in rows), rows
    assert all(r["resource_arn"].endswith(":function:-2-3") for r in rows)
