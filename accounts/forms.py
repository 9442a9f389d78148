from __future__ import annotations

import re
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.core.validators import validate_email

from accounts.models import AwsAccount, Organization, ScanSchedule, Workspace
from accounts.regions import lambda_regions

ACCOUNT_ID = re.compile(r"^\d{12}$")
ROLE_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")


class ScanTargetFields(forms.Form):
    """What an account and an organisation both name: the regions to scan and, where the server
    allows it, an emulator's endpoint URL (``ADVISOR_ALLOW_ENDPOINT_URL``). One stored while the
    server allowed it stays on the form, so that it can be cleared; a new one is refused."""

    endpoint_url = forms.URLField(
        required=False,
        assume_scheme="http",
        label="Endpoint URL",
        help_text="An AWS emulator's URL (local and test setups only).",
    )
    regions = forms.MultipleChoiceField(
        choices=[], widget=forms.SelectMultiple(attrs={"size": 8}), help_text="The regions to scan."
    )
    saved_thing = "account"  # the refusal's "clear the field to save the ..."

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = [(r, r) for r in lambda_regions()]
        if not settings.ADVISOR_ALLOW_ENDPOINT_URL:
            if self.instance.endpoint_url:
                self.fields["endpoint_url"].help_text = (
                    f"This server sends requests only to AWS itself: clear this field to scan "
                    f"the {self.saved_thing} in AWS."
                )
            else:
                del self.fields["endpoint_url"]

    def clean_endpoint_url(self) -> str:
        return endpoint_url_permitted(self.cleaned_data["endpoint_url"], self.saved_thing)


def endpoint_url_permitted(value: str, saved_thing: str) -> str:
    """``value``, or the form error that this server accepts no endpoint URL: the account pages'
    rule, which the admin's account form keeps too."""
    if value and not settings.ADVISOR_ALLOW_ENDPOINT_URL:
        raise forms.ValidationError(
            "This server does not accept endpoint URLs (ADVISOR_ALLOW_ENDPOINT_URL is off): "
            f"clear the field to save the {saved_thing}."
        )
    return value


