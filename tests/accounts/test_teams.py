"""Workspaces and their members: create, invite by email, accept (new or existing user), change
roles, remove, leave. Every action against each role, and another workspace's member (404)."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, Membership, Workspace
from tests.factories import PASSWORD, make_user, make_workspace

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/invitations/[^/\s]+/")
SIGN_UP = {"password1": "a-Long-passw0rd!", "password2": "a-Long-passw0rd!"}


@pytest.fixture
def team():
    """A workspace with an owner, an admin and a viewer, and an outsider in another one."""
    owner = make_user("olivia", email="olivia@example.com")
    admin = make_user("adam", email="adam@example.com")
    viewer = make_user("vera", email="vera@example.com")
    outsider = make_user("otto", email="otto@example.com")
    workspace = make_workspace("Acme", members={owner: "owner", admin: "admin", viewer: "viewer"})
    elsewhere = make_workspace("Other", members={outsider: "owner"})
    return {
        "workspace": workspace,
        "elsewhere": elsewhere,
        "owner": owner,
        "admin": admin,
        "viewer": viewer,
        "outsider": outsider,
    }


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member(team, name) -> Membership:
    return Membership.objects.get(user=team[name], workspace=team["workspace"])


def url(name, team, *args):
    return reverse(f"teams:{name}", args=[team["workspace"].pk, *args])


def invite(client, team, email="new@example.com", role="viewer"):
    return client.post(url("invite", team), {"email": email, "role": role})


def link_from(message) -> str:
    return LINK.search(message.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


# -- workspaces ---------------------------------------------------------------------------------


def test_a_new_workspace_is_owned_by_its_creator(client):
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("teams:list"), {"name": "Platform team"})
    workspace = Workspace.objects.get(name="Platform team")
    assert response.status_code == 302
    assert response.url == reverse("teams:members", args=[workspace.pk])
    assert Membership.objects.get(workspace=workspace).role == "owner"
    assert workspace.slug == "platform-team"
    assert AuditEvent.objects.get(workspace=workspace).action == "workspace.created"


def test_workspace_names_may_repeat_and_get_their_own_slug(client):
    client.force_login(make_user())
    client.post(reverse("teams:list"), {"name": "Ops"})
    client.post(reverse("teams:list"), {"name": "Ops"})
    assert sorted(Workspace.objects.values_list("slug", flat=True)) == ["ops", "ops-2"]


def test_a_blank_name_is_refused_beside_the_field(client):
    client.force_login(make_user())
    response = client.post(reverse("teams:list"), {"name": "  "})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert 'id="id_name_error"' in response.content.decode()
    assert not Workspace.objects.exists()


def test_a_user_with_several_workspaces_reaches_each(team):
    make_workspace("Second", members={team["viewer"]: "owner"})
    client = as_user(team["viewer"])
    page = client.get(reverse("teams:list")).content.decode()
    for workspace in Workspace.objects.filter(memberships__user=team["viewer"]):
        assert reverse("teams:members", args=[workspace.pk]) in page
        assert reverse("teams:audit", args=[workspace.pk]) in page
        assert reverse("advisor:rule-thresholds", args=[workspace.pk]) in page
        assert client.get(reverse("teams:members", args=[workspace.pk])).status_code == 200
    assert reverse("teams:members", args=[team["elsewhere"].pk]) not in page
    # and the top navigation leads there from every page
    assert 'href="/workspaces/"' in client.get(reverse("advisor:overview")).content.decode()


# -- the members page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "admin", "viewer"])
def test_every_member_sees_the_members_and_pending_invitations(team, role):
    invite(as_user(team["owner"]), team, email="pending@example.com")
    page = as_user(team[role]).get(url("members", team)).content.decode()
    for name in ("olivia", "adam", "vera"):
        assert f'data-member="{name}"' in page
    assert 'data-email="pending@example.com"' in page
    assert "for 7 days" in page or role == "viewer"  # the invite form states the expiry
    assert ("Send invitation" in page) == (role != "viewer")


def test_another_workspaces_members_page_is_not_found(team):
    assert as_user(team["outsider"]).get(url("members", team)).status_code == 404


# -- inviting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "invited_role"),
    [("owner", "owner"), ("owner", "admin"), ("admin", "admin"), ("admin", "viewer")],
)
def test_owners_and_admins_invite_by_email(team, role, invited_role):
    response = invite(as_user(team[role]), team, role=invited_role)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new@example.com")
    assert invitation.role == invited_role
    assert invitation.invited_by == team[role]
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert "Acme" in message.subject
    assert link_from(message).startswith("http://127.0.0.1:8000/invitations/")
    assert "7 days" in message.body
    assert AuditEvent.objects.filter(action="member.invited", target="new@example.com").exists()


def test_admins_cannot_invite_owners_and_are_told_beside_the_field(team):
    response = invite(as_user(team["admin"]), team, role="owner")
    assert response.status_code == 400
    assert "role" in response.context["invite_form"].errors
    assert 'id="id_role_error"' in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_viewers_cannot_invite(team):
    assert invite(as_user(team["viewer"]), team).status_code == 403
    assert not Invitation.objects.exists()


def test_members_of_another_workspace_cannot_invite(team):
    assert invite(as_user(team["outsider"]), team).status_code == 404
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Enter a valid email address"),
        ("VERA@example.com", "already a member"),
    ],
)
def test_bad_invitations_are_refused_beside_the_field(team, email, message):
    response = invite(as_user(team["owner"]), team, email=email)
    assert response.status_code == 400
    assert message in " ".join(response.context["invite_form"].errors["email"])
    assert 'id="id_email_error"' in response.content.decode()


def test_a_second_invitation_to_the_same_address_is_refused(team):
    client = as_user(team["owner"])
    invite(client, team)
    response = invite(client, team, email="New@Example.com")
    assert response.status_code == 400
    assert "has an invitation already" in " ".join(response.context["invite_form"].errors["email"])
    assert Invitation.objects.count() == 1


def test_an_invitation_whose_email_failed_is_kept_and_can_be_sent_again(team, smtp_settings):
    smtp_settings.sink.refuse = True
    client = as_user(team["owner"])
    response = invite(client, team)
    invitation = Invitation.objects.get()
    assert "could not be sent" in " ".join(m.message for m in response.wsgi_request._messages)
    assert invitation.send_error.startswith("SMTP")
    page = client.get(url("members", team)).content.decode()
    assert "not sent" in page
    # when the relay is back
    smtp_settings.sink.refuse = False
    client.post(url("invitation-resend", team, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.send_error == ""
    [received] = smtp_settings.sink.wait_for(1)
    assert received.rcpt_tos == ["new@example.com"]


def test_the_invitation_goes_through_the_smtp_relay(team, smtp_settings):
    invite(as_user(team["owner"]), team)
    [received] = smtp_settings.sink.wait_for(1)
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    assert "/invitations/" in body
    assert received.message["Auto-Submitted"] == "auto-generated"


@pytest.mark.parametrize(("role", "status"), [("owner", 302), ("admin", 302), ("viewer", 403)])
def test_resend_and_cancel_by_role(team, role, status):
    invite(as_user(team["owner"]), team, role="admin")
    invitation = Invitation.objects.get()
    client = as_user(team[role])
    assert client.post(url("invitation-resend", team, invitation.pk)).status_code == status
    assert client.post(url("invitation-cancel", team, invitation.pk)).status_code == status
    invitation.refresh_from_db()
    assert (invitation.cancelled_at is not None) == (status == 302)


def test_admins_cannot_resend_or_cancel_an_invitation_to_be_owner(team):
    invite(as_user(team["owner"]), team, role="owner")
    invitation = Invitation.objects.get()
    client = as_user(team["admin"])
    assert client.post(url("invitation-resend", team, invitation.pk)).status_code == 403
    assert client.post(url("invitation-cancel", team, invitation.pk)).status_code == 403


def test_another_workspaces_invitation_is_not_found(team):
    invite(as_user(team["owner"]), team)
    invitation = Invitation.objects.get()
    client = as_user(team["outsider"])
    assert client.post(url("invitation-cancel", team, invitation.pk)).status_code == 404
    # nor through the outsider's own workspace's URL
    other = reverse("teams:invitation-cancel", args=[team["elsewhere"].pk, invitation.pk])
    assert client.post(other).status_code == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


# -- accepting ----------------------------------------------------------------------------------


def invitation_link(team, email="new@example.com", role="viewer") -> str:
    mail.outbox.clear()
    invite(as_user(team["owner"]), team, email=email, role=role)
    return path_of(link_from(mail.outbox[-1]))


def test_a_new_user_signs_up_on_the_link_and_joins_with_the_role(team, client):
    link = invitation_link(team, role="admin")
    page = client.get(link)
    assert page.status_code == 200
    assert "Create account and join" in page.content.decode()
    response = client.post(
        link,
        {"username": "newbie", **SIGN_UP},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newbie")
    assert user.email == "new@example.com"
    assert member_role(user, team) == "admin"
    assert client.get(url("members", team)).status_code == 200  # signed in
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user
    assert AuditEvent.objects.filter(action="member.joined", target="newbie").exists()


def member_role(user, team) -> str:
    return Membership.objects.get(user=user, workspace=team["workspace"]).role


def test_sign_up_errors_are_shown_beside_the_field_and_make_no_user(team, client):
    link = invitation_link(team)
    response = client.post(link, {"username": "vera", "password1": "x", "password2": "y"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "username" in errors and "password2" in errors
    assert 'id="id_username_error"' in response.content.decode()
    assert not get_user_model().objects.filter(email="new@example.com").exists()


def test_an_address_with_an_account_is_asked_to_log_in(team, client):
    link = invitation_link(team, email="vera2@example.com")
    make_user("vera2", email="vera2@example.com")
    response = client.post(
        link,
        {"username": "another", **SIGN_UP},
    )
    assert response.status_code == 400
    assert "log in with it" in " ".join(response.context["form"].non_field_errors())


def test_an_existing_user_logs_in_then_accepts(team, client):
    existing = make_user("erin", email="Erin@Example.com")
    link = invitation_link(team, email="erin@example.com", role="viewer")
    page = client.get(link).content.decode()
    assert f"{reverse('login')}?next=" in page
    # logging in comes back to the link
    response = client.post(
        reverse("login"), {"username": "erin", "password": PASSWORD, "next": link}
    )
    assert response.url == link
    assert "Accept and join Acme" in client.get(link).content.decode()
    assert client.post(link).status_code == 302
    assert member_role(existing, team) == "viewer"


def test_an_invitation_for_another_address_is_refused_clearly(team):
    link = invitation_link(team, email="someone@example.com")
    client = as_user(team["outsider"])
    page = client.get(link).content.decode()
    assert 'id="wrong-account"' in page
    assert "for someone@example.com, and you are signed in as otto (otto@example.com)" in page
    assert "Accept and join" not in page
    response = client.post(link)
    assert response.status_code == 403
    assert "Log out and open the link again" in response.content.decode()
    assert not Membership.objects.filter(user=team["outsider"], workspace=team["workspace"])
    assert Invitation.objects.get().accepted_at is None


def test_a_link_works_once(team, client):
    link = invitation_link(team)
    client.post(link, {"username": "newbie", **SIGN_UP})
    again = Client().get(link)
    assert again.status_code == 410
    assert "used already" in again.content.decode()


def test_an_expired_invitation_is_refused(team, client):
    link = invitation_link(team)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_the_signature_expires_with_the_setting(team, client, settings):
    link = invitation_link(team)
    settings.ADVISOR_INVITATION_DAYS = 0
    assert client.get(link).status_code == 410


def test_a_damaged_link_is_not_found(team, client):
    link = invitation_link(team)
    assert client.get(link[:-6] + "xyz/").status_code == 404


def test_sending_again_replaces_the_link(team, client):
    old = invitation_link(team)
    invitation = Invitation.objects.get()
    as_user(team["owner"]).post(url("invitation-resend", team, invitation.pk))
    new = path_of(link_from(mail.outbox[-1]))
    assert new != old
    assert "replaced by a newer invitation" in client.get(old).content.decode()
    assert client.get(new).status_code == 200


def test_a_cancelled_invitation_is_refused(team, client):
    link = invitation_link(team)
    as_user(team["owner"]).post(url("invitation-cancel", team, Invitation.objects.get().pk))
    response = client.get(link)
    assert response.status_code == 410
    assert "cancelled" in response.content.decode()


def test_only_a_hash_of_the_links_secret_is_stored(team):
    link = invitation_link(team)
    invitation = Invitation.objects.get()
    assert len(invitation.token_hash) == 64
    assert invitation.token_hash not in link


# -- roles --------------------------------------------------------------------------------------


def change_role(client, team, name, role):
    target = member(team, name)
    return client.post(url("role", team, target.pk), {f"m{target.pk}-role": role})


@pytest.mark.parametrize(
    ("actor", "target", "role", "status", "result"),
    [
        ("owner", "viewer", "admin", 302, "admin"),
        ("owner", "admin", "owner", 302, "owner"),
        ("owner", "admin", "viewer", 302, "viewer"),
        ("admin", "viewer", "admin", 302, "admin"),
        ("admin", "viewer", "owner", 400, "viewer"),  # admins cannot make owners
        ("admin", "owner", "viewer", 403, "owner"),  # nor change an owner
        ("viewer", "admin", "viewer", 403, "admin"),
        ("viewer", "viewer", "admin", 403, "viewer"),
    ],
)
def test_role_changes_by_role(team, actor, target, role, status, result):
    response = change_role(as_user(team[actor]), team, target, role)
    assert response.status_code == status
    assert member(team, target).role == result
    changed = AuditEvent.objects.filter(action="member.role_changed").exists()
    assert changed == (status == 302)


def test_the_last_owner_cannot_be_demoted_and_is_told_beside_the_field(team):
    response = change_role(as_user(team["owner"]), team, "owner", "admin")
    assert response.status_code == 400
    target = member(team, "owner")
    assert target.role == "owner"
    assert "only owner" in response.content.decode()
    assert f'id="id_m{target.pk}-role_error"' in response.content.decode()


def test_an_owner_may_step_down_once_there_is_another(team):
    client = as_user(team["owner"])
    change_role(client, team, "admin", "owner")
    assert change_role(client, team, "owner", "viewer").status_code == 302
    assert member(team, "owner").role == "viewer"


def test_another_workspaces_member_is_not_found(team):
    theirs = Membership.objects.get(user=team["outsider"])
    client = as_user(team["owner"])
    response = client.post(url("role", team, theirs.pk), {f"m{theirs.pk}-role": "viewer"})
    assert response.status_code == 404
    assert client.post(url("remove", team, theirs.pk)).status_code == 404
    # and the outsider cannot touch this workspace's members
    outsider = as_user(team["outsider"])
    assert change_role(outsider, team, "viewer", "admin").status_code == 404
    assert outsider.post(url("remove", team, member(team, "viewer").pk)).status_code == 404
    assert Membership.objects.filter(user=team["outsider"]).get().role == "owner"


# -- removing and leaving -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "target", "status", "removed"),
    [
        ("owner", "admin", 302, True),
        ("owner", "viewer", 302, True),
        ("admin", "viewer", 302, True),
        ("admin", "owner", 403, False),  # admins cannot remove owners
        ("viewer", "admin", 403, False),
        ("viewer", "viewer", 403, False),  # viewers leave instead
    ],
)
def test_removal_by_role(team, actor, target, status, removed):
    target_membership = member(team, target)
    response = as_user(team[actor]).post(url("remove", team, target_membership.pk))
    assert response.status_code == status
    assert (not Membership.objects.filter(pk=target_membership.pk).exists()) == removed
    assert AuditEvent.objects.filter(action="member.removed").exists() == removed


def test_the_last_owner_cannot_be_removed(team):
    client = as_user(team["owner"])
    response = client.post(url("remove", team, member(team, "owner").pk), follow=True)
    assert "only owner" in response.content.decode()
    assert member(team, "owner").role == "owner"


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_members_may_leave(team, role):
    response = as_user(team[role]).post(url("leave", team))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=team[role], workspace=team["workspace"]).exists()
    assert AuditEvent.objects.get(action="member.left").actor == team[role]


def test_the_last_owner_cannot_leave(team):
    response = as_user(team["owner"]).post(url("leave", team), follow=True)
    assert "only owner and cannot leave" in response.content.decode()
    assert member(team, "owner")


def test_an_owner_leaves_when_another_owner_stays(team):
    client = as_user(team["owner"])
    change_role(client, team, "admin", "owner")
    assert client.post(url("leave", team)).status_code == 302
    assert Membership.objects.filter(workspace=team["workspace"], role="owner").count() == 1


def test_leaving_another_workspace_is_not_found(team):
    assert as_user(team["outsider"]).post(url("leave", team)).status_code == 404


def test_a_member_who_accepts_again_keeps_their_role(team):
    # given an invitation to an address that joined meanwhile by another invitation
    link = invitation_link(team, email="val@example.com")
    val = make_user("val", email="val@example.com")
    Membership.objects.create(user=val, workspace=team["workspace"], role="admin")
    # when it is accepted
    assert as_user(val).post(link).status_code == 302
    # then the membership is unchanged, and the link is used up
    assert member_role(val, team) == "admin"
    assert Invitation.objects.get().accepted_by == val


def test_invitations_and_the_audit_log_are_read_only_in_the_admin(team, client):
    staff = make_user("root", is_staff=True, is_superuser=True)
    invite(as_user(team["owner"]), team)
    client.force_login(staff)
    invitation = Invitation.objects.get()
    event = AuditEvent.objects.get()
    assert client.get("/admin/accounts/invitation/").status_code == 200
    page = client.get(f"/admin/accounts/invitation/{invitation.pk}/change/").content.decode()
    assert invitation.token_hash not in page
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    response = client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def admin_membership_post(workspace: Workspace, rows: list[dict]) -> dict:
    """The Django admin's change form of a workspace with these membership rows, as posted."""
    data = {
        "name": workspace.name,
        "slug": workspace.slug,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        membership = row["membership"]
        data[f"memberships-{i}-id"] = str(membership.pk)
        data[f"memberships-{i}-workspace"] = str(workspace.pk)
        data[f"memberships-{i}-user"] = str(membership.user_id)
        data[f"memberships-{i}-role"] = row.get("role", membership.role)
        if row.get("delete"):
            data[f"memberships-{i}-DELETE"] = "on"
    return data


@pytest.mark.parametrize("change", [{"role": "admin"}, {"delete": True}], ids=["demote", "remove"])
def test_the_admin_cannot_demote_or_remove_a_workspaces_last_owner(client, change):
    # given a workspace of one owner and one viewer
    owner, viewer = make_user("olive"), make_user("vic")
    workspace = make_workspace(members={owner: "owner", viewer: "viewer"})
    memberships = {m.user_id: m for m in Membership.objects.filter(workspace=workspace)}
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = f"/admin/accounts/workspace/{workspace.pk}/change/"
    # when the owner is demoted or removed in the admin's membership inline
    rows = [{"membership": memberships[owner.pk], **change}, {"membership": memberships[viewer.pk]}]
    response = client.post(url, admin_membership_post(workspace, rows))
    # then the form is shown again with the reason, and nothing changed
    assert response.status_code == 200
    assert "A workspace keeps at least one owner" in response.content.decode()
    assert Membership.objects.get(user=owner, workspace=workspace).role == "owner"
    # but with the viewer made owner in the same change, it is saved
    rows[1]["role"] = "owner"
    response = client.post(url, admin_membership_post(workspace, rows))
    assert response.status_code == 302
    assert list(
        Membership.objects.filter(workspace=workspace, role="owner").values_list("user", flat=True)
    ) == [viewer.pk]
