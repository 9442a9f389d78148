from django.contrib import admin

from advisor.models import Finding, Scan


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
