"""Which connections are due a sync. Crosses tenants: this is beat's fan-out."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from integrations.models import Connection, SyncConfig

# Until its run starts and sets the real next time, a dispatched connection is not dispatched again.
CLAIM = timedelta(minutes=15)


def connections_due(*, now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        SyncConfig.objects.unscoped()
        .filter(connection__status=Connection.Status.CONNECTED)
        .exclude(status_field_key="")
        .filter(Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .values_list("connection_id", flat=True)
    )


def claim(*, connection_id: int, now=None) -> bool:
    now = now or timezone.now()
    return bool(
        SyncConfig.objects.unscoped()
        .filter(connection_id=connection_id)
        .filter(Q(next_sync_at__isnull=True) | Q(next_sync_at__lte=now))
        .update(next_sync_at=now + CLAIM)
    )
