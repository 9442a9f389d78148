import pytest
from django.core.exceptions import ValidationError

from accounts.models import Workspace


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"no-such-rule": {}}, "Unknown rule 'no-such-rule'"),
        ({"deprecated-runtime": {"warn_dayz": 10}}, "unknown option 'warn_dayz'"),
        ({"deprecated-runtime": {"warn_days": "soon"}}, "expected a number"),
        ({"deprecated-runtime": 5}, "options must be an object"),
    ],
)
def test_bad_rule_options_are_refused_with_the_reason(options, message):
    workspace = Workspace(name="Acme", slug="acme", rule_options=options)
    with pytest.raises(ValidationError) as error:
        workspace.clean()
    assert message in str(error.value)


def test_valid_rule_options_pass():
    Workspace(
        name="Acme", slug="acme", rule_options={"deprecated-runtime": {"warn_days": 90}}
    ).clean()
