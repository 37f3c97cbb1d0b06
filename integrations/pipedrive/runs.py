"""Running one sync: lease, kind (full or incremental), resume after a failure, outcome and schedule.

The steps themselves are in sync.py; this module decides when a run starts, which kind it is, where it
picks up, and what its outcome means for the next one.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from integrations.models import Connection, SyncConfig, SyncRun
from integrations.pipedrive import lease
from integrations.pipedrive.client import PipedriveClient
from integrations.pipedrive.errors import PipedriveError, RateLimited, ReauthRequired
from integrations.pipedrive.sync import SyncEngine, SyncHalted
from integrations.services import connection_mark_needs_reauth

logger = logging.getLogger(__name__)

FULL_SYNC_EVERY = timedelta(hours=24)
RESUME_WINDOW = timedelta(hours=6)
FAILURE_BACKOFF = timedelta(minutes=10)


def _choose_kind(config: SyncConfig, *, force_full: bool, now: datetime) -> str:
    if force_full or config.last_full_sync_at is None or config.orgs_high_water is None:
        return SyncRun.Kind.FULL
    return SyncRun.Kind.FULL if now - config.last_full_sync_at >= FULL_SYNC_EVERY else SyncRun.Kind.INCREMENTAL


def _close_abandoned_runs(connection: Connection) -> None:
    """Runs still 'running' when we hold the lease belong to a worker that died."""
    for run in SyncRun.objects.for_tenant(connection.tenant_id).filter(
        connection=connection, outcome=SyncRun.Outcome.RUNNING
    ):
        run.outcome = SyncRun.Outcome.FAILED
        run.finished_at = run.heartbeat_at
        run.error_message = "The worker running this sync stopped unexpectedly; the next run resumes it."
        run.save(update_fields=["outcome", "finished_at", "error_message"])


def _resumable(connection: Connection, kind: str, now: datetime) -> SyncRun | None:
    last = (
        SyncRun.objects.for_tenant(connection.tenant_id)
        .filter(connection=connection)
        .order_by("-started_at", "-id")
        .first()
    )
    if (
        last is not None
        and last.outcome == SyncRun.Outcome.FAILED
        and last.kind == kind
        and last.started_at > now - RESUME_WINDOW
        and last.details.get("epoch")
    ):
        return last
    return None


def _start_run(connection: Connection, config: SyncConfig, *, trigger: str, force_full: bool) -> SyncRun:
    now = timezone.now()
    kind = _choose_kind(config, force_full=force_full, now=now)
    details: dict = {"epoch": now.isoformat(), "steps_done": []}
    previous = _resumable(connection, kind, now)
    if previous is not None:
        carried = {
            k: previous.details[k]
            for k in (
                "epoch",
                "steps_done",
                "orgs_cursor",
                "disqualified",
                "people",
                "relationship_tokens",
                "orgs_max_update",
                "persons_strategy",
            )
            if k in previous.details
        }
        details = {**details, **carried, "resumed_from": previous.pk}
    return SyncRun.objects.create(
        tenant_id=connection.tenant_id,
        connection=connection,
        kind=kind,
        trigger=trigger,
        details=details,
        started_at=now,
    )


def _finish(
    run: SyncRun,
    config: SyncConfig,
    engine: SyncEngine | None,
    outcome: str,
    message: str = "",
    next_in: timedelta | None = None,
) -> None:
    now = timezone.now()
    run.outcome = outcome
    run.error_message = message[:2000]
    run.finished_at = now
    run.step = "" if outcome == SyncRun.Outcome.SUCCEEDED else run.step
    if engine is not None:
        run.api_calls = engine.client.stats.calls
        run.token_cost = engine.client.stats.token_cost
        run.details["by_endpoint"] = engine.client.stats.by_endpoint
        run.details["rate_limited"] = engine.client.stats.rate_limited
    run.save()
    updates: dict = {"next_sync_at": now + (next_in or timedelta(hours=config.sync_interval_hours))}
    if outcome == SyncRun.Outcome.SUCCEEDED:
        if run.details.get("orgs_max_update"):
            updates["orgs_high_water"] = max(
                filter(None, [config.orgs_high_water, datetime.fromisoformat(run.details["orgs_max_update"])])
            )
        elif config.orgs_high_water is None:
            updates["orgs_high_water"] = datetime.fromisoformat(run.details["epoch"])
        if run.details.get("persons_max_update"):
            updates["persons_high_water"] = max(
                filter(None, [config.persons_high_water, datetime.fromisoformat(run.details["persons_max_update"])])
            )
        elif config.persons_high_water is None:
            updates["persons_high_water"] = datetime.fromisoformat(run.details["epoch"])
        if run.kind == SyncRun.Kind.FULL:
            updates["last_full_sync_at"] = datetime.fromisoformat(run.details["epoch"])
    SyncConfig.objects.unscoped().filter(pk=config.pk).update(**updates)


def sync_connection_run(
    *,
    connection_id: int,
    trigger: str = SyncRun.Trigger.SCHEDULE,
    force_full: bool = False,
    client: PipedriveClient | None = None,
) -> SyncRun | None:
    """Run one sync now, in this process. None when there is nothing to do or another run holds the lease."""
    connection = Connection.objects.unscoped().filter(pk=connection_id, status=Connection.Status.CONNECTED).first()
    if connection is None:
        return None
    config = SyncConfig.objects.unscoped().filter(connection=connection).first()
    if config is None or not config.is_configured:
        return None
    token = lease.acquire(config=config)
    if token is None:
        logger.info("Sync of connection %s skipped: another run holds the lease", connection_id)
        return None
    engine = None
    try:
        _close_abandoned_runs(connection)
        run = _start_run(connection, config, trigger=trigger, force_full=force_full)
        try:
            engine = SyncEngine(connection=connection, config=config, run=run, lease_token=token, client=client)
            engine.execute()
        except RateLimited as exc:
            _finish(
                run,
                config,
                engine,
                SyncRun.Outcome.HALTED if exc.daily else SyncRun.Outcome.FAILED,
                exc.message,
                next_in=timedelta(seconds=max(exc.retry_after, 60)) if not exc.daily else _until_budget_reset(),
            )
        except ReauthRequired as exc:
            connection_mark_needs_reauth(connection=connection, reason=exc.message)
            _finish(
                run,
                config,
                engine,
                SyncRun.Outcome.HALTED,
                "Pipedrive needs to be reconnected: " + exc.message + ". Syncing resumes after an admin reconnects.",
            )
        except (SyncHalted, lease.LeaseLost) as exc:
            _finish(run, config, engine, SyncRun.Outcome.HALTED, str(exc))
        except PipedriveError as exc:
            _finish(run, config, engine, SyncRun.Outcome.FAILED, exc.message, next_in=FAILURE_BACKOFF)
        except Exception as exc:  # a bug: record it for the admin, keep the traceback in the logs
            logger.exception("Sync %s of connection %s failed", run.pk, connection_id)
            _finish(
                run,
                config,
                engine,
                SyncRun.Outcome.FAILED,
                f"Internal error ({type(exc).__name__}); it was logged.",
                next_in=FAILURE_BACKOFF,
            )
        else:
            _finish(run, config, engine, SyncRun.Outcome.SUCCEEDED)
        return run
    finally:
        lease.release(config=config, token=token)


def _until_budget_reset() -> timedelta:
    """Pipedrive resets the daily budget at the start of the next day (NOTES §7); aim just past UTC midnight."""
    now = timezone.now().astimezone(UTC)
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)
    return tomorrow - now
