"""The admin's answer to the mass-removal guard: start the grace period for the held accounts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from customers import services as accounts
from integrations.models import SyncRun
from staircase.exceptions import ApplicationError


@transaction.atomic
def removals_confirm(*, run: SyncRun, user: User) -> int:
    run = SyncRun.objects.for_tenant(run.tenant_id).select_for_update().select_related("connection").get(pk=run.pk)
    if not run.removals_held:
        raise ApplicationError("These removals were already confirmed.")
    latest = (
        SyncRun.objects.for_tenant(run.tenant_id)
        .filter(connection=run.connection)
        .order_by("-started_at", "-id")
        .first()
    )
    if (
        latest is not None
        and latest.pk != run.pk
        and latest.outcome == SyncRun.Outcome.SUCCEEDED
        and not latest.removals_held
    ):
        raise ApplicationError("A newer sync has run since; its result replaces these held removals.")
    marked = accounts.accounts_mark_pending_removal(
        connection=run.connection, account_ids=list(run.held_removal_ids), since=timezone.now()
    )
    run.removals_held = False
    run.accounts_pending_removal += marked
    run.save(update_fields=["removals_held", "accounts_pending_removal"])
    audit_record(
        tenant=run.connection.tenant,
        actor=user,
        action="sync.removals_confirmed",
        target=run,
        target_label=run.connection.label,
        details={"accounts": marked},
    )
    return marked
