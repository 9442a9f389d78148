from django.contrib import admin

from accounts.models import Membership, Workspace

# AwsAccount is registered by advisor/admin.py: its changes go through the schedule service.


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
