from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.throttle import login_throttled, password_reset_throttled
from advisor.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The throttled views come before the routes they stand in for (same paths and names).
    path("admin/login/", login_throttled(admin.site.login)),
    path("admin/", admin.site.urls),
    path("auth/login/", login_throttled(auth_views.LoginView.as_view()), name="login"),
    path(
        "auth/password_reset/",
        password_reset_throttled(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("auth/", include("django.contrib.auth.urls")),
    path("aws-accounts/", include("accounts.urls")),
    path("reports/", include("advisor.reports.urls")),
    path("", include("advisor.urls")),
]
