"""A function's page shows the aliases and versions its callers invoke, and the mappings that
invoke nothing, as they are."""

import dataclasses

from django.urls import reverse

from advisor.collect.inventory import (
    AsyncInvokeConfig,
    EventSourceMapping,
    PushSource,
    Qualifier,
)
from tests.dashboard.builders import _add_to_region


def test_aliases_role_callers_and_disabled_mappings_are_shown(client, world):
    record = world["orders"]
    record.config["qualifiers"] = [
        dataclasses.asdict(
            Qualifier(
                name="live",
                kind="alias",
                exists=True,
                version="7",
                routing={"8": 0.1},
                named_by=["api", "metrics"],
                has_traffic=True,
                async_config=AsyncInvokeConfig(on_failure="arn:aws:sqs:us-east-1:1:dlq"),
            )
        )
    ]
    record.save(update_fields=["config"])
    mapping = EventSourceMapping(
        uuid="u-1",
        function_arn=f"{record.arn}:live",
        source_arn="arn:aws:sqs:us-east-1:1:returns",
        kind="sqs",
        state="Disabled",
        state_transition_reason="PROBLEM: Lambda cannot read the queue",
    )
    _add_to_region(record.scan, record.region, "event_source_mappings", dataclasses.asdict(mapping))
    schedule = PushSource(
        function_arn=f"{record.arn}:live",
        principal="scheduler.amazonaws.com",
        source_arn="arn:aws:scheduler:us-east-1:1:schedule/default/nightly",
        invocation="async",
        via="role",
    )
    _add_to_region(record.scan, record.region, "push_sources", dataclasses.asdict(schedule))

    client.force_login(world["alice"])
    body = client.get(reverse("advisor:function-detail", args=[record.pk])).content.decode()

    assert "Aliases and versions in use" in body
    assert "<code>live</code> → version 7, version 8 at 0.10" in body
    assert "named by api, metrics" in body
    assert "Mapping (Disabled)" in body and "PROBLEM: Lambda cannot read the queue" in body
    assert "scheduler.amazonaws.com" in body and "(with an IAM role)" in body
