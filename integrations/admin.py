"""Django admin for Staircase staff. Crosses tenants on purpose; secrets are never shown."""

from django.contrib import admin

from accounts.admin import UnscopedAdmin
from integrations.models import Connection, SyncConfig, SyncRun


class NoAddOrDelete:
    """Rows the app creates and removes itself (connect, disconnect, sync); staff only adjust them."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Connection)
class ConnectionAdmin(NoAddOrDelete, UnscopedAdmin):
    list_display = ["tenant", "company_name", "company_id", "status", "connected_at", "refreshed_at"]
    list_filter = ["status"]
    search_fields = ["company_name", "tenant__name", "tenant__slug"]
    exclude = ["access_token", "refresh_token"]
    readonly_fields = [
        "tenant",
        "provider",
        "company_id",
        "company_name",
        "company_domain",
        "api_domain",
        "external_user_id",
        "external_user_name",
        "external_user_email",
        "scopes",
        "expires_at",
        "refreshed_at",
        "connected_by",
        "connected_at",
        "disconnected_at",
        "disconnected_by",
        "revoke_pending",
        "purge_status",
        "purge_total",
        "purge_done",
    ]


@admin.register(SyncConfig)
class SyncConfigAdmin(NoAddOrDelete, UnscopedAdmin):
    """Where staff enable child organizations and tune the parent-check budget for a tenant."""

    list_display = [
        "tenant",
        "connection",
        "status_field_name",
        "include_children",
        "sync_interval_hours",
        "relationship_budget_pct",
        "next_sync_at",
    ]
    list_filter = ["include_children"]
    search_fields = ["tenant__name", "tenant__slug"]
    fields = [
        "tenant",
        "connection",
        "status_field_name",
        "include_children",
        "relationship_budget_pct",
        "mass_removal_threshold_pct",
        "removal_grace_days",
        "sync_interval_hours",
        "next_sync_at",
        "last_full_sync_at",
    ]
    readonly_fields = ["tenant", "connection", "status_field_name", "next_sync_at", "last_full_sync_at"]


@admin.register(SyncRun)
class SyncRunAdmin(NoAddOrDelete, UnscopedAdmin):
    list_display = ["started_at", "tenant", "kind", "outcome", "orgs_seen", "accounts_added", "api_calls", "token_cost"]
    list_filter = ["outcome", "kind"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]
