"""One sync per connection at a time: a lease row that expires on its own if the worker dies."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from integrations.models import Connection, SyncConfig

LEASE_TTL = timedelta(minutes=10)


class LeaseLost(Exception):
    """Another worker holds the lease now, or the connection stopped being connected."""


def acquire(*, config: SyncConfig, ttl: timedelta = LEASE_TTL) -> str | None:
    now = timezone.now()
    token = secrets.token_hex(16)
    taken = (
        SyncConfig.objects.unscoped()
        .filter(pk=config.pk)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .update(lease_token=token, lease_expires_at=now + ttl)
    )
    return token if taken else None


def renew(*, config: SyncConfig, token: str, ttl: timedelta = LEASE_TTL) -> None:
    """Extend the lease; raises LeaseLost when it was taken over or the connection was disconnected."""
    kept = (
        SyncConfig.objects.unscoped()
        .filter(pk=config.pk, lease_token=token, connection__status=Connection.Status.CONNECTED)
        .update(lease_expires_at=timezone.now() + ttl)
    )
    if not kept:
        raise LeaseLost("the sync was stopped: the connection changed or another run took over")


def release(*, config: SyncConfig, token: str) -> None:
    SyncConfig.objects.unscoped().filter(pk=config.pk, lease_token=token).update(lease_token="", lease_expires_at=None)
