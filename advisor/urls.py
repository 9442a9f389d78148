from django.urls import path

from advisor import views

app_name = "advisor"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("accounts/<int:pk>/scan/", views.scan_now, name="scan-now"),
    path("scans/", views.scan_list, name="scan-list"),
    path("scans/<int:pk>/", views.scan_detail, name="scan-detail"),
    path(
        "accounts/<int:pk>/cost-opportunities/",
        views.cost_opportunities,
        name="cost-opportunities",
    ),
    path("fleet/", views.fleet, name="fleet"),
    path("functions/", views.function_list, name="function-list"),
    path("functions/<int:pk>/", views.function_detail, name="function-detail"),
    path("findings/", views.findings_export_or_list, name="finding-list"),
    path("findings/suppress/", views.findings_suppress, name="finding-suppress"),
    path("findings/unsuppress/", views.findings_unsuppress, name="finding-unsuppress"),
    path("planner/", views.planner, name="planner"),
    path("rules/", views.rule_list, name="rule-list"),
    path(
        "workspaces/<int:pk>/thresholds/",
        views.workspace_thresholds,
        name="rule-thresholds",
    ),
]
