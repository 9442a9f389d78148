from django.contrib import admin

from accounts.models import AwsAccount, Membership, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(AwsAccount)
class AwsAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "account_id", "workspace", "enabled"]
    list_filter = ["workspace", "enabled"]
    readonly_fields = ["external_id"]
