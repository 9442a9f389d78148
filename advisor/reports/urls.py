from django.urls import path

from advisor.reports import views

app_name = "reports"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("accounts/<int:pk>/preview/", views.preview, name="preview"),
]
