from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("connect/", views.account_connect, name="connect"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/test-connection/", views.account_test_connection, name="test-connection"),
    path("<int:pk>/schedule/", views.account_schedule, name="schedule"),
    path("<int:pk>/delete/", views.account_delete, name="delete"),
]
