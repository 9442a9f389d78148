"""The account pages served by advisor (``advisor.views.accounts``). config/urls.py joins them to
``accounts.urls`` under /aws-accounts/, in the one ``accounts`` namespace: the URLs and their
names are the account's, whichever app serves them."""

from django.urls import path

from advisor.views import accounts, organizations

urlpatterns = [
    path("<int:pk>/edit/", accounts.account_edit, name="edit"),
    path("<int:pk>/test-connection/", accounts.account_test_connection, name="test-connection"),
    path("<int:pk>/schedule/", accounts.account_schedule, name="schedule"),
    path("<int:pk>/delete/", accounts.account_delete, name="delete"),
    # Organisations: connecting one reads it through its role, so advisor serves these too.
    path(
        "organizations/connect/",
        organizations.organization_connect,
        name="organization-connect",
    ),
    path(
        "organizations/<int:pk>/",
        organizations.organization_detail,
        name="organization-detail",
    ),
    path(
        "organizations/<int:pk>/sync/",
        organizations.organization_sync_now,
        name="organization-sync",
    ),
    path(
        "organizations/<int:pk>/edit/",
        organizations.organization_edit,
        name="organization-edit",
    ),
    path(
        "organizations/<int:pk>/schedule/",
        organizations.organization_schedule,
        name="organization-schedule",
    ),
    path(
        "organizations/<int:pk>/delete/",
        organizations.organization_delete,
        name="organization-delete",
    ),
]
