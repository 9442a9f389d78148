from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import (
    DATA_FUNCTION_URLS,
    DATA_FUNCTIONS,
    DATA_POLICIES,
    DATA_QUALIFIERS,
)
from advisor.rules.base import Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.support import gap_reason, lambda_cli, not_evaluated, resource_gap, sam_function

RULE = Rule(
    id="function-url-public",
    title="Function URL without authentication (auth type NONE)",
    pillar=Pillar.SECURITY,
    severity=Severity.HIGH,
    rationale=(
        "A function URL with auth type NONE can be called by anyone on the internet who knows "
        "or guesses the URL: every request runs the function and is billed to the account, and "
        "the function must do all authentication itself. AWS_IAM requires SigV4-signed "
        "requests from allowed principals. If the endpoint is meant to be public (a webhook), "
        "suppress the finding with that reason and make sure the code verifies callers. An "
        "alias's URL is a URL of its own, judged the same way."
    ),
    sources=(
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_FUNCTION_URLS, DATA_QUALIFIERS),
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    for fn in inventory.functions:
        # The function's own URL and those of its aliases in use: each alias has its own.
        urls = [(None, fn.function_url)] if fn.function_url is not None else []
        urls += [(q.name, q.function_url) for q in fn.qualifiers if q.function_url is not None]
        if not urls:
            # The URL is read when the policy grants one: an unreadable policy hides it too.
            gap = resource_gap(inventory, DATA_FUNCTION_URLS, fn.arn) or resource_gap(
                inventory, DATA_POLICIES, fn.arn
            )
            if gap is not None:
                yield not_evaluated(RULE, inventory, fn.arn, gap_reason(gap))
            continue
        public = [(name, url) for name, url in urls if url.auth_type == "NONE"]
        if not public:
            continue
        qualifier, url = public[0]
        who = fn.name if qualifier is None else f"{fn.name}:{qualifier}"
        args = ([f"--qualifier {qualifier}"] if qualifier else []) + ["--auth-type AWS_IAM"]
        evidence: dict[str, Any] = {"url": url.url, "auth_type": url.auth_type, "cors": url.cors}
        if len(urls) > 1 or qualifier is not None:
            evidence["qualifier"] = qualifier
            evidence["public_urls"] = [{"qualifier": q, "url": u.url} for q, u in public]
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{who} has a public function URL ({url.url}) with auth type NONE: anyone "
                "can invoke it, and every call is billed to this account."
            ),
            evidence=evidence,
            remediation=Remediation(
                cli=lambda_cli(inventory, "update-function-url-config", fn, *args),
                iac=sam_function(fn, {"FunctionUrlConfig": {"AuthType": "AWS_IAM"}}),
            ),
        )
