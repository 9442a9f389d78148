"""The team pages' forms: a new workspace, an invitation, a member's role, and the sign-up form on
an invitation's page (the address is the invited one, not typed)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from accounts.models import Invitation, Membership, Workspace
from accounts.teams import assignable_roles


def _role_choices(actor_role: str) -> list[tuple[str, str]]:
    allowed = assignable_roles(actor_role)
    return [(value, label) for value, label in Membership.Role.choices if value in allowed]


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=100, label="Workspace name")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the workspace a name.")
        return name


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, workspace: Workspace, actor_role: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["role"].choices = _role_choices(actor_role)
        self.fields["role"].initial = Membership.Role.VIEWER
        self.fields["role"].help_text = (
            "Owners manage everything, members included; admins manage accounts, thresholds, "
            "suppressions and admins and viewers; viewers read."
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(workspace=self.workspace, user__email__iexact=email).exists():
            raise forms.ValidationError(f"{email} is already a member of this workspace.")
        if Invitation.objects.filter(
            workspace=self.workspace,
            email__iexact=email,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
        ).exists():
            raise forms.ValidationError(
                f"{email} has an invitation already: send it again from the list of pending "
                "invitations (or cancel it first)."
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, actor_role: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(actor_role)


class InvitedSignUpForm(UserCreationForm):
    """A new account for the invited address: username and password (Django's validators)."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        data = super().clean()
        if get_user_model().objects.filter(email__iexact=self.email).exists():
            raise forms.ValidationError(
                f"An account with the address {self.email} exists already: log in with it to "
                "accept the invitation."
            )
        return data

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        user.email = self.email
        if commit:
            user.save()
        return user
