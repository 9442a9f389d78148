from django.contrib import admin

from accounts.models import AwsAccount, Membership, ReportRecipient, ScanSchedule, Workspace
from advisor.services.schedules import account_delete, periodic_task_sync


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class ScanScheduleInline(admin.StackedInline):
    model = ScanSchedule
    readonly_fields = ["last_skipped_at", "last_skip_reason"]


class ReportRecipientInline(admin.TabularInline):
    model = ReportRecipient
    extra = 0


@admin.register(AwsAccount)
class AwsAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "account_id", "workspace", "enabled"]
    list_filter = ["workspace", "enabled"]
    readonly_fields = ["external_id"]
    inlines = [ScanScheduleInline, ReportRecipientInline]

    # Changes made here go through the schedule service too, so beat stays in step.
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        periodic_task_sync(account=form.instance)

    def delete_model(self, request, obj) -> None:
        account_delete(account=obj)

    def delete_queryset(self, request, queryset) -> None:
        for account in queryset:
            account_delete(account=account)
