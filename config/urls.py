from django.contrib import admin
from django.urls import include, path

from advisor.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("auth/", include("django.contrib.auth.urls")),
    path("aws-accounts/", include("accounts.urls")),
    path("reports/", include("advisor.reports.urls")),
    path("", include("advisor.urls")),
]
