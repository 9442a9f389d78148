"""The overview and the email total the same figure: per function, the best combination of
changes that can be made together, never options that exclude each other added up."""

import pytest
from django.utils import timezone

from advisor.collect.inventory import RegionInventory
from advisor.models import Scan, ScanRegion
from advisor.reports.email import scan_report_message
from advisor.reports.scan_report import build_scan_report
from tests.dashboard.builders import analyse
from tests.decide.factories import overlapping_opportunities_function
from tests.factories import make_account, make_workspace

pytestmark = pytest.mark.django_db


def test_overview_and_email_total_the_best_combination_per_function():
    account = make_account(make_workspace(), account_id="123456789012")
    # given a function where arm64, idle provisioned concurrency and containers all apply
    both = overlapping_opportunities_function()
    region = RegionInventory(account_id="123456789012", region="us-east-1", functions=[both])
    scan = Scan.objects.create(
        account=account, status=Scan.Status.SUCCEEDED, finished_at=timezone.now()
    )
    ScanRegion.objects.create(
        scan=scan, region="us-east-1", status="done", inventory=region.to_dict()
    )
    # when the scan's analysis stores the overview's figures and the email is built
    overview = analyse(scan).cost_opportunities
    report = build_scan_report(scan)
    # then both show the best single combination, less than the three savings added up
    added_up = sum(o["saving"] for o in overview["opportunities"])
    assert len(overview["opportunities"]) == 3
    assert overview["total_saving"] == report.cost_total_usd < added_up
    assert overview["total_saving"] == max(o["saving"] for o in overview["opportunities"])
    text = scan_report_message(report, to="ops@example.com").body
    assert f"${report.cost_total_usd:,.2f}".replace(",", "") in text.replace(",", "")
