"""Benchmark of the dashboard's server time: ``python -m bench.dashboard``.

Builds a throwaway test database (PostgreSQL when DATABASE_URL names it) holding one account
with N functions (14 days of hourly metrics each) and M findings, then requests each page through
Django's test client and reports the median and p95 server time and the number of SQL queries.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import os
import platform
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import AwsAccount, Membership, Workspace  # noqa: E402
from advisor.collect.inventory import Function, FunctionMetrics, Series  # noqa: E402
from advisor.decide import load_prices, profile_from_function  # noqa: E402
from advisor.decide.card import decision_card  # noqa: E402
from advisor.models import Finding, FindingFunction, FunctionRecord, Scan, ScanRegion  # noqa: E402
from advisor.services.finding_summaries import summaries_refresh  # noqa: E402

RULES = [
    ("deprecated-runtime", "high", "security"),
    ("tracing-disabled", "low", "operations"),
    ("log-retention-unset", "low", "operations"),
    ("arm64-candidate", "low", "cost"),
    ("memory-starved", "medium", "performance"),
    ("timeouts-observed", "critical", "reliability"),
]
HOURS = 14 * 24
PASSWORD = "bench-only-password"  # noqa: S105 - a throwaway user in a throwaway database


def build(functions: int, findings: int, accounts: int = 1) -> tuple[AwsAccount, Scan]:
    """The workspace, with the functions and findings split evenly over ``accounts`` accounts;
    returns the first account and its latest scan."""
    user = get_user_model().objects.create_user("bench", password=PASSWORD)
    workspace = Workspace.objects.create(name="Bench", slug="bench")
    Membership.objects.create(user=user, workspace=workspace, role=Membership.Role.OWNER)
    built = [
        _build_account(workspace, n, functions // accounts, findings // accounts)
        for n in range(accounts)
    ]
    return built[0]


def _build_account(
    workspace: Workspace, n: int, functions: int, findings: int
) -> tuple[AwsAccount, Scan]:
    account_id = f"{123456789012 + n:012d}"
    account = AwsAccount.objects.create(
        workspace=workspace,
        name=f"bench-{n}",
        account_id=account_id,
        role_arn=f"arn:aws:iam::{account_id}:role/R",
        regions=["us-east-1"],
    )
    now = timezone.now()
    start = int(now.timestamp()) - HOURS * 3600
    scans = []
    for back in (2, 1, 0):  # three finished scans: the overview draws a trend
        when = now - dt.timedelta(hours=back * 24)
        scans.append(
            Scan.objects.create(
                account=account,
                status="succeeded",
                regions=["us-east-1"],
                started_at=when,
                finished_at=when,
                function_count=functions,
                finding_count=findings,
                cost_opportunities=_opportunities(account_id, functions),
            )
        )
    scan = scans[-1]
    ScanRegion.objects.create(
        scan=scan,
        region="us-east-1",
        status="done",
        inventory={"account_id": account.account_id, "region": "us-east-1", "functions": []},
        relations={},
    )
    records = []
    card = None
    for i in range(functions):
        load = [100 + 80 * math.sin((h % 24) / 24 * 2 * math.pi) for h in range(HOURS)]
        metrics = FunctionMetrics(
            invocations=Series(start, 3600, load),
            errors=Series(start, 3600, [v * 0.01 for v in load]),
            throttles=Series(start, 3600, [0.0] * HOURS),
            duration_avg=Series(start, 3600, [120.0] * HOURS),
            duration_max=Series(start, 3600, [900.0] * HOURS),
            duration_p99=Series(start, 3600, [600.0] * HOURS),
            concurrent_max=Series(start, 3600, [3.0] * HOURS),
            invocations_total=sum(load),
            errors_total=sum(load) * 0.01,
            duration_avg_ms=120.0,
            duration_max_ms=900.0,
            duration_p99_ms=600.0,
            concurrency_peak=3.0,
            window_hours=HOURS,
        )
        name = f"service-{i:05d}"
        verdict = ["lambda", "lambda", "containers"][i % 3]
        fn = Function(
            arn=f"arn:aws:lambda:us-east-1:{account_id}:function:{name}",
            name=name,
            region="us-east-1",
            runtime=["python3.12", "nodejs20.x", "java17"][i % 3],
            handler="app.handler",
            memory_mb=512,
            timeout_s=30,
            code_size=5_000_000,
            metrics=metrics,
        )
        if card is None:  # one card for all: what the page reads is stored, not worked out
            _, card = decision_card(profile_from_function(fn), load_prices("us-east-1"))
        records.append(
            FunctionRecord(
                scan=scan,
                account=account,
                region="us-east-1",
                arn=fn.arn,
                name=name,
                runtime=fn.runtime,
                memory_mb=512,
                timeout_s=30,
                code_size=5_000_000,
                invocations=metrics.invocations_total,
                errors=metrics.errors_total,
                throttles=0,
                duration_p99_ms=600.0,
                verdict=verdict,
                recommendation={"verdict": verdict},
                decision=card,
                config=dataclasses.asdict(fn),
            )
        )
        if len(records) == 500:
            FunctionRecord.objects.bulk_create(records)
            records = []
    FunctionRecord.objects.bulk_create(records)
    rows = []
    for i in range(findings):
        rule_id, severity, pillar = RULES[i % len(RULES)]
        fn_index = (i // len(RULES)) % functions
        rows.append(
            Finding(
                account=account,
                rule_id=rule_id,
                resource_arn=f"arn:aws:lambda:us-east-1:{account_id}:function:service-{fn_index:05d}"
                + ("" if i < functions * len(RULES) else f"-{i}"),
                region="us-east-1",
                status="open" if i % 10 else "resolved",
                severity=severity,
                pillar=pillar,
                title=rule_id,
                message=f"{rule_id} on function {fn_index}",
                evidence={"n": i},
                remediation_cli="aws lambda ...",
                first_seen_scan=scans[0],
                last_seen_scan=scan,
                first_seen_at=now,
                last_seen_at=now,
            )
        )
        if len(rows) == 1000:
            _store_findings(rows)
            rows = []
    _store_findings(rows)
    summaries_refresh({account.pk: scan.pk})  # as the scan's finish counts them
    return account, scan


def _opportunities(account_id: str, functions: int) -> dict:
    """What a scan's analysis stores: its ten largest savings, their total and count."""
    top = [
        {
            "kind": "arm64-saving",
            "function_arn": f"arn:aws:lambda:us-east-1:{account_id}:function:service-{i:05d}",
            "function_name": f"service-{i:05d}",
            "function_pk": None,
            "region": "us-east-1",
            "saving": 100.0 - i,
            "current": 500.0,
            "proposed": 400.0 + i,
            "summary": "arm64 costs 20% less per GB-second.",
        }
        for i in range(min(10, functions))
    ]
    return {
        "opportunities": top,
        "total_saving": sum(o["saving"] for o in top),
        "count": len(top),
        "functions": len(top),
        "no_prices": [],
    }


