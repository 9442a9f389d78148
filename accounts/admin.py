from django.contrib import admin

from accounts.models import AuditEvent, Invitation, Membership, Workspace

# AwsAccount is registered by advisor/admin.py: its changes go through the schedule service.


class MembershipInline(admin.TabularInline):
    model = Membership
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
