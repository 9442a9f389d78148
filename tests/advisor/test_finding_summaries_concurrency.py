"""Two requests counting the same stale accounts at once (the fleet page and the functions list,
say, each naming the accounts in its own order) both end with the counts stored once: no
deadlock, no duplicate row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from advisor.models import AccountFindingSummary, FunctionFindingSummary
from advisor.services.finding_summaries import summaries_refresh
from tests.dashboard.builders import make_finding, make_function, make_scan
from tests.factories import make_account, make_workspace

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 25


def test_concurrent_recounts_of_the_same_accounts_store_one_count_each():
    workspace = make_workspace()
    scans = {}
    for name in ("prod", "dev", "stage"):
        account = make_account(workspace, name=name)
        scan = make_scan(account)
        for i in range(3):
            make_finding(make_function(scan, f"{name}-{i}", with_metrics=False), severity="high")
        scans[account.pk] = scan.pk
    forward = dict(sorted(scans.items()))
    backward = dict(sorted(scans.items(), reverse=True))
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def recount(order: dict[int, int]) -> None:
        try:
            start.wait()
            for _ in range(ROUNDS):
                summaries_refresh(order)
        except BaseException as error:  # what either thread met, reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=recount, args=(o,)) for o in (forward, backward)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AccountFindingSummary.objects.count() == 3
    assert FunctionFindingSummary.objects.count() == 9
    assert {s.total for s in FunctionFindingSummary.objects.all()} == {1}
