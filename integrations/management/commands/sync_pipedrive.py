"""Run one Pipedrive sync in the foreground and print its SyncRun summary as JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Tenant
from integrations.models import Connection, SyncRun
from integrations.pipedrive.runs import sync_connection_run

SUMMARY_FIELDS = [
    "kind",
    "outcome",
    "orgs_seen",
    "orgs_kept",
    "children_excluded",
    "accounts_added",
    "accounts_updated",
    "accounts_restored",
    "accounts_pending_removal",
    "accounts_removed",
    "contacts_upserted",
    "domains_added",
    "domains_removed",
    "relationship_lookups",
    "api_calls",
    "token_cost",
    "removals_held",
    "error_message",
]


def run_summary(run: SyncRun) -> dict:
    summary = {"id": run.pk, "tenant": run.connection.tenant.slug, **{f: getattr(run, f) for f in SUMMARY_FIELDS}}
    summary["started_at"] = run.started_at.isoformat()
    summary["finished_at"] = run.finished_at.isoformat() if run.finished_at else None
    summary["seconds"] = round(run.duration.total_seconds(), 3)
    summary["persons_strategy"] = run.details.get("persons_strategy")
    summary["api_calls_by_endpoint"] = run.details.get("by_endpoint", {})
    return summary


class Command(BaseCommand):
    help = "Sync one tenant's Pipedrive connection now and print the result as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="slug of the tenant (workspace)")
        parser.add_argument("--full", action="store_true", help="a full sync instead of an incremental one")

    def handle(self, *args, tenant: str, full: bool, **options):
        workspace = Tenant.objects.filter(slug=tenant).first()
        if workspace is None:
            raise CommandError(f"No tenant with slug {tenant!r}")
        connection = Connection.objects.for_tenant(workspace).filter(provider="pipedrive").first()
        if connection is None or connection.status != Connection.Status.CONNECTED:
            raise CommandError(f"{workspace.name} has no connected Pipedrive")
        run = sync_connection_run(connection_id=connection.pk, trigger=SyncRun.Trigger.COMMAND, force_full=full)
        if run is None:
            raise CommandError(
                "Nothing ran: the settings are not saved yet, or another sync of this connection is running"
            )
        run.refresh_from_db()
        self.stdout.write(json.dumps(run_summary(run), indent=2))
        if run.outcome != SyncRun.Outcome.SUCCEEDED:
            raise CommandError(f"The sync {run.outcome}: {run.error_message}")
