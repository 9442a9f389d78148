"""The demo's metrics: what Lambda would publish for a function behind an alias."""

from __future__ import annotations

from datetime import UTC, datetime

from advisor.demo import acme, traffic


def test_an_aliased_async_function_publishes_its_async_series_for_the_alias_too():
    fn = next(f for f in acme.FUNCTIONS if f.name == "loyalty-points")
    assert fn.alias and traffic.is_async(fn)
    items, _ = traffic.function_metrics(fn, traffic.window(datetime(2026, 11, 25, tzinfo=UTC)))

    def total(metric: str, resource: str | None) -> float:
        return sum(
            item["Value"]
            for item in items
            if item["MetricName"] == metric
            and {d["Name"]: d["Value"] for d in item["Dimensions"]}.get("Resource") == resource
        )

    # every caller invokes loyalty-points:live: the function's series equals the alias's
    dropped = total("AsyncEventsDropped", "loyalty-points:live")
    assert dropped > 0  # its bad day
    assert total("AsyncEventsDropped", None) == dropped
    assert total("AsyncEventAge", "loyalty-points:live") > 0


def test_a_function_without_an_alias_or_url_publishes_no_resource_series():
    fn = next(f for f in acme.FUNCTIONS if f.name == "eu-events-router")
    assert not fn.alias and traffic.is_async(fn)
    items, _ = traffic.function_metrics(fn, traffic.window(datetime(2026, 11, 25, tzinfo=UTC)))
    assert all("Resource" not in {d["Name"] for d in item["Dimensions"]} for item in items)


def test_a_scheduler_target_is_invoked_asynchronously():
    fn = next(f for f in acme.FUNCTIONS if f.name == "data-export")
    assert fn.scheduler and traffic.is_async(fn)


def test_generated_functions_sit_behind_aliases_in_the_share_asked_for():
    from advisor.demo.seed import ALIASED_SHAPES, filler_functions

    fillers = filler_functions(0, 32, 1032, aliased_share=0.4)
    aliased = [fn for fn in fillers if fn.alias]
    assert len(fillers) == 1000 and len(aliased) == 400
    # every shape of the demo's aliased functions, evenly
    shapes = [fn.description.rsplit("(", 1)[1].rstrip(")") for fn in aliased]
    assert {shape: shapes.count(shape) for shape in ALIASED_SHAPES} == {
        "mapping": 67,
        "sns": 67,
        "sns-destination": 67,
        "canary": 67,
        "scheduler": 66,
        "idle": 66,
    }
    idle = [fn for fn in aliased if fn.provisioned]
    assert all(not m.enabled for fn in idle for m in fn.mappings)
    assert all(
        fn.on_failure == "acme-async-dlq" for fn in aliased if "destination" in fn.description
    )
    assert filler_functions(0, 32, 1032) == [
        fn for fn in filler_functions(0, 32, 1032) if not fn.alias
    ]


def test_a_function_url_publishes_its_requests_by_resource():
    fn = next(f for f in acme.FUNCTIONS if f.name == "internal-admin-api")
    assert fn.url_auth == "AWS_IAM"  # no policy statement: only this metric shows the URL
    items, _ = traffic.function_metrics(fn, traffic.window(datetime(2026, 11, 25, tzinfo=UTC)))
    urls = [item for item in items if item["MetricName"] == "UrlRequestCount"]
    assert urls
    assert all(
        {d["Name"]: d["Value"] for d in item["Dimensions"]}
        == {"FunctionName": "internal-admin-api", "Resource": "internal-admin-api:$LATEST"}
        for item in urls
    )
