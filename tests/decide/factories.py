"""Hand-built functions and metrics for decide tests."""

from __future__ import annotations

from advisor.collect.inventory import (
    Function,
    FunctionMetrics,
    ProvisionedConcurrencyConfig,
    Series,
)

HOUR = 3600
START = 1_767_225_600  # 2026-01-01T00:00:00Z


def hourly(values: list[float | None]) -> Series:
    return Series(start=START, period=HOUR, values=list(values))


def function(
    name: str = "orders",
    *,
    memory_mb: int = 512,
    arch: str = "x86_64",
    metrics: FunctionMetrics | None = None,
    region: str = "us-east-1",
    **kwargs,
) -> Function:
    return Function(
        arn=f"arn:aws:lambda:{region}:123456789012:function:{name}",
        name=name,
        region=region,
        runtime="python3.13",
        handler="app.handler",
        memory_mb=memory_mb,
        timeout_s=30,
        architectures=[arch],
        metrics=metrics,
        **kwargs,
    )


def metrics_from_hourly(
    invocations: list[float | None],
    *,
    duration_ms: float = 200.0,
    p99_ms: float | None = None,
    max_ms: float | None = None,
    concurrency_peak: float | None = None,
    provisioned_utilization: list[float | None] | None = None,
) -> FunctionMetrics:
    """Metrics as the collector summarises them: series plus the summary figures."""
    inv = hourly(invocations)
    busy = [duration_ms if v else None for v in invocations]
    return FunctionMetrics(
        invocations=inv,
        duration_avg=hourly(busy),
        duration_max=hourly([max_ms if v else None for v in invocations]) if max_ms else None,
        duration_p99=hourly([p99_ms if v else None for v in invocations]) if p99_ms else None,
        provisioned_utilization_max=(
            hourly(provisioned_utilization) if provisioned_utilization is not None else None
        ),
        invocations_total=inv.total(),
        duration_avg_ms=duration_ms if inv.total() else None,
        duration_max_ms=max_ms,
        duration_p99_ms=p99_ms,
        concurrency_peak=concurrency_peak,
        window_hours=len(invocations),
    )


def overlapping_opportunities_function(name: str = "both"):
    """A busy x86 function with mostly idle provisioned concurrency that is also a container
    candidate: arm64, releasing the idle instances and moving off Lambda all apply to it."""
    days = 14 * 24
    return function(
        name,
        memory_mb=1024,
        provisioned_concurrency=[ProvisionedConcurrencyConfig(qualifier="live", requested=40)],
        metrics=metrics_from_hourly(
            [150_000.0] * days, duration_ms=250, provisioned_utilization=[0.05] * days
        ),
    )
