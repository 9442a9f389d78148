"""A workspace's rule thresholds: parsed from the form, saved by owners and admins, read by
viewers, 404 for anyone else, and used by the next scan."""

import pytest
from django.urls import reverse

from advisor.forms import ThresholdsForm
from advisor.models import Finding
from advisor.services.scan_run import run_scan_inline
from advisor.services.scans import scan_create
from advisor.services.thresholds import editable_thresholds
from tests.factories import make_account, make_user, make_workspace
from tests.fixtures.aws_state import create_function, reader_role

# --------------------------------------------------------------------------- the form


def parse_thresholds(data, current=None):
    """(overrides, errors by field) as the page gets them from the form."""
    form = ThresholdsForm(data)
    if not form.is_valid():
        return {}, form.error_by_field()
    return form.overrides(current), {}


def test_blank_fields_and_defaults_are_not_overrides():
    overrides, errors = parse_thresholds(
        {"deprecated-runtime.warn_days": "", "timeouts-observed.near_timeout_share": "0.9"}
    )
    assert (overrides, errors) == ({}, {})


def test_numbers_are_read_as_a_person_types_them():
    overrides, errors = parse_thresholds(
        {
            "deprecated-runtime.warn_days": " 365 ",
            "consider-containers.min_monthly_saving_usd": "1,000",
            "timeouts-observed.near_timeout_share": "0.75",
            "deprecated-runtime.today": "2030-01-01",  # not a threshold: never read from a form
        }
    )
    assert errors == {}
    assert overrides == {
        "deprecated-runtime": {"warn_days": 365},
        "consider-containers": {"min_monthly_saving_usd": 1000.0},
        "timeouts-observed": {"near_timeout_share": 0.75},
    }
    assert isinstance(overrides["deprecated-runtime"]["warn_days"], int)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "'soon' is not a number."),
        ("-1", "Enter zero or a positive number."),
        ("nan", "Enter zero or a positive number."),
        ("inf", "Enter zero or a positive number."),
        ("90.5", "Enter a whole number."),
    ],
)
def test_bad_values_are_named_by_field(value, message):
    overrides, errors = parse_thresholds({"deprecated-runtime.warn_days": value})
    assert errors == {"deprecated-runtime.warn_days": message}
    assert overrides == {}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"account-code-storage-high.near_share": "7"},
            "account-code-storage-high.near_share",
            "Enter a number from 0 to 1.",
        ),
        (
            {"deprecated-runtime.warn_days": "99999999999999999999999"},
            "deprecated-runtime.warn_days",
            "Enter a number from 0 to 3,650.",
        ),
        (
            {"sqs-source-without-dlq.min_max_receive_count": "0"},
            "sqs-source-without-dlq.min_max_receive_count",
            "Enter a number from 1 to 1,000.",
        ),
    ],
)
def test_values_outside_an_options_range_are_refused_beside_the_field(data, field, message):
    overrides, errors = parse_thresholds(data)
    assert errors == {field: message}
    assert overrides == {}


def test_a_near_share_above_the_high_share_is_refused_beside_the_field():
    # given the high share left at its default (0.95) and a near share above it
    overrides, errors = parse_thresholds({"account-code-storage-high.near_share": "0.97"})
    assert errors == {
        "account-code-storage-high.near_share": "Near share (0.97) must be below high share (0.95)."
    }
    # and both typed, the wrong way round
    _, errors = parse_thresholds(
        {
            "account-code-storage-high.near_share": "0.9",
            "account-code-storage-high.high_share": "0.5",
        }
    )
    assert list(errors) == ["account-code-storage-high.near_share"]
    # the right way round is saved
    overrides, errors = parse_thresholds(
        {
            "account-code-storage-high.near_share": "0.5",
            "account-code-storage-high.high_share": "0.6",
        }
    )
    assert errors == {}
    assert overrides == {"account-code-storage-high": {"near_share": 0.5, "high_share": 0.6}}


def test_the_catalogue_refuses_what_the_form_refuses():
    from advisor.rules.registry import rule_option_errors

    assert rule_option_errors({"account-code-storage-high": {"near_share": 7}})
    assert rule_option_errors({"account-code-storage-high": {"near_share": 0.97}})
    assert rule_option_errors({"account-code-storage-high": {"near_share": 0.5}}) == []


def test_every_default_lies_within_its_range_and_order():
    for threshold in editable_thresholds():
        low, high = threshold.rule.bounds(threshold.name)
        assert low <= threshold.default <= high, threshold.key
        for lower, higher in threshold.rule.option_order:
            assert threshold.rule.options[lower] < threshold.rule.options[higher]


