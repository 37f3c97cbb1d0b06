from django.urls import path

from integrations import views
from integrations.pipedrive import connect_views, settings_views

app_name = "integrations"

urlpatterns = [
    path("settings/integrations/", views.index, name="index"),
    path("integrations/pipedrive/connect/", connect_views.connect, name="pipedrive_connect"),
    path("integrations/pipedrive/callback/", connect_views.callback, name="pipedrive_callback"),
    path("settings/integrations/pipedrive/<int:pk>/", settings_views.settings_page, name="pipedrive_settings"),
    path(
        "settings/integrations/pipedrive/<int:pk>/field-options/",
        settings_views.field_options,
        name="pipedrive_field_options",
    ),
    path("settings/integrations/pipedrive/<int:pk>/preview/", settings_views.preview, name="pipedrive_preview"),
    path(
        "settings/integrations/pipedrive/<int:pk>/create-field/",
        settings_views.create_field,
        name="pipedrive_create_field",
    ),
    path("settings/integrations/pipedrive/<int:pk>/sync-now/", settings_views.sync_now, name="pipedrive_sync_now"),
    path("settings/integrations/pipedrive/<int:pk>/runs/", settings_views.runs, name="pipedrive_runs"),
    path(
        "settings/integrations/pipedrive/<int:pk>/runs/<int:run_pk>/confirm-removals/",
        settings_views.confirm_removals,
        name="pipedrive_confirm_removals",
    ),
    path("settings/integrations/pipedrive/<int:pk>/disconnect/", connect_views.disconnect, name="pipedrive_disconnect"),
    path(
        "settings/integrations/pipedrive/<int:pk>/purge-progress/",
        connect_views.purge_progress,
        name="pipedrive_purge_progress",
    ),
]
