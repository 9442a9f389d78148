from django.urls import path

from accounts import views

app_name = "accounts"

# The account's other pages (edit, delete, schedule, connection test) are advisor's
# (advisor/account_urls.py); config/urls.py serves both lists in this namespace.
urlpatterns = [
    path("", views.account_list, name="list"),
    path("connect/", views.account_connect, name="connect"),
    path("connect/start-over/", views.account_connect_restart, name="connect-restart"),
    path("<int:pk>/", views.account_detail, name="detail"),
]
