"""The functions list and one function's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import accounts_for
from advisor import charts
from advisor.collect.relations import ASYNC, QUEUE, STREAM, SYNC, RelationIndex
from advisor.merged_list import MergedOrderedList
from advisor.models import NO_VERDICT
from advisor.rules.reconcile import MEMORY, RESERVED, TIMEOUT, function_fix
from advisor.selectors import functions as selectors
from advisor.services.finding_summaries import summaries_refresh
from advisor.views import params
from advisor.views.decision import VERDICT_SHORT, card_context

PAGE_SIZE = 50

COLUMNS = [
    # (sort key, heading)
    ("name", "Function"),
    ("account", "Account"),
    ("region", "Region"),
    ("runtime", "Runtime"),
    ("memory", "Memory (MB)"),
    ("timeout", "Timeout (s)"),
    ("code_size", "Code size"),
    ("invocations", "Invocations"),
    ("errors", "Errors"),
    ("throttles", "Throttles"),
    ("p99", "p99 (ms)"),
    ("findings", "Open findings"),
]


TRIGGERS = {
    SYNC: "Synchronously (API, URL)",
    ASYNC: "Asynchronously (S3, SNS, EventBridge…)",
    STREAM: "From a stream",
    QUEUE: "From a queue",
}


@require_GET
def function_list(request: HttpRequest) -> HttpResponse:
    q = request.GET
    sort = params.choice(q, "sort", selectors.FUNCTION_SORTS, "name")
    filters = selectors.FunctionFilters(
        q=params.text(q, "q"),
        account=params.integer(q, "account"),
        region=params.text(q, "region"),
        runtime=params.text(q, "runtime"),
        architecture=params.text(q, "architecture"),
        has_findings=params.choice(q, "has_findings", ("yes", "no")),
        trigger=params.choice(q, "trigger", TRIGGERS),
        verdict=params.choice(q, "verdict", tuple(VERDICT_SHORT)),
        sort=sort,
        descending=params.text(q, "dir") == "desc",
    )
    scans = selectors.list_scans(request.user)
    if scans.stale:  # a newer scan, or a suppression expired since: counted again, once
        summaries_refresh(scans.stale)
    scan_ids = scans.scan_ids
    records = MergedOrderedList(
        selectors.functions_for(scan_ids, filters),
        partition="scan_id",
        values=scan_ids,
        keys_first=True,
    )
    page = Paginator(records, PAGE_SIZE).get_page(q.get("page"))
    page.object_list = selectors.attach_open_findings(list(page.object_list))
    # The verdict its scan stored ("" on scans older than that: ``manage.py analyse_scans``).
    for record in page.object_list:
        record.verdict = None if record.verdict in (NO_VERDICT, "") else record.verdict
        record.verdict_label = VERDICT_SHORT.get(record.verdict or "", "")
    columns = [
        {
            "key": key,
            "heading": heading,
            "active": key == sort,
            "next_dir": "asc" if key == sort and filters.descending else "desc",
            "aria_sort": (
                ("descending" if filters.descending else "ascending") if key == sort else None
            ),
        }
        for key, heading in COLUMNS
    ]
    return render(
        request,
        "advisor/function_list.html",
        {
            "page": page,
            "filters": filters,
            "facets": selectors.function_facets(scan_ids),
            "trigger_choices": list(TRIGGERS.items()),
            "verdict_choices": list(VERDICT_SHORT.items()),
            "accounts": list(accounts_for(request.user).select_related(None).only("pk", "name")),
            "columns": columns,
            "base_query": params.query_without(q, "page"),
            "sort_query": params.query_without(q, "page", "sort", "dir"),
        },
    )


@require_GET
def function_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.function_for(request.user, pk)
    fn = selectors.function_of(record)
    inventory = selectors.relations_inventory(record, fn)
    callers = RelationIndex.build(inventory).callers(fn)
    api_timeout_ms = max((api.timeout_ms for api in callers.api_integrations), default=None)
    queues = [
        {"mapping": mapping, "queue": inventory.queues.get(mapping.source_arn or "")}
        for mapping in callers.queue_mappings
    ]
    destinations = []
    if fn.async_config is not None:
        if fn.async_config.on_success:
            destinations.append(("On success", fn.async_config.on_success))
        if fn.async_config.on_failure:
            destinations.append(("On failure", fn.async_config.on_failure))
    if fn.dead_letter_target:
        destinations.append(("Dead-letter queue", fn.dead_letter_target))

    # The card its scan's analysis stored, beside the verdict and costs of its recommendation:
    # never worked out here (prices and thresholds may have changed since the scan). A record
    # stored before cards were has none until ``manage.py analyse_scans`` runs.
    stored = record.decision
    decision = card_context(stored) if stored and not stored.get("no_prices") else None
    no_prices = record.region if stored and stored.get("no_prices") else None

    findings = list(selectors.open_findings_of(record))
    # One value per setting when the function's own findings disagree (a timeout to lower
    # under API Gateway's limit and to raise for long invocations).
    fix = function_fix(
        function_name=fn.name,
        region=record.region,
        findings=[(f.rule_id, f.evidence, f.message) for f in findings if f.resource_arn == fn.arn],
        current={TIMEOUT: fn.timeout_s, MEMORY: fn.memory_mb, RESERVED: fn.reserved_concurrency},
    )
    figures = {
        "activity": charts.activity_chart(fn.metrics),
        "duration": charts.duration_chart(
            fn.metrics, timeout_s=fn.timeout_s, api_timeout_ms=api_timeout_ms
        ),
        "concurrency": charts.concurrency_chart(fn.metrics),
    }
    return render(
        request,
        "advisor/function_detail.html",
        {
            "record": record,
            "fn": fn,
            "newer": selectors.latest_record_of(record),
            "callers": callers,
            "queues": queues,
            "destinations": destinations,
            "api_timeout_ms": api_timeout_ms,
            "figures": figures,
            "daily": charts.daily_figures(fn.metrics),
            "findings": findings,
            "filed_elsewhere": sum(f.resource_arn != record.arn for f in findings),
            "fix": fix,
            "reconciled_rules": {p.rule_id for s in fix.reconciled for p in s.proposals},
            "decision": decision,
            "no_prices": no_prices,
            "no_card": stored is None,
        },
    )