def _store_findings(rows: list[Finding]) -> None:
    """The findings, each linked to the function it concerns as ``record_findings`` links it."""
    Finding.objects.bulk_create(rows)
    FindingFunction.objects.bulk_create(
        [FindingFunction(finding=f, function_arn=f.resource_arn) for f in rows]
    )


def fetch(client: Client, url: str):
    """One request, its body read to the end (a streamed export costs its whole body)."""
    response = client.get(url)
    if response.streaming:
        for _ in response.streaming_content:
            pass
    return response


def measure(
    client: Client, url: str, repeat: int, show_queries: bool = False
) -> tuple[float, float, int]:
    for _ in range(2):  # warm caches and connections
        response = fetch(client, url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    with CaptureQueriesContext(connection) as capture:
        fetch(client, url)
        # Read inside the block: the request's end closes the connection.
        queries = len(connection.queries_log) - capture.initial_queries
        if show_queries:
            log = list(connection.queries_log)[capture.initial_queries :]
            for query in sorted(log, key=lambda q: -float(q["time"]))[:3]:
                print(f"    {float(query['time']) * 1000:.0f} ms  {query['sql'][:300]}")
            if log and connection.vendor == "postgresql":
                slowest = max(log, key=lambda q: float(q["time"]))
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN ANALYZE " + slowest["sql"])
                    for (line,) in cursor.fetchall():
                        print(f"      {line}")
    for _ in range(repeat):
        started = time.perf_counter()
        fetch(client, url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, queries


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=10_000)
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument(
        "--accounts", type=int, default=1, help="split the data over this many accounts"
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pages", nargs="*", help="only the pages whose label starts so")
    parser.add_argument("--show-queries", action="store_true", help="the 3 slowest per page")
    parser.add_argument(
        "--keepdb",
        action="store_true",
        help="keep the benchmark database afterwards and reuse it when it already holds data",
    )
    args = parser.parse_args(argv)

    setup_test_environment()
    # On a server, its own database beside the tests' (``test_<name>``), so a test run never
    # drops the data kept for the next benchmark (SQLite's is in memory, kept by no one).
    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"test_{old_name}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        started = time.perf_counter()
        kept = args.keepdb and (
            AwsAccount.objects.count() == args.accounts
            and FunctionRecord.objects.count() == args.functions // args.accounts * args.accounts
        )
        scan = (
            Scan.objects.filter(account__name="bench-0").order_by("-pk").first() if kept else None
        )
        if scan is None:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
            connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
            _, scan = build(args.functions, args.findings, args.accounts)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would have, long before anyone looks
        built = time.perf_counter() - started
        client = Client()
        # Page timings, not the login: force_login skips the password hash and the throttles.
        client.force_login(get_user_model().objects.get(username="bench"))
        first_function = FunctionRecord.objects.filter(scan=scan).order_by("name").first()
        pages = [
            ("overview", "/"),
            ("functions", "/functions/"),
            ("functions, search", "/functions/?q=service-01"),
            ("functions, page 100", "/functions/?page=100"),
            ("functions, by findings", "/functions/?sort=findings&dir=desc"),
            ("functions, by memory", "/functions/?sort=memory&dir=desc&page=50"),
            ("functions, with findings", "/functions/?has_findings=yes"),
            ("function detail", f"/functions/{first_function.pk}/"),
            ("findings", "/findings/"),
            ("findings, severity=high", "/findings/?severity=high"),
            ("findings, page 200", "/findings/?page=200"),
            ("findings, search", "/findings/?q=service-00042"),
            ("findings, resolved", "/findings/?status=resolved"),
            ("findings, CSV export", "/findings/?severity=critical&format=csv"),
            ("rules", "/rules/"),
            ("fleet", "/fleet/"),
            ("fleet, search findings", "/fleet/?q=service-00042"),
            ("fleet, search functions", "/fleet/?q=service-0004&kind=functions"),
            ("fleet, accounts page 2", "/fleet/?accounts_page=2"),
            ("scan", f"/scans/{scan.pk}/"),
            ("planner", "/planner/?requests=5000000&duration_ms=800&memory_mb=512"),
        ]
        print(
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, database {connection.vendor}"
        )
        print(
            f"Data: {args.functions:,} functions, {args.findings:,} findings "
            f"in {args.accounts} account{'s' if args.accounts > 1 else ''} "
            f"(built in {built:.0f} s); {args.repeat} requests per page\n"
        )
        print("| page | median ms | p95 ms | queries |")
        print("| --- | ---: | ---: | ---: |")
        for label, url in pages:
            if args.pages and not any(label.startswith(p) for p in args.pages):
                continue
            median, p95, queries = measure(client, url, args.repeat, args.show_queries)
            print(f"| {label} | {median:.0f} | {p95:.0f} | {queries} |", flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
