"""The account pages served by advisor (``advisor.views.accounts``). config/urls.py joins them to
``accounts.urls`` under /aws-accounts/, in the one ``accounts`` namespace: the URLs and their
names are the account's, whichever app serves them."""

from django.urls import path

from advisor.views import accounts

urlpatterns = [
    path("<int:pk>/edit/", accounts.account_edit, name="edit"),
    path("<int:pk>/test-connection/", accounts.account_test_connection, name="test-connection"),
    path("<int:pk>/schedule/", accounts.account_schedule, name="schedule"),
    path("<int:pk>/delete/", accounts.account_delete, name="delete"),
]
