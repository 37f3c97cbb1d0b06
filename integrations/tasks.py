"""Celery tasks: thin wrappers that reload rows by id and call one service. Beat runs only fan-outs."""

from __future__ import annotations

import logging

from celery import shared_task

from integrations import services
from integrations.models import Connection
from integrations.pipedrive.errors import ApiError, ApiTimeout, PipedriveError, ReauthRequired

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=8, acks_late=True)
def teardown_connection(self, connection_id: int) -> None:
    """Delete webhooks and revoke the grant after a disconnect; a failed revoke is retried with backoff."""
    try:
        services.connection_teardown(connection_id=connection_id)
    except (ApiError, ApiTimeout) as exc:
        countdown = min(3600, 30 * 2**self.request.retries)
        logger.warning(
            "Revoking the Pipedrive grant of connection %s failed (%s); retry in %ss",
            connection_id,
            exc.message,
            countdown,
        )
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def retry_pending_revokes() -> int:
    """Beat: a revoke whose task gave up is tried again daily until Pipedrive confirms it."""
    ids = services.connections_with_pending_revoke()
    for connection_id in ids:
        teardown_connection.delay(connection_id)
    return len(ids)


@shared_task(acks_late=True)
def purge_connection_data(connection_id: int) -> None:
    from integrations.purge import connection_purge_data

    connection_purge_data(connection_id=connection_id)


@shared_task(bind=True, max_retries=5)
def refresh_connection(self, connection_id: int) -> None:
    if not Connection.objects.unscoped().filter(pk=connection_id, status=Connection.Status.CONNECTED).exists():
        return
    try:
        services.connection_refresh_tokens(connection_id=connection_id, force=True)
    except ReauthRequired:
        return  # recorded on the connection; the admin sees Reconnect
    except PipedriveError as exc:
        raise self.retry(exc=exc, countdown=min(3600, 60 * 2**self.request.retries)) from exc


@shared_task
def keep_idle_connections_alive() -> int:
    """Beat: refresh grants unused for a week, far inside Pipedrive's 60-day refresh-token expiry."""
    ids = services.connections_needing_keepalive()
    for connection_id in ids:
        refresh_connection.delay(connection_id)
    return len(ids)


@shared_task(acks_late=True)
def sync_connection(connection_id: int, trigger: str = "schedule", full: bool = False) -> int | None:
    """One sync of one connection. The lease inside makes a duplicate delivery a no-op."""
    from integrations.pipedrive.runs import sync_connection_run

    run = sync_connection_run(connection_id=connection_id, trigger=trigger, force_full=full)
    return run.pk if run else None


@shared_task
def dispatch_due_syncs() -> int:
    """Beat, every minute: enqueue a sync for each connection whose interval has elapsed."""
    from integrations.pipedrive.scheduling import claim, connections_due

    due = connections_due()
    for connection_id in due:
        if claim(connection_id=connection_id):
            sync_connection.delay(connection_id)
    return len(due)
