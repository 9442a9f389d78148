"""A published version's own configuration, read with GetFunction and a Qualifier from the
emulator over HTTP: its layers (a version keeps the layer versions it was published with), its
package size and its SnapStart, which the rules judge instead of $LATEST's; and the alias's own
resource policy, judged like the function's."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from advisor.collect.inventory import RegionInventory
from advisor.collect.scanner import CollectOptions, collect_region
from advisor.rules.base import Finding, Severity
from advisor.rules.context import RegionContext
from advisor.rules.registry import rules_by_id
from tests.collect.aws_state import ACCOUNT, REGION, Aws, package

OPTIONS = CollectOptions(rate_limit=False, max_attempts=2, metrics=False)


@pytest.fixture
def inventory(aws: str) -> RegionInventory:
    state = Aws.connect(aws)
    lam = state.client("lambda")
    layer = lam.publish_layer_version(
        LayerName="deps", Content={"ZipFile": package()}, CompatibleRuntimes=["java21"]
    )["LayerVersionArn"]
    # search: version 1 (java21, with the layer, no SnapStart) behind live; $LATEST then gets
    # SnapStart and loses the layer, unpublished
    created = state.function("search", Runtime="java21", Layers=[layer])
    lam.publish_version(FunctionName="search")
    lam.create_alias(FunctionName="search", Name="live", FunctionVersion="1")
    # anyone may invoke the alias (its own policy; the function's is private)
    lam.add_permission(
        FunctionName="search",
        Qualifier="live",
        StatementId="partner",
        Action="lambda:InvokeFunction",
        Principal="*",
    )
    lam.update_function_configuration(
        FunctionName="search", Layers=[], SnapStart={"ApplyOn": "PublishedVersions"}
    )
    state.rest_api("shop", f"{created['FunctionArn']}:live")
    return collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=state.endpoint,
        options=OPTIONS,
    )


def test_a_version_keeps_its_own_layers(inventory):
    [fn] = inventory.functions
    assert fn.layers == []
    version = fn.version("1")
    assert version is not None and version.runtime == "java21"
    assert [layer.arn.rsplit(":", 2)[-2] for layer in version.layers or []] == ["deps"]
    assert version.snap_start == "None" and fn.snap_start == "PublishedVersions"


def test_snapstart_is_judged_on_the_version_the_api_invokes(inventory):
    rule = rules_by_id()["java-sync-without-snapstart"]
    [finding] = [
        r for r in rule.evaluate(RegionContext.build(inventory), {}) if isinstance(r, Finding)
    ]
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["qualifier"] == "live" and finding.evidence["version"] == "1"
    assert "was published before" in finding.message


def test_a_public_statement_on_the_alias_policy_is_found(inventory):
    [fn] = inventory.functions
    assert fn.policy_statements == []
    rule = rules_by_id()["resource-policy-public"]
    [finding] = [
        r for r in rule.evaluate(RegionContext.build(inventory), {}) if isinstance(r, Finding)
    ]
    assert finding.evidence["qualifiers"] == ["live"]
    assert "--qualifier live" in finding.remediation.cli


def test_a_version_keeps_its_own_code_size(aws: str):
    state = Aws.connect(aws)
    lam = state.client("lambda")
    created = state.function("big")
    lam.publish_version(FunctionName="big")
    lam.create_alias(FunctionName="big", Name="live", FunctionVersion="1")
    # $LATEST then gets a larger package, unpublished
    grown = io.BytesIO()
    with zipfile.ZipFile(grown, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
        archive.writestr("data.bin", os.urandom(64 * 1024))
    lam.update_function_code(FunctionName="big", ZipFile=grown.getvalue())
    state.rest_api("big", f"{created['FunctionArn']}:live")
    inventory = collect_region(
        session=state.session,
        account_id=ACCOUNT,
        region=REGION,
        endpoint_url=state.endpoint,
        options=OPTIONS,
    )
    [fn] = inventory.functions
    version = fn.version("1")
    assert version is not None
    assert version.code_size == created["CodeSize"]
    assert fn.code_size > 64 * 1024 > version.code_size
