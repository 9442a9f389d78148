"""Benchmark of one region scan: ``python -m bench.region_scan --functions 1000``.

Seeds the emulator (a fresh one on a free loopback port, or ``--endpoint-url``) with N functions,
their triggers and hourly metrics, scans the region without the rate limiter, and reports wall
time, AWS calls per function by operation, GetMetricData calls, peak memory (tracemalloc, in a
second scan so that tracing does not slow the timed one) and the floor a real account imposes:
the time the same calls need at AWS's Lambda quotas, and at the collector's default limiter;
then the decision's cost per function over the scanned inventory (advisor.decide.recommend, with
and without the crossover search, and the decision card the scan's analysis stores: the
recommendation with its cost curve).

Two estates: ``--estate demo`` (the default) seeds the demo company (``advisor.demo.seed``), topped
up with its generated functions to N, and scans it through the read-only role as the product
does; with ``--aliased 0.4`` that share of the generated functions sits behind alias "live" in
the shapes of the demo's aliased functions (a mapping, SNS with and without the alias's own
destination, a canary, a schedule, an idle alias with provisioned concurrency).
``--estate synthetic`` seeds N plain functions here: every function gets hourly Invocations,
Duration and Errors; one in ten may be invoked by S3 (async invoke config read), one in fifty
has a public function URL, one in ten reads an SQS queue (ten functions per queue).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3

from advisor.collect.clients import lambda_bucket
from advisor.collect.inventory import RegionInventory
from advisor.collect.options import (
    LAMBDA_GET_FUNCTION_QUOTA,
    LAMBDA_GET_POLICY_QUOTA,
    LAMBDA_SHARED_QUOTA,
    CollectOptions,
)
from advisor.collect.relations import RelationIndex
from advisor.collect.scanner import collect_region
from advisor.collect.session import allowed_endpoint, assume_role_session, aws_client
from advisor.decide import DecisionOptions, load_prices, profile_from_function, recommend
from advisor.decide.card import decision_card
from advisor.demo.seed import seed_demo

ACCOUNT = "123456789012"
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
QUOTAS = {
    "lambda.GetFunction": LAMBDA_GET_FUNCTION_QUOTA,
    "lambda.GetPolicy": LAMBDA_GET_POLICY_QUOTA,
    "lambda": LAMBDA_SHARED_QUOTA,
}
PUT_METRIC_ITEMS = 1000  # PutMetricData accepts at most 1,000 items per request


@dataclass
class Result:
    functions: int
    aliased_share: float
    seed_s: float
    scan_s: float
    peak_memory_bytes: int | None
    inventory: RegionInventory
    # per function: verdict, with the crossover, the card (recommendation and curve)
    decision_ms: tuple[float, float, float] | None = None

    def floor_s(self, fraction: float = 1.0) -> dict[str, float]:
        """Seconds each Lambda quota bucket needs for this scan's calls at ``fraction`` of the
        quota; the buckets drain in parallel, so the scan's floor is the largest."""
        per_bucket: dict[str, int] = {}
        for key, count in self.inventory.api_calls.items():
            bucket = lambda_bucket(key)
            if bucket:
                per_bucket[bucket] = per_bucket.get(bucket, 0) + count
        return {b: n / (QUOTAS[b] * fraction) for b, n in sorted(per_bucket.items())}

    def report(self) -> str:
        calls = self.inventory.api_calls
        n = self.functions
        total = sum(calls.values())
        title = f"## {n} functions"
        if self.aliased_share:
            title += f", {self.aliased_share:.0%} of the generated ones behind an alias"
        lines = [
            title,
            "",
            f"- seeding: {self.seed_s:.1f} s; scan wall time (no rate limit): {self.scan_s:.1f} s",
            f"- AWS calls: {total} in total, {total / n:.3f} per function",
            f"- GetMetricData calls: {calls.get('cloudwatch.GetMetricData', 0)}",
        ]
        if self.peak_memory_bytes is not None:
            lines.append(f"- peak memory (tracemalloc): {self.peak_memory_bytes / 2**20:.1f} MiB")
        at_quota = self.floor_s(1.0)
        at_default = self.floor_s(CollectOptions().rate_limit_fraction)
        lines.append(
            f"- floor at AWS's Lambda quotas: {max(at_quota.values(), default=0):.1f} s "
            f"({', '.join(f'{b} {s:.1f} s' for b, s in at_quota.items())}); at the default "
            f"limiter ({CollectOptions().rate_limit_fraction:.0%} of quota): "
            f"{max(at_default.values(), default=0):.1f} s"
        )
        if self.decision_ms is not None:
            verdict_ms, crossover_ms, card_ms = self.decision_ms
            lines.append(
                f"- decision per function: {verdict_ms:.2f} ms for the verdict and costs (as "
                f"lists and reports work it out), {crossover_ms:.2f} ms with the crossover, "
                f"{card_ms:.2f} ms for the decision card the scan stores (the recommendation "
                "with its cost curve)"
            )
        shared = sum(c for k, c in calls.items() if lambda_bucket(k) == "lambda")
        lines.append(f"- shared Lambda bucket: {shared} calls, {shared / n:.3f} per function")
        functions = self.inventory.functions
        qualifiers = sum(len(fn.qualifiers) for fn in functions)
        existing = sum(1 for fn in functions for q in fn.qualifiers if q.exists is not False)
        behind = sum(1 for fn in functions if fn.qualifiers)
        policies = calls.get("lambda.GetPolicy", 0)
        lines.append(
            f"- aliases and versions in use: {qualifiers} on {behind} functions "
            f"({behind / n:.0%}); GetPolicy {policies} = {n} functions + {policies - n} "
            f"qualifiers ({existing} exist), {policies / n:.3f} per function"
        )
        gaps = self.inventory.coverage_gaps
        lines.append(f"- coverage gaps: {len(gaps)}")
        lines += ["", "| operation | calls | per function |", "| --- | ---: | ---: |"]
        lines += [f"| {key} | {count} | {count / n:.3f} |" for key, count in calls.items()]
        return "\n".join(lines)


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


