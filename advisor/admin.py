from django import forms
from django.contrib import admin

from accounts.audit import Action, audit_record
from accounts.forms import endpoint_url_permitted
from accounts.models import AwsAccount, ReportRecipient, ScanSchedule
from advisor.models import Finding, ReportDelivery, Scan
from advisor.services.schedules import account_delete, periodic_task_sync


class ScanScheduleInline(admin.StackedInline):
    model = ScanSchedule
    readonly_fields = ["last_skipped_at", "last_skip_reason"]


class ReportRecipientInline(admin.TabularInline):
    model = ReportRecipient
    extra = 0


class AwsAccountAdminForm(forms.ModelForm):
    """The admin's account form keeps the account pages' rule: no endpoint URL unless the server
    allows one (``ADVISOR_ALLOW_ENDPOINT_URL``)."""

    # As on the account's own pages (accounts/forms.py): an endpoint URL is an emulator on
    # loopback, which speaks plain HTTP, so "127.0.0.1:5055" means http://. Saying so also ends
    # Django 5.x's warning that the default scheme becomes https in 6.0.
    endpoint_url = forms.URLField(
        required=False,
        assume_scheme="http",
        label="Endpoint URL",
        help_text=AwsAccount._meta.get_field("endpoint_url").help_text,
    )

    class Meta:
        model = AwsAccount
        fields = "__all__"  # noqa: DJ007 - the admin picks the fields it shows (get_fields)

    def clean_endpoint_url(self) -> str:
        return endpoint_url_permitted(self.cleaned_data["endpoint_url"], "account")


# Registered here rather than in accounts/admin.py: an account's schedule is this app's, and
# every change made here goes through the schedule service too, so beat stays in step.
@admin.register(AwsAccount)
class AwsAccountAdmin(admin.ModelAdmin):
    form = AwsAccountAdminForm
    list_display = ["name", "account_id", "workspace", "enabled"]
    list_filter = ["workspace", "enabled"]
    readonly_fields = ["external_id"]
    inlines = [ScanScheduleInline, ReportRecipientInline]

    def save_model(self, request, obj, form, change) -> None:
        # In the admin's transaction, as the account pages record theirs in their own.
        super().save_model(request, obj, form, change)
        if change and not form.changed_data:
            return
        audit_record(
            workspace=obj.workspace_id,
            actor=request.user,
            action=Action.ACCOUNT_EDITED if change else Action.ACCOUNT_CONNECTED,
            target=obj.name,
            via="admin",
            **({"changed": ", ".join(form.changed_data)} if change else {}),
        )

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        periodic_task_sync(account=form.instance)

    def delete_model(self, request, obj) -> None:
        account_delete(account=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for account in queryset:
            account_delete(account=account, actor=request.user)


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
