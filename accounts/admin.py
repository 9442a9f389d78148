from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from accounts.models import AuditEvent, Invitation, Membership, Workspace
from accounts.teams import owner_ids_locked

# AwsAccount is registered by advisor/admin.py: its changes go through the schedule service.


class MembershipFormSet(BaseInlineFormSet):
    """The members page's rule holds here too: a workspace that has an owner keeps one. Its
    owners are locked for the admin's transaction, so a change on the members page at the same
    time cannot remove the other one."""

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None or any(form.errors for form in self.forms):
            return
        owners = owner_ids_locked(self.instance.pk)
        if not owners:
            return
        in_forms: set[int] = set()
        remaining = 0
        for form in self.forms:
            if form.instance.pk is not None:
                in_forms.add(form.instance.pk)
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.cleaned_data.get("role") == Membership.Role.OWNER:
                remaining += 1
        remaining += len(owners - in_forms)  # an owner added meanwhile, not on this page
        if not remaining:
            raise ValidationError(
                "A workspace keeps at least one owner: make another member an owner before "
                "removing or demoting the last one."
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made, sent and cancelled on the members page (its rules and
    audit log apply there)."""

    list_display = ["email", "workspace", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "workspace__name"]
    exclude = ["token_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: an audit log is only written by the changes it records."""

    list_display = ["created_at", "workspace", "actor_name", "action", "target"]
    list_filter = ["action"]
    search_fields = ["actor_name", "target", "workspace__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
