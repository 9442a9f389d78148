"""Benchmark of a fleet scan: ``python -m bench.fleet_scan --accounts 200 --functions 50``.

An emulated AWS Organization (moto's Organizations on a fresh emulator): the management account
holds the organisation reader role; each member account, created by Organizations and entered
through STS AssumeRole into its own account id, holds the scan role and N functions with 14 days
of hourly metrics (seeded the short way, see ``seed_organization``: 200 x 50 in minutes, not
hours). The organisation is connected as the product connects one (its members become
accounts), then every member is scanned as a nightly run scans them: one scheduled scan per
account, its region tasks run by real ``celery worker`` processes (prefork, 1, 2 and 4 of them)
on Redis against PostgreSQL, without the client-side rate limiter (the emulator is no AWS), with
every worker process allowed a bulk slot.

Reported per worker count: wall time from the first scan started to the last one ended, and the
AWS calls by operation (the same in every run). The modelled wall time at AWS's real quotas: each
account-region's floor is its slowest Lambda quota bucket (``bench.region_scan``'s model: the
buckets drain in parallel), and since the quotas are per account and region the fleet's floor
is the slowest account-region's, not the sum, given enough workers; with W worker processes it
is the region floors packed onto W processes (longest first). Wall time against the emulator is
the emulator's speed (one moto process on the same machine), not AWS's.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import AwsAccount, PendingConnection, Workspace  # noqa: E402
from advisor.collect.clients import lambda_bucket  # noqa: E402
from advisor.collect.options import CollectOptions  # noqa: E402
from advisor.demo.emulator_cloudwatch import SERIES_PATH  # noqa: E402
from advisor.models import Scan  # noqa: E402
from advisor.services.organizations import organization_connect, organization_sync  # noqa: E402
from advisor.services.scans import scan_start  # noqa: E402
from bench.region_scan import QUOTAS, emulator  # noqa: E402

REGION = "us-east-1"
READER_ROLE = "LambdaAdvisorOrganizationReader"
SCAN_ROLE = "LambdaAdvisorReadOnly"
CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
ROOT = Path(__file__).resolve().parent.parent


def _client(endpoint: str, service: str, session: boto3.Session | None = None):
    if session is not None:
        return session.client(service, endpoint_url=endpoint, region_name=REGION)
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)


def _trust(external_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                }
            ],
        }
    )


def _member_admin(endpoint: str, account_id: str) -> boto3.Session:
    """Inside a member through OrganizationAccountAccessRole: moto's STS gives credentials of
    the role ARN's account, so everything created with them lives in that member."""
    credentials = _client(endpoint, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
        RoleSessionName="bench-setup",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def seed_organization(
    endpoint: str, *, accounts: int, functions: int, days: int, external_id: str, workers: int
) -> tuple[str, dict[str, float]]:
    """The organisation with ``accounts`` members of ``functions`` functions each; returns the
    reader role's ARN and the seconds each step took.

    Seeding is the fixture, not the scan under test, so it takes the short way where one
    exists: one deployment package for every function, members built side by side on
    ``workers`` threads (each with its own boto3 session), and each member's metrics sent as
    whole series in one request to the emulator's seeding endpoint
    (``advisor.demo.emulator_cloudwatch.SERIES_PATH``: the same answers as PutMetricData, at 16
    bytes a point). The functions, roles and permissions are still created with boto3 over
    HTTP, and the scan reads everything as it reads AWS."""
    took: dict[str, float] = {}
    started = time.perf_counter()
    organizations = _client(endpoint, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    reader = _client(endpoint, "iam").create_role(
        RoleName=READER_ROLE, AssumeRolePolicyDocument=_trust(external_id)
    )["Role"]["Arn"]
    member_ids = [
        organizations.create_account(AccountName=f"member-{n:03d}", Email=f"m{n}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for n in range(accounts)
    ]
    took["organisation"] = time.perf_counter() - started
    code = _package()
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    first_hour = (end - timedelta(hours=days * 24)).timestamp()
    hours = range(days * 24)
    per_account: list[float] = []

    def member(n_and_id: tuple[int, str]) -> None:
        member_started = time.perf_counter()
        n, account_id = n_and_id
        admin = _member_admin(endpoint, account_id)
        iam = _client(endpoint, "iam", admin)
        iam.create_role(RoleName=SCAN_ROLE, AssumeRolePolicyDocument=_trust(external_id))
        role = iam.create_role(RoleName="function-exec", AssumeRolePolicyDocument="{}")["Role"][
            "Arn"
        ]
        lam = _client(endpoint, "lambda", admin)
        series = []
        for i in range(functions):
            name = f"svc-{n:03d}-{i:03d}"
            lam.create_function(
                FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                Code={"ZipFile": code},
            )  # fmt: skip
            if i % 10 == 1:  # an S3 caller: its async invoke config is read
                lam.add_permission(
                    FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                    Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::bench-{n}-{i}",
                )  # fmt: skip
            dimensions = [{"Name": "FunctionName", "Value": name}]
            for metric, values in (
                (
                    "Invocations",
                    [10 + (i % 7) * (1 + math.sin(h / 24 * 2 * math.pi)) for h in hours],
                ),
                ("Duration", [float(50 + i % 200)] * len(hours)),
                ("Errors", [0.0] * len(hours)),
            ):
                series.append(
                    {
                        "metric_name": metric,
                        "dimensions": dimensions,
                        "start": first_hour,
                        "period": 3600,
                        "values": values,
                    }
                )
        _seed_series(endpoint, account_id, series)
        per_account.append(time.perf_counter() - member_started)

    members_started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(member, enumerate(member_ids)))
    took["members"] = time.perf_counter() - members_started
    took["per_account_mean"] = sum(per_account) / max(1, len(per_account))
    return reader, took


def _seed_series(endpoint: str, account_id: str, series: list[dict]) -> None:
    request = urllib.request.Request(  # noqa: S310 (the emulator's own URL)
        endpoint + SERIES_PATH,
        data=json.dumps(
            {
                "account_id": account_id,
                "region": REGION,
                "namespace": "AWS/Lambda",
                "series": series,
            }
        ).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300):  # noqa: S310
        pass


def start_worker(processes: int, log: Path) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "TEST_REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "ADVISOR_SCAN_RATE_LIMIT": "false",
        # Every process may run a scheduled region: the run measures the pool, not the bound.
        "ADVISOR_BULK_REGION_SLOTS": str(processes),
        "ADVISOR_BULK_REGION_WAIT_SECONDS": "1",
    }
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
                f"--concurrency={processes}", "--loglevel=INFO", "--without-gossip",
                "--without-mingle", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
                "-n", f"bench-fleet-{os.getpid()}@%h",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def account_region_floor(api_calls: dict[str, int], fraction: float = 1.0) -> float:
    """Seconds the slowest Lambda quota bucket of one account-region needs for these calls."""
    per_bucket: Counter[str] = Counter()
    for key, count in api_calls.items():
        bucket = lambda_bucket(key)
        if bucket:
            per_bucket[bucket] += count
    return max((n / (QUOTAS[b] * fraction) for b, n in per_bucket.items()), default=0.0)


def packed(floors: list[float], processes: int) -> float:
    """The region floors run on ``processes`` processes, longest first, each to the process
    that frees first: the modelled wall time of the pool."""
    loads = [0.0] * processes
    for floor in sorted(floors, reverse=True):
        loads[loads.index(min(loads))] += floor
    return max(loads)


def scan_fleet(accounts: list[AwsAccount], processes: int, log: Path) -> dict:
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue)  # the connect's sync message: its work was done inline
    worker = start_worker(processes, log)
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        started = time.perf_counter()
        scans = [scan_start(account=a, trigger=Scan.Trigger.SCHEDULED) for a in accounts]
        ids = [s.pk for s in scans]
        while Scan.objects.filter(pk__in=ids, status__in=Scan.ACTIVE).exists():
            if worker.poll() is not None:
                raise RuntimeError(f"the worker stopped:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        wall = time.perf_counter() - started
    finally:
        stop_worker(worker)
    done = list(Scan.objects.filter(pk__in=ids).prefetch_related("parts"))
    regions = [
        (p.finished_at - p.started_at).total_seconds()
        for s in done
        for p in s.parts.all()
        if p.started_at and p.finished_at
    ]
    calls: Counter[str] = Counter()
    for scan in done:
        calls.update(scan.api_calls)
    return {
        "processes": processes,
        "wall_s": wall,
        "statuses": Counter(s.status for s in done),
        "functions": sum(s.function_count for s in done),
        "calls": dict(sorted(calls.items())),
        "floors": [account_region_floor(s.api_calls) for s in done],
        "region_s": sum(regions) / max(1, len(regions)),
    }


def report(args, seed_s: float, runs: list[dict]) -> str:
    fraction = CollectOptions().rate_limit_fraction
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, database {connection.vendor}",
        "",
        f"Organisation: {args.accounts} member accounts x {args.functions} functions "
        f"({args.accounts * args.functions:,} functions), one region, {args.days} days of hourly "
        f"metrics; seeded in {seed_s:.0f} s",
        "",
        "| worker processes | wall time s | mean region task s | scans | functions stored | "
        "modelled at AWS's quotas, this pool s | at the default limiter s |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for run in runs:
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(run["statuses"].items()))
        at_quota = packed(run["floors"], run["processes"])
        lines.append(
            f"| {run['processes']} | {run['wall_s']:.1f} | {run['region_s']:.1f} | {statuses} | "
            f"{run['functions']:,} | "
            f"{at_quota:.1f} | {at_quota / fraction:.1f} |"
        )
    floors = runs[-1]["floors"]
    lines += [
        "",
        f"- slowest account-region's floor at AWS's quotas (the fleet's floor given a process "
        f"per account-region): {max(floors, default=0):.1f} s; at the default limiter "
        f"({fraction:.0%} of quota): {max(floors, default=0) / fraction:.1f} s",
        f"- the sum of the floors (one account after another): {sum(floors):.1f} s",
        "",
        "| operation | calls | per function |",
        "| --- | ---: | ---: |",
    ]
    n = max(1, args.accounts * args.functions)
    lines += [f"| {k} | {c} | {c / n:.3f} |" for k, c in runs[-1]["calls"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--functions", type=int, default=50, help="per account")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed-workers", type=int, default=8)
    parser.add_argument("--logs", default="var/bench", help="the workers' logs go here")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        sys.exit("needs PostgreSQL (DATABASE_URL) and Redis (TEST_REDIS_URL)")
    logs = ROOT / args.logs
    logs.mkdir(parents=True, exist_ok=True)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with emulator(None) as endpoint:
            workspace = Workspace.objects.create(name="Fleet bench", slug="fleet-bench")
            external_id = "lambda-advisor-fleet-bench"
            started = time.perf_counter()
            reader, took = seed_organization(
                endpoint,
                accounts=args.accounts,
                functions=args.functions,
                days=args.days,
                external_id=external_id,
                workers=args.seed_workers,
            )
            # Connected as a person connects one: the ExternalId shown on the connect page (the
            # user's pending connection) is the one the roles trust.
            pending = PendingConnection.objects.create(
                user=get_user_model().objects.create(username="fleet-bench"),
                external_id=external_id,
            )
            organization, _ = organization_connect(
                workspace=workspace,
                name="bench-org",
                role_arn=reader,
                pending=pending,
                member_role_name=SCAN_ROLE,
                regions=[REGION],
                endpoint_url=endpoint,
            )
            organization_sync(organization=organization)  # each member's role tried once
            seed_s = time.perf_counter() - started
            members = AwsAccount.objects.filter(organization=organization).order_by("pk")
            # The management account is listed too; a StackSet does not deploy there, so the
            # sync marks its role not deployed and it is not scanned, as in a real organisation.
            accounts = [a for a in members if not a.organization_refusal()]
            if len(accounts) != args.accounts:
                sys.exit(f"{len(accounts)} of {args.accounts} members can be scanned")
            print(
                f"seeded and connected {len(accounts)} members in {seed_s:.1f} s (organisation "
                f"{took['organisation']:.1f} s, members {took['members']:.1f} s on "
                f"{args.seed_workers} threads, {took['per_account_mean']:.2f} s per member)",
                flush=True,
            )
            runs = []
            for processes in args.workers:
                run = scan_fleet(accounts, processes, logs / f"fleet-worker-{processes}.log")
                print(
                    f"{processes} worker processes: {run['wall_s']:.1f} s, {run['statuses']}",
                    flush=True,
                )
                runs.append(run)
        print()
        print(report(args, seed_s, runs))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
