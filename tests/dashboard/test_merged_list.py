"""Lists over several accounts read each account in index order and merge: every page must be
exactly the page the plain ORDER BY ... LIMIT would give, in every sort order."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advisor.merged_list import MergedOrderedList
from advisor.models import Finding
from advisor.selectors import common, findings, functions
from advisor.services.finding_summaries import summaries_refresh
from tests.dashboard.builders import make_finding, make_function, make_scan
from tests.factories import make_account, make_user, make_workspace

RULES = [
    ("tracing-disabled", "low"),
    ("deprecated-runtime", "high"),
    ("timeouts-observed", "critical"),
    ("memory-starved", "medium"),
]


@pytest.fixture
def fleet(db):
    """Three accounts of one workspace; names, sizes and findings interleave across them, and
    some functions have no metrics (NULL sort keys)."""
    user = make_user("owner")
    workspace = make_workspace(members={user: "owner"})
    scans = []
    for a in range(3):
        account = make_account(workspace, name=f"acct-{'cab'[a]}")
        scan = make_scan(account)
        scans.append(scan)
        for i in range(9):
            record = make_function(
                scan,
                f"svc-{(i * 3 + a) % 11:02d}-{a}",
                memory_mb=128 * (1 + (i * 7 + a) % 5),
                runtime=["python3.12", "nodejs20.x", "java17"][(i + a) % 3],
                with_metrics=(i + a) % 4 != 0,
            )
            for r, (rule_id, severity) in enumerate(RULES):
                if (i + r + a) % 3:
                    make_finding(
                        record,
                        rule_id=rule_id,
                        severity=severity,
                        status=Finding.Status.OPEN if (i + r) % 5 else Finding.Status.RESOLVED,
                    )
    return {"user": user, "scan_ids": sorted(s.pk for s in scans)}


def pages(rows, size):
    total = rows.count()
    return [list(rows[start : start + size]) for start in range(0, total, size)]


@pytest.mark.parametrize("sort", list(functions.FUNCTION_SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_function_pages_match_the_plain_order(fleet, sort, descending):
    summaries_refresh(functions.list_scans(fleet["user"]).stale)  # as the scans' finish does
    filters = functions.FunctionFilters(sort=sort, descending=descending)
    plain = functions.functions_for(fleet["scan_ids"], filters)
    merged = MergedOrderedList(plain, partition="scan_id", values=fleet["scan_ids"])
    expected = list(plain)
    assert len(expected) == 27
    got = [r for page in pages(merged, 4) for r in page]
    assert [r.pk for r in got] == [r.pk for r in expected]
    # The rows are whole records with their account, ready for the table.
    assert got[0].account.name.startswith("acct-")
    if sort == "findings":  # each row's count is every open finding that concerns it
        for record in got:
            assert record.open_findings == (
                Finding.objects.filter(account_id=record.account_id)
                .concerning(record.arn)
                .open_unsuppressed()
                .count()
            )
        keys = [r.open_findings for r in got]
        assert keys == sorted(keys, reverse=descending)
        assert len(set(keys)) > 1


@pytest.mark.parametrize("status", findings.FINDING_STATUSES)
def test_finding_pages_match_the_plain_order(fleet, status):
    account_ids = common.visible_accounts(fleet["user"]).ids
    filters = findings.FindingFilters(status=status)
    plain = findings.findings_for(account_ids, filters)
    expected = [f.pk for f in plain]
    if status != findings.STATUS_SUPPRESSED:  # nothing is suppressed in this fleet
        assert len(expected) > 10
    merged = findings.findings_merged(plain, account_ids, filters, count=len(expected))
    assert [f.pk for page in pages(merged, 7) for f in page] == expected
    # Deep slices, and slices running past the end.
    assert [f.pk for f in merged[5:12]] == expected[5:12]
    tail = max(0, len(expected) - 2)
    assert [f.pk for f in merged[tail : tail + 7]] == expected[tail:]


def test_page_rows_carry_what_the_table_shows(fleet):
    account_ids = common.visible_accounts(fleet["user"]).ids
    filters = findings.FindingFilters()
    plain = findings.findings_for(account_ids, filters)
    merged = findings.findings_merged(plain, account_ids, filters, count=plain.count())
    with CaptureQueriesContext(connection) as queries:
        page = merged[0:10]
        names = [(f.account.name, f.suppressed_now) for f in page]
    assert len(page) == 10 and all(name.startswith("acct-") for name, _ in names)
    # The merged keys, then the page's rows with their accounts (one plain query on SQLite).
    merges = connection.features.supports_slicing_ordering_in_compound
    assert len(queries) == (2 if merges else 1)


@pytest.mark.skipif(
    not connection.features.supports_slicing_ordering_in_compound,
    reason="the merge needs ORDER BY/LIMIT inside UNION (PostgreSQL); others sort plainly",
)
def test_several_accounts_are_read_one_by_one_and_merged(fleet):
    account_ids = common.visible_accounts(fleet["user"]).ids
    filters = findings.FindingFilters()
    plain = findings.findings_for(account_ids, filters)
    merged = findings.findings_merged(plain, account_ids, filters, count=plain.count())
    with CaptureQueriesContext(connection) as queries:
        merged[0:5]
    keys = queries.captured_queries[0]["sql"]
    assert keys.count("UNION ALL") == 2  # three accounts
    assert keys.count("LIMIT 5") == 4  # each account's first five, and the merged five


def test_too_many_accounts_sort_the_findings_keys_in_one_query_then_load_the_page(fleet):
    account_ids = common.visible_accounts(fleet["user"]).ids
    filters = findings.FindingFilters()
    plain = findings.findings_for(account_ids, filters)
    merged = findings.findings_merged(plain, account_ids, filters, count=plain.count())
    merged.max_parts = 2  # three accounts
    with CaptureQueriesContext(connection) as queries:
        got = merged[3:8]
        shown = [(f.account.name, f.suppressed_now) for f in got]
    assert [f.pk for f in got] == [f.pk for f in plain[3:8]]
    assert all(name.startswith("acct-") for name, _ in shown)
    # one sort of the keys (no UNION of 200 index walks), then the page's five rows by key
    keys, rows = (q["sql"] for q in queries.captured_queries)
    assert "UNION" not in keys and re.match(
        r'SELECT "advisor_finding"\."id"( AS "pk")? FROM ', keys
    )
    assert '"advisor_finding"."message"' in rows and "LIMIT" not in rows


def test_the_functions_page_past_many_accounts_sorts_keys_then_loads_the_page(
    client, fleet, monkeypatch
):
    monkeypatch.setattr(MergedOrderedList, "max_parts", 2)  # three accounts are "many"
    client.force_login(fleet["user"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/functions/?sort=memory&dir=desc")
    rows = list(response.context["page"].object_list)
    memories = [r.memory_mb for r in rows]
    assert len(rows) == 27 and memories == sorted(memories, reverse=True)
    assert any(
        re.match(r'SELECT "advisor_functionrecord"\."id"( AS "pk")? FROM ', q["sql"])
        for q in queries.captured_queries
    )


def test_one_account_is_the_plain_query(fleet):
    account_ids = common.visible_accounts(fleet["user"]).ids[:1]
    filters = findings.FindingFilters()
    plain = findings.findings_for(account_ids, filters)
    merged = findings.findings_merged(plain, account_ids, filters, count=plain.count())
    with CaptureQueriesContext(connection) as queries:
        got = merged[0:5]
    assert [f.pk for f in got] == [f.pk for f in plain[:5]]
    assert len(queries) == 1 and "UNION" not in queries.captured_queries[0]["sql"]


def test_only_slices_are_supported(fleet):
    merged = MergedOrderedList(Finding.objects.order_by("pk"), partition="account_id", values=[])
    with pytest.raises(TypeError):
        merged[0]
    assert merged[3:3] == []


def test_functions_page_sorted_by_memory_spans_accounts(client, fleet):
    client.force_login(fleet["user"])
    response = client.get("/functions/?sort=memory&dir=desc")
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    memories = [r.memory_mb for r in rows]
    assert memories == sorted(memories, reverse=True)
    assert len({r.account_id for r in rows}) == 3


def test_too_many_accounts_with_keys_first_sort_the_keys_then_load_the_page(fleet):
    filters = functions.FunctionFilters(sort="memory", descending=True)
    plain = functions.functions_for(fleet["scan_ids"], filters)
    merged = MergedOrderedList(
        plain, partition="scan_id", values=fleet["scan_ids"], keys_first=True
    )
    merged.max_parts = 2  # three accounts
    with CaptureQueriesContext(connection) as queries:
        got = merged[3:8]
        names = [r.account.name for r in got]
    assert [r.pk for r in got] == [r.pk for r in plain[3:8]]
    assert all(name.startswith("acct-") for name in names)
    # the sort reads the primary keys only; the page's five rows are loaded by them
    keys, rows = (q["sql"] for q in queries.captured_queries)
    assert re.match(r'SELECT "advisor_functionrecord"\."id"( AS "pk")? FROM ', keys)
    assert "LIMIT 5" in keys
    assert '"advisor_functionrecord"."name"' in rows and "LIMIT" not in rows


def test_a_count_limit_counts_no_further(fleet):
    plain = functions.functions_for(fleet["scan_ids"], functions.FunctionFilters())
    merged = MergedOrderedList(plain, partition="scan_id", values=fleet["scan_ids"], count_limit=20)
    assert (merged.count(), merged.count_capped) == (20, True)  # of 27
    exact = MergedOrderedList(plain, partition="scan_id", values=fleet["scan_ids"], count_limit=27)
    assert (exact.count(), exact.count_capped) == (27, False)
