from django.contrib import admin

from advisor.models import Finding, ReportDelivery, Scan


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ["pk", "account", "status", "trigger", "created_at", "finished_at"]
    list_filter = ["status", "trigger"]
    readonly_fields = ["api_calls", "coverage_gaps", "not_evaluated"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["rule_id", "resource_arn", "account", "severity", "status", "last_seen_at"]
    list_filter = ["status", "severity", "pillar", "rule_id"]
    search_fields = ["resource_arn", "message"]


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    """Read-only: a delivery is the record that an email went (or did not)."""

    list_display = ["pk", "kind", "email", "account", "scan", "period", "status", "attempts"]
    list_filter = ["kind", "status"]
    search_fields = ["email", "subject"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