class AwsAccountForm(ScanTargetFields, forms.ModelForm):
    class Meta:
        model = AwsAccount
        fields = [
            "workspace",
            "name",
            "account_id",
            "role_arn",
            "regions",
            "enabled",
            "endpoint_url",
        ]
        labels = {"account_id": "AWS account id", "role_arn": "IAM role ARN"}
        help_texts = {
            "account_id": "12 digits.",
            "role_arn": "arn:aws:iam::<account id>:role/<name>, the role created from the "
            "template below.",
        }

    def __init__(self, *args, workspaces, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workspace"].queryset = workspaces
        if self.instance.pk:
            self.fields["workspace"].disabled = True

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_account_id(self) -> str:
        value = self.cleaned_data["account_id"].strip()
        if not ACCOUNT_ID.match(value):
            raise forms.ValidationError("An AWS account id is exactly 12 digits.")
        return value

    def clean_role_arn(self) -> str:
        value = self.cleaned_data["role_arn"].strip()
        if not ROLE_ARN.match(value):
            raise forms.ValidationError(
                "This is not an IAM role ARN (arn:aws:iam::123456789012:role/RoleName)."
            )
        return value

    def clean(self) -> dict:
        data = super().clean()
        arn, account_id = data.get("role_arn"), data.get("account_id")
        if arn and account_id:
            match = ROLE_ARN.match(arn)
            if match and match.group(1) != account_id:
                self.add_error(
                    "role_arn",
                    f"The role belongs to account {match.group(1)}, not {account_id}.",
                )
        workspace: Workspace | None = data.get("workspace")
        name = data.get("name")
        if workspace and name:
            clash = AwsAccount.objects.filter(workspace=workspace, name=name)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", "This workspace already has an account with this name.")
        if workspace and account_id:
            same = AwsAccount.objects.filter(workspace=workspace, account_id=account_id)
            if self.instance.pk:
                same = same.exclude(pk=self.instance.pk)
            existing = same.first()
            if existing is not None:
                self.add_error(
                    "account_id",
                    f"AWS account {account_id} is already connected to this workspace, as "
                    f"{existing.name}.",
                )
        return data


ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


class OrganizationForm(ScanTargetFields, forms.ModelForm):
    """Connecting an organisation: its reader role, the members' role name, their regions and
    the schedule every member gets."""

    saved_thing = "organisation"

    time_of_day = forms.TimeField(
        label="Time",
        initial="06:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Daily and weekly: the time of day. Hourly: only the minute counts.",
    )
    timezone = forms.ChoiceField(choices=[], label="Time zone", initial="UTC")

    class Meta:
        model = Organization
        fields = [
            "workspace",
            "name",
            "role_arn",
            "member_role_name",
            "regions",
            "frequency",
            "time_of_day",
            "day_of_week",
            "timezone",
            "endpoint_url",
        ]
        labels = {
            "role_arn": "Reader role ARN",
            "member_role_name": "Scan role name in member accounts",
            "frequency": "Scheduled scans of every member",
            "day_of_week": "Day",
        }
        help_texts = {
            "role_arn": "The role from the reader template below, in the management account or "
            "a delegated administrator: arn:aws:iam::<account id>:role/<name>.",
            "member_role_name": "The role the StackSet creates in each member account.",
            "day_of_week": "Weekly only.",
        }

    def __init__(self, *args, workspaces, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workspace"].queryset = workspaces
        self.fields["regions"].help_text = "The regions to scan in every member account."
        self.fields["timezone"].choices = [(tz, tz) for tz in sorted(available_timezones())]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_role_arn(self) -> str:
        value = self.cleaned_data["role_arn"].strip()
        if not ROLE_ARN.match(value):
            raise forms.ValidationError(
                "This is not an IAM role ARN (arn:aws:iam::123456789012:role/RoleName)."
            )
        return value

    def clean_member_role_name(self) -> str:
        value = self.cleaned_data["member_role_name"].strip()
        if not ROLE_NAME.match(value):
            raise forms.ValidationError(
                "An IAM role name: up to 64 letters, digits and +=,.@_- (no path)."
            )
        return value

    def clean(self) -> dict:
        data = super().clean()
        workspace: Workspace | None = data.get("workspace") or (
            self.instance.workspace if self.instance.pk else None
        )
        name = data.get("name")
        if workspace and name:
            clash = Organization.objects.filter(workspace=workspace, name=name)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", "This workspace already has an organisation with this name.")
        return data


class OrganizationEditForm(OrganizationForm):
    """What an organisation's managers change later: its name, reader role, the members' role
    name, regions and endpoint (the schedule has its own page)."""

    SCHEDULE_FIELDS = ("frequency", "time_of_day", "day_of_week", "timezone")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.SCHEDULE_FIELDS:
            del self.fields[name]
        self.fields["workspace"].disabled = True


class OrganizationScheduleForm(forms.Form):
    """The schedule every member of an organisation gets (and, with its recipients, an
    account's: ScheduleForm)."""

    frequency = forms.ChoiceField(choices=ScanSchedule.Frequency.choices, label="Scheduled scans")
    time_of_day = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Daily and weekly: the time of day. Hourly: only the minute counts.",
    )
    day_of_week = forms.TypedChoiceField(
        choices=ScanSchedule.Weekday.choices, coerce=int, label="Day", help_text="Weekly only."
    )
    timezone = forms.ChoiceField(choices=[], label="Time zone")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(tz, tz) for tz in sorted(available_timezones())]


RECIPIENT_SEPARATORS = re.compile(r"[\s,;]+")
MAX_RECIPIENTS = 50


class ScheduleForm(OrganizationScheduleForm):
    """An account's scan schedule and report recipients (the account page's second form): the
    schedule's fields are an organisation's, plus who receives the reports."""

    recipients = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Report recipients",
        help_text="Email addresses, one per line or separated by commas. Each receives the report "
        "of every scheduled scan and the weekly digest.",
    )

    @classmethod
    def for_account(cls, data, *, schedule: ScanSchedule, recipients: list[str]) -> ScheduleForm:
        return cls(
            data,
            initial={
                "frequency": schedule.frequency,
                "time_of_day": schedule.time_of_day,
                "day_of_week": schedule.day_of_week,
                "timezone": schedule.timezone,
                "recipients": "\n".join(recipients),
            },
        )

    def clean_recipients(self) -> list[str]:
        raw = self.cleaned_data.get("recipients", "")
        addresses = [a for a in RECIPIENT_SEPARATORS.split(raw) if a]
        invalid = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                invalid.append(address)
        if invalid:
            raise forms.ValidationError(
                "Not valid email addresses: " + ", ".join(invalid[:10]) + "."
            )
        unique = list(dict.fromkeys(a.lower() for a in addresses))
        if len(unique) > MAX_RECIPIENTS:
            raise forms.ValidationError(f"At most {MAX_RECIPIENTS} recipients per account.")
        return unique
