from django.urls import path

from accounts import team_views as views

app_name = "teams"

# A workspace's thresholds page is advisor's (/workspaces/<pk>/thresholds/, advisor/urls.py).
urlpatterns = [
    path("workspaces/", views.workspace_list, name="list"),
    path("workspaces/<int:pk>/members/", views.members, name="members"),
    path("workspaces/<int:pk>/members/invite/", views.member_invite, name="invite"),
    path("workspaces/<int:pk>/members/<int:member_pk>/role/", views.member_role, name="role"),
    path("workspaces/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="remove"),
    path("workspaces/<int:pk>/leave/", views.workspace_leave, name="leave"),
    path(
        "workspaces/<int:pk>/invitations/<int:invitation_pk>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "workspaces/<int:pk>/invitations/<int:invitation_pk>/cancel/",
        views.invitation_cancel,
        name="invitation-cancel",
    ),
    path("workspaces/<int:pk>/audit/", views.audit_log, name="audit"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
]
