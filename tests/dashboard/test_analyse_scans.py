"""``manage.py analyse_scans``: scans stored before their analysis was get it once, from their
stored inventory; the pages never work it out themselves."""

import io

from django.core.management import call_command

from advisor.models import AccountFindingSummary, FunctionFindingSummary, FunctionRecord, Scan


def test_scans_stored_before_their_analysis_get_it_from_the_one_off_command(world):
    # given a scan stored before verdicts and cost opportunities were
    scan = world["my_scan"]
    FunctionRecord.objects.filter(scan=scan).update(verdict="", recommendation=None)
    assert Scan.objects.get(pk=scan.pk).cost_opportunities is None
    # when the command runs (twice: the second finds nothing left to do)
    out = io.StringIO()
    call_command("analyse_scans", stdout=out)
    call_command("analyse_scans", stdout=out)
    # then every function has its verdict and the scan its opportunities
    records = FunctionRecord.objects.filter(scan=scan)
    assert records.exists() and not records.filter(verdict="").exists()
    orders = records.get(name="orders-api")
    assert orders.verdict == orders.recommendation["verdict"] == "lambda"
    assert set(Scan.objects.get(pk=scan.pk).cost_opportunities) == {
        "opportunities",
        "total_saving",
        "count",
        "functions",
        "no_prices",
    }
    assert "2 function(s) decided" in out.getvalue()
    assert out.getvalue().rstrip().endswith("0 scan(s) analysed.")


def test_scans_stored_before_decision_cards_get_them_with_the_options_they_were_scanned_with(
    world,
):
    # given a scan stored with verdicts but before decision cards were, its region too, and a
    # workspace that has tuned the threshold for moving since
    from advisor.models import ScanRegion
    from tests.dashboard.builders import make_function

    scan = world["my_scan"]
    busy = make_function(scan, "busy-x86", per_hour=400_000, duration_ms=800, memory_mb=2048)
    assert busy.verdict in ("containers", "ec2")
    FunctionRecord.objects.filter(scan=scan).update(decision=None)
    ScanRegion.objects.filter(scan=scan).update(decisions=None)
    Scan.objects.filter(pk=scan.pk).update(cost_opportunities={"opportunities": []})
    workspace = world["my_account"].workspace
    workspace.rule_options = {"consider-containers": {"min_monthly_saving_usd": 1_000_000}}
    workspace.save()
    # when the command runs
    out = io.StringIO()
    call_command("analyse_scans", stdout=out)
    # then every function has its card, worked out with the scan's own thresholds, and the
    # card and the recommendation hold the same verdict and figures
    records = FunctionRecord.objects.filter(scan=scan)
    assert not records.filter(decision__isnull=True).exists()
    busy.refresh_from_db()
    assert busy.verdict == busy.decision["verdict"] == busy.recommendation["verdict"]
    assert busy.verdict in ("containers", "ec2")
    costs = {c["option"]: c["usd"] for c in busy.decision["costs"]}
    assert costs == busy.recommendation["monthly_cost_usd"]
    assert "3 function(s) decided" in out.getvalue()
    call_command("analyse_scans", stdout=out)
    assert out.getvalue().rstrip().endswith("0 scan(s) analysed.")


def test_accounts_stored_before_their_finding_counts_get_them_from_the_command(world):
    # given two accounts whose findings were stored before the fleet page's counts were
    assert not AccountFindingSummary.objects.exists()
    out = io.StringIO()
    call_command("analyse_scans", stdout=out)
    assert "2 account(s)' open findings counted for the fleet page." in out.getvalue()
    mine = AccountFindingSummary.objects.get(account=world["my_account"])
    assert mine.scan_id == world["my_scan"].pk
    assert mine.severity == {"high": 1, "low": 1}
    assert FunctionFindingSummary.objects.get(function_arn=world["orders"].arn).total == 2
    # and a second run has nothing left to count
    out = io.StringIO()
    call_command("analyse_scans", stdout=out)
    assert "open findings counted" not in out.getvalue()
