"""The emulator's seeding endpoint for whole metric series (``SERIES_PATH``): a series sent in
one request answers GetMetricData and ListMetrics as the same points sent with PutMetricData."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from advisor.demo.emulator_cloudwatch import SERIES_PATH

ACCOUNT = "123456789012"
REGION = "us-east-1"
HOUR = 3600
VALUES = [float((n * 37) % 11) + (n % 3) * 0.5 for n in range(72)]  # 3 days, hourly


def cloudwatch(endpoint: str):
    return boto3.client("cloudwatch", region_name=REGION, endpoint_url=endpoint)


def start() -> datetime:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now - timedelta(hours=len(VALUES))


def seed(endpoint: str, body: dict) -> int:
    request = urllib.request.Request(  # noqa: S310 (the emulator's own URL)
        endpoint + SERIES_PATH, data=json.dumps(body).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def series(function: str, metric: str = "Duration", values=VALUES) -> dict:
    return {
        "metric_name": metric,
        "dimensions": [{"Name": "FunctionName", "Value": function}],
        "start": start().timestamp(),
        "period": HOUR,
        "values": values,
    }


def put_one_by_one(endpoint: str, function: str, metric: str = "Duration") -> None:
    cloudwatch(endpoint).put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "FunctionName", "Value": function}],
                "Timestamp": start() + timedelta(hours=n),
                "Value": value,
            }
            for n, value in enumerate(VALUES)
        ],
    )


def answers(endpoint: str, function: str, period: int) -> dict[str, tuple]:
    stats = ["Sum", "Average", "SampleCount", "Minimum", "Maximum", "p99", "p50", "p90.5"]
    queries = [
        {
            "Id": f"q{n}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/Lambda",
                    "MetricName": "Duration",
                    "Dimensions": [{"Name": "FunctionName", "Value": function}],
                },
                "Period": period,
                "Stat": stat,
            },
        }
        for n, stat in enumerate(stats)
    ]
    results = cloudwatch(endpoint).get_metric_data(
        MetricDataQueries=queries,
        StartTime=start() - timedelta(minutes=30),
        EndTime=start() + timedelta(hours=len(VALUES)),
    )["MetricDataResults"]
    return {stats[int(r["Id"][1:])]: (r["Timestamps"], r["Values"]) for r in results}


@pytest.mark.parametrize("period", [HOUR, 6 * HOUR, 86400])
def test_a_seeded_series_answers_as_the_same_points_put_one_by_one(aws, period):
    put_one_by_one(aws, "put")
    assert seed(aws, {"account_id": ACCOUNT, "region": REGION, "namespace": "AWS/Lambda",
                      "series": [series("seeded")]}) == 200  # fmt: skip

    put, seeded = answers(aws, "put", period), answers(aws, "seeded", period)

    assert seeded == put
    assert len(put["Sum"][1]) == len(VALUES) * HOUR // period


def test_list_metrics_lists_a_seeded_series_once(aws):
    body = {"account_id": ACCOUNT, "region": REGION, "namespace": "AWS/Lambda"}
    assert seed(aws, {**body, "series": [series("a"), series("a", "Invocations")]}) == 200

    listed = cloudwatch(aws).list_metrics(Namespace="AWS/Lambda")["Metrics"]

    assert sorted(m["MetricName"] for m in listed) == ["Duration", "Invocations"]
    assert all(m["Dimensions"] == [{"Name": "FunctionName", "Value": "a"}] for m in listed)


def test_points_put_later_join_a_seeded_series(aws):
    body = {"account_id": ACCOUNT, "region": REGION, "namespace": "AWS/Lambda"}
    assert seed(aws, {**body, "series": [series("fn", values=VALUES[:-1])]}) == 200
    cloudwatch(aws).put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": "Duration",
                "Dimensions": [{"Name": "FunctionName", "Value": "fn"}],
                "Timestamp": start() + timedelta(hours=len(VALUES) - 1),
                "Value": VALUES[-1],
            }
        ],
    )
    put_one_by_one(aws, "put")

    assert answers(aws, "fn", HOUR) == answers(aws, "put", HOUR)


def test_a_bad_or_repeated_series_is_refused(aws):
    body = {"account_id": ACCOUNT, "region": REGION, "namespace": "AWS/Lambda"}
    assert seed(aws, {**body, "series": [series("fn", values=[])]}) == 400
    assert seed(aws, {**body, "series": [{"metric_name": "x"}]}) == 400
    assert seed(aws, {**body, "series": [series("fn")]}) == 200
    assert seed(aws, {**body, "series": [series("fn")]}) == 409
