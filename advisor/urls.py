from django.urls import path

from advisor import views

app_name = "advisor"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("accounts/<int:pk>/scan/", views.scan_now, name="scan-now"),
    path("scans/<int:pk>/", views.scan_detail, name="scan-detail"),
]
