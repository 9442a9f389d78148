from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import urls as accounts_urls
from accounts.password_reset import QueuedPasswordResetView
from accounts.throttle import login_throttled, password_reset_throttled
from advisor import account_urls
from advisor.views import favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # The throttled views come before the routes they stand in for (same paths and names).
    path("admin/login/", login_throttled(admin.site.login)),
    path("admin/", admin.site.urls),
    path("auth/login/", login_throttled(auth_views.LoginView.as_view()), name="login"),
    path(
        "auth/password_reset/",
        password_reset_throttled(QueuedPasswordResetView.as_view()),
        name="password_reset",
    ),
    path("auth/", include("django.contrib.auth.urls")),
    # An account's pages: accounts serves the list, connect and detail pages; advisor those that
    # reach the scanner (edit, delete, schedule, connection test). One namespace for both.
    path(
        "aws-accounts/",
        include(
            (
                [*accounts_urls.urlpatterns, *account_urls.urlpatterns],
                accounts_urls.app_name,
            )
        ),
    ),
    path("reports/", include("advisor.reports.urls")),
    path("", include("accounts.team_urls")),
    path("", include("advisor.urls")),
]
