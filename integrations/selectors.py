"""Reads on connections and sync history. Every one takes the tenant explicitly."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Tenant
from integrations.models import Connection, SyncConfig, SyncRun


def connection_for_tenant(*, tenant: Tenant, provider: str = "pipedrive") -> Connection | None:
    return (
        Connection.objects.for_tenant(tenant)
        .select_related("connected_by", "disconnected_by")
        .filter(provider=provider)
        .first()
    )


def connection_get(*, tenant: Tenant, pk: int) -> Connection:
    """Connection.DoesNotExist for a missing id and for another tenant's id alike."""
    return Connection.objects.for_tenant(tenant).select_related("connected_by", "disconnected_by").get(pk=pk)


def sync_config_for(*, connection: Connection) -> SyncConfig:
    config = SyncConfig.objects.for_tenant(connection.tenant_id).filter(connection=connection).first()
    return config or SyncConfig(tenant_id=connection.tenant_id, connection=connection)


def sync_runs_for(*, connection: Connection, limit: int = 20) -> QuerySet[SyncRun]:
    return (
        SyncRun.objects.for_tenant(connection.tenant_id)
        .filter(connection=connection)
        .order_by("-started_at", "-id")[:limit]
    )


def sync_run_get(*, tenant: Tenant, connection: Connection, pk: int) -> SyncRun:
    return SyncRun.objects.for_tenant(tenant).get(connection=connection, pk=pk)


def latest_sync_run(*, connection: Connection) -> SyncRun | None:
    return (
        SyncRun.objects.for_tenant(connection.tenant_id)
        .filter(connection=connection)
        .order_by("-started_at", "-id")
        .first()
    )
