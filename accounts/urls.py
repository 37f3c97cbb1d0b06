from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("settings/users/", views.users, name="users"),
    path("settings/users/invite/", views.invite, name="invite"),
    path("settings/users/<int:pk>/role/", views.change_role, name="change_role"),
    path("settings/users/<int:pk>/remove/", views.remove_member, name="remove_member"),
    path("settings/invitations/<int:pk>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    path("settings/audit-log/", views.audit_log, name="audit_log"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("workspaces/switch/", views.switch, name="switch_tenant"),
    path("workspaces/new/", views.no_tenant, name="no_tenant"),
]
