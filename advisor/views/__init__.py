"""The dashboard's views, one module per page family. Views stay thin: they parse the request,
call selectors and services, and render."""

from advisor.views.favicon import favicon
from advisor.views.findings import (
    findings_export_or_list,
    findings_suppress,
    findings_unsuppress,
)
from advisor.views.fleet import fleet
from advisor.views.functions import function_detail, function_list
from advisor.views.overview import cost_opportunities, overview
from advisor.views.planner import planner
from advisor.views.rules import rule_list
from advisor.views.scans import healthz, scan_detail, scan_list, scan_now
from advisor.views.thresholds import workspace_thresholds

__all__ = [
    "cost_opportunities",
    "favicon",
    "findings_export_or_list",
    "findings_suppress",
    "findings_unsuppress",
    "fleet",
    "function_detail",
    "function_list",
    "healthz",
    "overview",
    "planner",
    "rule_list",
    "scan_detail",
    "scan_list",
    "scan_now",
    "workspace_thresholds",
]
