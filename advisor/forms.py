"""Forms of the dashboard: input is parsed, range-checked and cross-checked here, and each
error is shown beside its field."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from django import forms

from advisor.services.thresholds import Threshold, editable_thresholds


class ThresholdField(forms.Field):
    """A number as a person types it (" 1,000 ", "1_000"), within the option's range; whole
    where the default is whole. Blank means "use the default"."""

    def __init__(self, threshold: Threshold, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.threshold = threshold
        self.low, self.high = threshold.rule.bounds(threshold.name)

    def to_python(self, value: Any) -> int | float | None:
        raw = str(value or "").strip().replace(",", "").replace("_", "")
        if not raw:
            return None
        try:
            number = float(raw)
        except ValueError:
            raise forms.ValidationError(f"{raw!r} is not a number.", code="invalid") from None
        if not math.isfinite(number) or number < 0:
            raise forms.ValidationError("Enter zero or a positive number.", code="negative")
        if self.threshold.whole:
            if number != int(number):
                raise forms.ValidationError("Enter a whole number.", code="whole")
            return int(number)
        return number

    def validate(self, value: int | float | None) -> None:
        if value is not None and not self.low <= value <= self.high:
            raise forms.ValidationError(
                f"Enter a number from {_plain(self.low)} to {_plain(self.high)}.", code="range"
            )


class ThresholdsForm(forms.Form):
    """Every editable threshold of the catalogue, one field each, named ``rule-id.option``;
    options that must stay in order (a warning level below the high level) are cross-checked
    with their defaults filling any blank."""

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.thresholds = list(editable_thresholds())
        for threshold in self.thresholds:
            self.fields[threshold.key] = ThresholdField(threshold)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        rules = {t.rule.id: t.rule for t in self.thresholds}
        for rule in rules.values():
            for lower, higher in rule.option_order:
                low_key, high_key = f"{rule.id}.{lower}", f"{rule.id}.{higher}"
                if low_key in self.errors or high_key in self.errors:
                    continue
                low = _value(cleaned.get(low_key), rule.options[lower])
                high = _value(cleaned.get(high_key), rule.options[higher])
                if low >= high:
                    field = low_key if cleaned.get(low_key) is not None else high_key
                    self.add_error(
                        field,
                        f"{lower.replace('_', ' ').capitalize()} ({_plain(low)}) must be below "
                        f"{higher.replace('_', ' ')} ({_plain(high)}).",
                    )
        return cleaned

    def overrides(
        self, current: Mapping[str, Mapping[str, Any]] | None = None
    ) -> dict[str, dict[str, Any]]:
        """What differs from the defaults (blank or default values are not overrides); options
        the form does not show are kept from ``current``. Only for a valid form."""
        overrides: dict[str, dict[str, Any]] = {}
        shown = set()
        for threshold in self.thresholds:
            shown.add((threshold.rule.id, threshold.name))
            value = self.cleaned_data.get(threshold.key)
            if value is None or value == threshold.default:
                continue
            overrides.setdefault(threshold.rule.id, {})[threshold.name] = value
        for rule_id, options in (current or {}).items():
            for name, value in options.items():
                if (rule_id, name) not in shown:
                    overrides.setdefault(rule_id, {})[name] = value
        return overrides

    def error_by_field(self) -> dict[str, str]:
        return {key: " ".join(messages) for key, messages in self.errors.items()}


def _value(value: Any, default: Any) -> float:
    return default if value is None else value


def _plain(number: float) -> str:
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:g}"


class SuppressForm(forms.Form):
    """Suppress the checked findings: a reason, and optionally the day the suppression ends."""

    finding = forms.TypedMultipleChoiceField(coerce=int, required=False)
    reason = forms.CharField(max_length=500, required=False, strip=True)
    expires = forms.CharField(required=False, strip=True)  # YYYY-MM-DD, parsed below

    def __init__(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        # Any id may be submitted; which ones the user may suppress is checked by the view.
        submitted = data.getlist("finding") if hasattr(data, "getlist") else []
        self.fields["finding"].choices = [(v, v) for v in submitted if str(v).isdigit()]

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"]
        if not reason:
            raise forms.ValidationError("Say why these findings are suppressed.")
        return reason

    def clean_expires(self) -> dt.date | None:
        raw = self.cleaned_data["expires"]
        if not raw:
            return None
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise forms.ValidationError(f"{raw!r} is not a date (YYYY-MM-DD).") from None
        if day <= dt.date.today():
            raise forms.ValidationError("The expiry must be in the future.")
        return day

    def first_error(self) -> str:
        for field in ("finding", "reason", "expires"):
            if field in self.errors:
                return " ".join(self.errors[field])
        return " ".join(self.non_field_errors())
