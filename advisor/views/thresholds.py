"""A workspace's rule thresholds: owners and admins change them, everyone in it reads them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.selectors import membership_for, workspaces_for
from advisor.forms import ThresholdsForm
from advisor.services.thresholds import (
    ThresholdError,
    editable_thresholds,
    workspace_thresholds_save,
)


@require_http_methods(["GET", "POST"])
def workspace_thresholds(request: HttpRequest, pk: int) -> HttpResponse:
    workspace = get_object_or_404(workspaces_for(request.user), pk=pk)
    can_manage = membership_for(request.user, workspace).can_manage
    current = workspace.rule_options or {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Viewers cannot change thresholds.")
        form = ThresholdsForm(request.POST)
        errors = {} if form.is_valid() else form.error_by_field()
        if not errors:
            overrides = form.overrides(current)
            try:
                workspace_thresholds_save(workspace, overrides, actor=request.user)
            except ThresholdError as error:
                messages.error(request, str(error))
            else:
                changed = _overridden(overrides)
                messages.success(
                    request,
                    f"Saved: {changed} threshold{'s' if changed != 1 else ''} "
                    f"differ{'s' if changed == 1 else ''} from the defaults. The next scan of "
                    "this workspace's accounts uses them.",
                )
                return redirect("advisor:rule-thresholds", pk=workspace.pk)
        values = {key: request.POST.get(key, "") for key in request.POST}
    else:
        values = {
            f"{rule_id}.{name}": _plain(value)
            for rule_id, options in current.items()
            for name, value in options.items()
        }
    groups: dict[str, dict] = {}
    for threshold in editable_thresholds():
        group = groups.setdefault(threshold.rule.id, {"rule": threshold.rule, "fields": []})
        group["fields"].append(
            {
                "threshold": threshold,
                "id": "th-" + threshold.key.replace(".", "-"),
                "value": values.get(threshold.key, ""),
                "error": errors.get(threshold.key),
                "default": _plain(threshold.default),
                "range": [_plain(v) for v in threshold.rule.bounds(threshold.name)],
            }
        )
    if errors:
        messages.error(request, "Nothing was saved: correct the fields marked below.")
    return render(
        request,
        "advisor/thresholds.html",
        {
            "workspace": workspace,
            "groups": list(groups.values()),
            "can_manage": can_manage,
            "changed": _overridden(current),
        },
    )


def _overridden(options: dict[str, dict]) -> int:
    return sum(len(values) for values in options.values())


def _plain(value) -> str:
    """1.0 -> "1", 0.25 -> "0.25": numbers as a person would type them."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
