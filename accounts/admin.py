from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from accounts.audit import Action, audit_record
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

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            audit_record(
                workspace=obj, actor=request.user, action=Action.WORKSPACE_CREATED, via="admin"
            )

    def save_formset(self, request, form, formset, change) -> None:
        """Who was added, re-roled or removed here goes into the workspace's audit log as the
        members page records it, in the admin's transaction."""
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        before = {
            f.instance.pk: (f.initial.get("user"), f.initial.get("role"))
            for f in formset.initial_forms
        }
        names = _usernames(
            [user for user, _ in before.values()]
            + [f.cleaned_data.get("user").pk for f in formset.forms if f.cleaned_data.get("user")]
        )
        # Deleting clears a membership's key: the removed are known by their forms beforehand.
        removed = [before[f.instance.pk] for f in formset.deleted_forms if f.instance.pk in before]
        formset.save()
        events = [
            (Action.MEMBER_REMOVED, names.get(user, ""), {"role": role}) for user, role in removed
        ]
        for membership, changed in formset.changed_objects:
            user, role = before[membership.pk]
            if "user" in changed:
                events.append((Action.MEMBER_REMOVED, names.get(user, ""), {"role": role}))
                events.append(
                    (Action.MEMBER_JOINED, names[membership.user_id], {"role": membership.role})
                )
            elif "role" in changed:
                events.append(
                    (
                        Action.ROLE_CHANGED,
                        names[membership.user_id],
                        {"before": role, "after": membership.role},
                    )
                )
        for membership in formset.new_objects:
            events.append(
                (Action.MEMBER_JOINED, names[membership.user_id], {"role": membership.role})
            )
        for action, target, details in events:
            audit_record(
                workspace=form.instance,
                actor=request.user,
                action=action,
                target=target,
                via="admin",
                **details,
            )
        return None


def _usernames(user_ids: list[int | None]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk is not None])
    return {user.pk: user.get_username() for user in users}


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
