"""The numbers behind a function's charts, a UTC day at a time (pure), and on the page."""

import datetime as dt

from django.urls import reverse

from advisor.charts import daily_figures
from advisor.collect.inventory import FunctionMetrics, Series

# 2026-11-23 22:00 UTC: two hours of the 23rd, then 24 of the 24th, then one of the 25th.
START = int(dt.datetime(2026, 11, 23, 22, tzinfo=dt.UTC).timestamp())
HOURS = 27


def series(values):
    return Series(start=START, period=3600, values=values)


def test_counts_add_up_and_durations_keep_the_highest_hour_per_utc_day():
    invocations = [10.0] * HOURS
    errors = [None] * HOURS
    errors[3] = 2.0  # 24th, 01:00
    p99 = [100.0] * HOURS
    p99[5] = 950.0  # 24th
    metrics = FunctionMetrics(
        invocations=series(invocations),
        errors=series(errors),
        duration_p99=series(p99),
        concurrent_max=series([None, 3.0] + [1.0] * (HOURS - 2)),
    )
    rows = daily_figures(metrics)
    assert [r["day"] for r in rows] == [
        dt.date(2026, 11, 25),
        dt.date(2026, 11, 24),
        dt.date(2026, 11, 23),
    ]  # newest first
    latest, middle, first = rows
    assert (first["invocations"], middle["invocations"], latest["invocations"]) == (20, 240, 10)
    assert (first["errors"], middle["errors"], latest["errors"]) == (None, 2.0, None)
    assert (middle["p99_ms"], first["p99_ms"]) == (950.0, 100.0)
    assert first["concurrency"] == 3.0
    assert first["throttles"] is None and first["max_ms"] is None  # series not collected


def test_no_metrics_no_rows():
    assert daily_figures(None) == []
    assert daily_figures(FunctionMetrics()) == []


def test_the_page_lists_the_days_under_the_charts(client, world):
    client.force_login(world["alice"])
    body = client.get(
        reverse("advisor:function-detail", args=[world["orders"].pk])
    ).content.decode()
    assert "<summary>The charts' numbers, day by day</summary>" in body
    assert body.count('<th scope="row">20') >= 14  # two weeks of hourly data: 14-15 UTC days
