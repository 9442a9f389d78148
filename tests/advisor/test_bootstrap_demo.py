import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import AwsAccount, Workspace


@pytest.mark.django_db
@override_settings(ADVISOR_PRODUCTION=True)
def test_bootstrap_demo_under_production_settings_creates_nothing():
    with pytest.raises(CommandError, match="does not run under production settings"):
        call_command("bootstrap_demo", endpoint_url="http://127.0.0.1:9")
    assert not get_user_model().objects.exists()
    assert not Workspace.objects.exists()
    assert not AwsAccount.objects.exists()