@contextmanager
def emulator(endpoint_url: str | None) -> Iterator[str]:
    if endpoint_url:
        yield endpoint_url
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "advisor.demo.emulator", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()  # a loaded moto server can take long to wind down its threads
            process.wait(timeout=10)


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def seed(
    session: boto3.Session, endpoint: str, functions: int, end: datetime, days: int, workers: int
) -> None:
    def client(service: str):
        return aws_client(service, session=session, region=REGION, endpoint_url=endpoint)

    reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(reset, timeout=30).close()  # noqa: S310
    role = client("iam").create_role(
        RoleName="bench",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    sqs = client("sqs")
    queues = []
    for i in range(max(1, functions // 100)):
        url = sqs.create_queue(QueueName=f"bench-{i}")["QueueUrl"]
        queues.append(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
        )
    code = _package()
    lam = client("lambda")
    cloudwatch = client("cloudwatch")
    hours = [end - timedelta(hours=h) for h in range(days * 24, 0, -1)]

    def one(i: int) -> None:
        name = f"bench-{i:05d}"
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
            Code={"ZipFile": code}, Environment={"Variables": {"STAGE": "bench"}},
        )  # fmt: skip
        if i % 10 == 1:
            lam.add_permission(
                FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::bench-{i}",
            )  # fmt: skip
        if i % 50 == 2:
            lam.create_function_url_config(FunctionName=name, AuthType="NONE")
            lam.add_permission(
                FunctionName=name, StatementId="url", Action="lambda:InvokeFunctionUrl",
                Principal="*", FunctionUrlAuthType="NONE",
            )  # fmt: skip
        if i % 10 == 3:
            lam.create_event_source_mapping(
                EventSourceArn=queues[(i // 10) % len(queues)], FunctionName=name, BatchSize=10
            )
        items = []
        for h, moment in enumerate(hours):
            load = 10 + (i % 7) * (1 + math.sin(h / 24 * 2 * math.pi))
            for metric, value in (("Invocations", load), ("Duration", 50 + i % 200), ("Errors", 0)):
                items.append(
                    {
                        "MetricName": metric,
                        "Dimensions": [{"Name": "FunctionName", "Value": name}],
                        "Timestamp": moment,
                        "Value": float(value),
                    }
                )
        for start in range(0, len(items), PUT_METRIC_ITEMS):
            cloudwatch.put_metric_data(
                Namespace="AWS/Lambda", MetricData=items[start : start + PUT_METRIC_ITEMS]
            )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, range(functions)))


def seed_demo_estate(
    endpoint: str, functions: int, end: datetime, aliased_share: float = 0.0
) -> tuple[boto3.Session, str]:
    """The demo company topped up to ``functions``; the read-only role's session."""
    reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(reset, timeout=30).close()  # noqa: S310
    report = seed_demo(
        endpoint_url=endpoint,
        regions=[REGION],
        functions_per_region=functions or None,
        aliased_share=aliased_share,
        now=end,
    )
    session = assume_role_session(
        role_arn=report.role_arn,
        external_id=report.external_id,
        region=REGION,
        endpoint_url=endpoint,
    )
    return session, report.account_id


def run(
    functions: int,
    *,
    endpoint_url: str | None = None,
    estate: str = "demo",
    aliased_share: float = 0.0,
    days: int = 14,
    workers: int = 8,
    memory: bool = True,
    log: Callable[[str], None] = print,
) -> Result:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    options = CollectOptions(rate_limit=False, metrics_end=end, metrics_days=days)
    with emulator(endpoint_url) as url:
        # The benchmark's own emulator: an endpoint this run allows, as the local mode does.
        endpoint = allowed_endpoint(url, allow=True)
        started = time.perf_counter()
        if estate == "demo":
            session, account = seed_demo_estate(endpoint, functions, end, aliased_share)
        else:
            session, account = boto3.Session(region_name=REGION, **CREDENTIALS), ACCOUNT
            seed(session, endpoint, functions, end, days, workers)
        seed_s = time.perf_counter() - started
        log(f"seeded the {estate} estate in {seed_s:.1f} s")

        def scan() -> RegionInventory:
            return collect_region(
                session=session,
                account_id=account,
                region=REGION,
                endpoint_url=endpoint,
                options=options,
            )

        started = time.perf_counter()
        inventory = scan()
        scan_s = time.perf_counter() - started
        log(f"scanned in {scan_s:.1f} s")
        peak = None
        if memory:
            tracemalloc.start()
            scan()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    if functions and len(inventory.functions) < functions:
        raise RuntimeError(f"scanned {len(inventory.functions)} of {functions} functions")
    decision = decision_ms(inventory)
    log(f"decided in {decision[0]:.2f} / {decision[1]:.2f} / {decision[2]:.2f} ms per function")
    return Result(
        len(inventory.functions), aliased_share, seed_s, scan_s, peak, inventory, decision
    )


def decision_ms(inventory: RegionInventory) -> tuple[float, float, float]:
    """Milliseconds per function for the decision (front door, INIT note and tiers included):
    the verdict and costs alone, then with the crossover search, then the decision card (the
    recommendation with the crossover and the cost curve, as the scan's analysis stores it)."""
    prices = load_prices(inventory.region)
    index = RelationIndex.build(inventory)
    profiles = [profile_from_function(fn, callers=index.callers(fn)) for fn in inventory.functions]
    timings = []
    for options in (DecisionOptions(compute_crossover=False), DecisionOptions()):
        started = time.perf_counter()
        for profile in profiles:
            recommend(profile, prices, options)
        timings.append((time.perf_counter() - started) * 1000 / max(1, len(profiles)))
    started = time.perf_counter()
    for profile in profiles:
        decision_card(profile, prices, DecisionOptions())
    timings.append((time.perf_counter() - started) * 1000 / max(1, len(profiles)))
    return timings[0], timings[1], timings[2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--functions", type=int, nargs="+", default=[1000], help="per run; 0: the demo as is"
    )
    parser.add_argument("--estate", choices=["demo", "synthetic"], default="demo")
    parser.add_argument(
        "--aliased",
        type=float,
        default=0.0,
        help="demo estate: share of the generated functions behind an alias (0.4: production-like)",
    )
    parser.add_argument("--endpoint-url", help="an emulator already running (it is reset)")
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed-workers", type=int, default=8)
    parser.add_argument("--skip-memory", action="store_true", help="no tracemalloc scan")
    args = parser.parse_args(argv)
    # The app's own credentials (boto3's default chain) assume the demo's role; the emulator
    # accepts any.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"])
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"])
    reports = [f"Machine: {machine()}", ""]
    for count in args.functions:
        result = run(
            count,
            endpoint_url=args.endpoint_url,
            estate=args.estate,
            aliased_share=args.aliased,
            days=args.days,
            workers=args.seed_workers,
            memory=not args.skip_memory,
            log=lambda line: print(line, file=sys.stderr),
        )
        reports += [result.report(), ""]
    print("\n".join(reports))


if __name__ == "__main__":
    main()
