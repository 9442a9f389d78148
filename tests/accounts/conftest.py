import pytest

from tests.factories import make_user, make_workspace


@pytest.fixture
def owner(client):
    """A signed-in owner of a new workspace: (client, workspace, user)."""
    user = make_user()
    workspace = make_workspace(members={user: "owner"})
    client.force_login(user)
    return client, workspace, user