def test_options_the_form_does_not_show_are_kept():
    current = {"deprecated-runtime": {"today": "2026-01-01", "warn_days": 90}}
    overrides, _ = parse_thresholds({"deprecated-runtime.warn_days": ""}, current)
    assert overrides == {"deprecated-runtime": {"today": "2026-01-01"}}


def test_every_numeric_option_of_the_catalogue_is_editable():
    keys = {t.key for t in editable_thresholds()}
    assert "sqs-visibility-timeout-too-short.timeout_multiplier" in keys
    assert "deprecated-runtime.today" not in keys
    assert len(keys) >= 30


# --------------------------------------------------------------------------- the page


def url_of(workspace):
    return reverse("advisor:rule-thresholds", args=[workspace.pk])


def test_owner_saves_thresholds_and_sees_them_again(client, world):
    workspace = world["my_account"].workspace
    client.force_login(world["alice"])
    response = client.post(
        url_of(workspace),
        {"deprecated-runtime.warn_days": "365", "function-throttled.min_throttles": "1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url_of(workspace)
    workspace.refresh_from_db()
    assert workspace.rule_options == {"deprecated-runtime": {"warn_days": 365}}
    body = response.content.decode()
    assert "Saved: 1 threshold differs from the defaults." in body
    assert 'name="deprecated-runtime.warn_days" value="365" placeholder="180"' in body
    # and the Rules page says where this workspace draws the line
    rules = client.get("/rules/").content.decode()
    assert f"{workspace.name}: <strong>365</strong>" in rules


def test_a_bad_field_saves_nothing_and_keeps_what_was_typed(client, world):
    workspace = world["my_account"].workspace
    workspace.rule_options = {"deprecated-runtime": {"warn_days": 90}}
    workspace.save()
    client.force_login(world["alice"])
    response = client.post(
        url_of(workspace),
        {"deprecated-runtime.warn_days": "30", "timeouts-observed.near_timeout_share": "most"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert "&#x27;most&#x27; is not a number." in body
    assert 'value="most"' in body and 'value="30"' in body
    assert 'aria-invalid="true"' in body
    workspace.refresh_from_db()
    assert workspace.rule_options == {"deprecated-runtime": {"warn_days": 90}}


def test_viewer_reads_but_cannot_change(client, world):
    workspace = world["my_account"].workspace
    client.force_login(world["vera"])
    body = client.get(url_of(workspace)).content.decode()
    assert "owners and admins of" in body and "Save thresholds" not in body
    assert 'name="deprecated-runtime.warn_days" value="" placeholder="180"' in body
    response = client.post(url_of(workspace), {"deprecated-runtime.warn_days": "1"})
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.rule_options == {}


def test_another_workspace_is_not_found_and_anonymous_users_log_in(client, world):
    theirs = world["their_account"].workspace
    client.force_login(world["alice"])
    assert client.get(url_of(theirs)).status_code == 404
    assert client.post(url_of(theirs), {"deprecated-runtime.warn_days": "1"}).status_code == 404
    client.logout()
    response = client.get(url_of(theirs))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_thresholds_saved_on_the_page_change_the_next_scan(client, aws, db):
    # given an account on the emulator with a runtime deprecated in about seven months
    owner = make_user("tess")
    workspace = make_workspace(members={owner: "owner"})
    # Judged as of a fixed day (python3.11 is deprecated on 2027-06-30, 217 days later); the
    # page keeps this option, which it does not show.
    workspace.rule_options = {"deprecated-runtime": {"today": "2026-11-25"}}
    workspace.save()
    account = make_account(workspace, endpoint_url=aws, account_id="565656565656")
    account.role_arn, session = reader_role(
        aws, account_id=account.account_id, external_id=account.external_id
    )
    account.save()
    create_function(session, aws, name="soon-old", runtime="python3.11")
    run_scan_inline(scan_create(account=account))
    assert not Finding.objects.filter(account=account, rule_id="deprecated-runtime").exists()
    # when the owner widens the warning window on the page
    client.force_login(owner)
    client.post(url_of(workspace), {"deprecated-runtime.warn_days": "3650"})
    run_scan_inline(scan_create(account=account))
    # then the next scan warns
    finding = Finding.objects.get(account=account, rule_id="deprecated-runtime")
    assert finding.evidence["warn_days"] == 3650
    workspace.refresh_from_db()
    assert workspace.rule_options == {
        "deprecated-runtime": {"warn_days": 3650, "today": "2026-11-25"}
    }
