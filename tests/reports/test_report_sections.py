"""The sections the emulator cannot fill: cost opportunities in dollars and coverage gaps."""

import pytest

from advisor.decide.opportunities import CostOpportunities, FunctionSaving, Opportunity
from advisor.models import Scan, ScanRegion
from advisor.reports.email import scan_report_message
from advisor.reports.scan_report import build_scan_report
from advisor.services.opportunities import top_opportunities
from tests.reports.builders import connected_account, estate_v1, scan_inline

pytestmark = pytest.mark.django_db


def opportunity(name: str, saving: float) -> Opportunity:
    return Opportunity(
        kind="arm64-saving",
        function_arn=f"arn:aws:lambda:us-east-1:444455556666:function:{name}",
        function_name=name,
        region="us-east-1",
        monthly_saving_usd=saving,
        current_monthly_usd=saving * 5,
        proposed_monthly_usd=saving * 4,
        summary=f"{name} on arm64 at the same duration",
    )


@pytest.fixture
def scan(aws):
    account, session = connected_account(aws)
    estate_v1(session, aws)
    scan = scan_inline(account)
    # The emulator's functions have no traffic, so no savings: the scan's stored opportunities
    # are those of an analysis that found these (the email reads only what the scan stored).
    listed = [opportunity("orders-api", 120.5), opportunity("legacy-etl", 3.25)]
    found = CostOpportunities(
        opportunities=listed,
        regions_without_prices=["ap-east-2"],
        best_by_function={
            o.function_arn: FunctionSaving(o.function_arn, o.monthly_saving_usd, (o.kind,))
            for o in listed
        },
    )
    scan.cost_opportunities = top_opportunities(scan, found)
    scan.save(update_fields=["cost_opportunities"])
    return scan


def parts(scan):
    message = scan_report_message(build_scan_report(scan), to="ops@example.com")
    return message.body, message.alternatives[0].content


def test_cost_opportunities_in_dollars_with_the_total(scan):
    text, html = parts(scan)
    for body in (text, html):
        assert "$120.50/month" in body and "$3.25/month" in body
        assert "$123.75 a month" in body
        assert "No prices for ap-east-2." in body


def test_coverage_gaps_and_failed_regions_are_listed(scan):
    scan.coverage_gaps = [
        {
            "region": "us-east-1",
            "service": "logs",
            "operation": "DescribeLogGroups",
            "error_code": "AccessDenied",
            "message": "no",
            "hides": "log_groups",
            "resource_arn": None,
        }
    ]
    scan.save()
    ScanRegion.objects.create(scan=scan, region="eu-west-1", status="failed", error="Throttled")

    text, html = parts(scan)

    for body in (text, html):
        assert "logs:DescribeLogGroups" in body and "AccessDenied" in body
        assert "Region failed: eu-west-1: Throttled" in body


def test_pruned_scan_says_its_metric_data_is_gone(scan):
    # a scan finished before its opportunities were stored, whose inventory retention dropped
    Scan.objects.filter(pk=scan.pk).update(cost_opportunities=None)
    ScanRegion.objects.filter(scan=scan).update(inventory=None)
    scan.refresh_from_db()
    text, _ = parts(scan)
    assert "no longer kept (retention)" in text
