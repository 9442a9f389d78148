"""``manage.py analyse_scans``: scans stored before their analysis was get it once, from their
stored inventory; the pages never work it out themselves."""

import io

from django.core.management import call_command

from advisor.models import FunctionRecord, Scan


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
