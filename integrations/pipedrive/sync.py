"""The steps of one sync run: fields → organizations → parents → persons → removal → domains (runs.py
starts, resumes and finishes runs).

Invariants (GUIDE "Reliability"):
- accounts are marked for removal only after a complete listing in this run; any failed page aborts
  the run before the removal step, so an incomplete run never looks like an empty one;
- every write is an idempotent upsert, and a run after a crash resumes from its last completed step,
  so re-running converges to the same rows;
- one run per connection at a time (lease.py).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from customers import services as accounts
from integrations.models import Connection, SyncConfig, SyncRun
from integrations.pipedrive import lease, persons, relationships
from integrations.pipedrive.client import PipedriveClient
from integrations.pipedrive.selection import OrgRecord, field_by_key, org_record

logger = logging.getLogger(__name__)

INCREMENTAL_OVERLAP = timedelta(minutes=5)  # Pipedrive's update_time has second precision; be generous


class SyncHalted(Exception):
    """An expected stop the admin must see: configuration gone stale, connection disconnected."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class SyncEngine:
    STEPS = ("fields", "organizations", "relationships", "persons", "removal", "domains")

    def __init__(
        self,
        *,
        connection: Connection,
        config: SyncConfig,
        run: SyncRun,
        lease_token: str,
        client: PipedriveClient | None = None,
    ) -> None:
        self.connection = connection
        self.config = config
        self.run = run
        self.lease_token = lease_token
        self.client = client or PipedriveClient.for_connection(connection)
        details = run.details
        self.epoch = datetime.fromisoformat(details["epoch"])
        self.active = {int(i) for i in config.active_option_ids}
        self.churned = {int(i) for i in config.churn_option_ids}
        self.disqualified_org_ids: set[int] = set(details.get("disqualified", []))
        self.affected_account_ids: set[int] = set()
        self.max_org_update: datetime | None = None

    # -- bookkeeping ----------------------------------------------------------------------------
    @property
    def full(self) -> bool:
        return self.run.kind == SyncRun.Kind.FULL

    def _save_progress(self, *fields: str) -> None:
        lease.renew(config=self.config, token=self.lease_token)
        self.run.api_calls = self.client.stats.calls
        self.run.token_cost = self.client.stats.token_cost
        self.run.heartbeat_at = timezone.now()
        self.run.save(update_fields=["api_calls", "token_cost", "heartbeat_at", "step", "details", *fields])

    def _step_done(self, step: str) -> None:
        self.run.details.setdefault("steps_done", []).append(step)
        self._save_progress()

    def execute(self) -> None:
        done = set(self.run.details.get("steps_done", []))
        for step in self.STEPS:
            if step in done and step != "fields":  # fields are re-checked: the config may have changed
                continue
            self.run.step = step
            self._save_progress()  # the history shows which step is under way
            started = time.perf_counter()
            getattr(self, f"step_{step}")()
            timings = self.run.details.setdefault("step_seconds", {})
            timings[step] = round(timings.get(step, 0) + time.perf_counter() - started, 3)
            self._step_done(step)

    # -- steps ----------------------------------------------------------------------------------
    def step_fields(self) -> None:
        """The status field must still exist with the chosen options, or the run halts (not fails)."""
        fields = self.client.organization_fields()
        field = field_by_key(fields, self.config.status_field_key)
        if field is None:
            raise SyncHalted(
                f"The status field “{self.config.status_field_name}” no longer exists in Pipedrive. "
                "Choose the active customer field again in the Pipedrive settings."
            )
        known = {o.get("id") for o in field.get("options") or []}
        if not (self.active & known):
            raise SyncHalted(
                f"None of the active values of “{self.config.status_field_name}” exist in Pipedrive any more. "
                "Choose the active values again in the Pipedrive settings."
            )

    def step_organizations(self) -> None:
        params = {"custom_fields": self.config.status_field_key, "include_fields": "people_count"}
        if self.full:
            params |= {"sort_by": "id", "sort_direction": "asc"}
        else:
            since = (self.config.orgs_high_water or self.epoch) - INCREMENTAL_OVERLAP
            params |= {
                "sort_by": "update_time",
                "sort_direction": "asc",
                "updated_since": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        cursor = self.run.details.get("orgs_cursor")
        if cursor:
            params["cursor"] = cursor
        # Persons of every listed org: what paging all persons will cost (persons.py compares).
        people = self.run.details.setdefault("people", {"all": 0})
        for page, next_cursor in self.client.iter_v2_pages_with_cursor("/api/v2/organizations", params):
            kept: list[OrgRecord] = []
            for org in page:
                if isinstance(org.get("people_count"), int):
                    people["all"] += org["people_count"]
                record = org_record(
                    org, field_key=self.config.status_field_key, active=self.active, churned=self.churned
                )
                if record is None:
                    if not self.full:
                        self.disqualified_org_ids.add(int(org["id"]))
                    continue
                kept.append(record)
                if record.update_time and (self.max_org_update is None or record.update_time > self.max_org_update):
                    self.max_org_update = record.update_time
            self.run.orgs_seen += len(page)
            kept = self._drop_known_children(kept)
            counts = accounts.accounts_upsert(connection=self.connection, records=kept, seen_at=self.epoch)
            self.run.orgs_kept += len(kept)
            self.run.accounts_added += counts.added
            self.run.accounts_updated += counts.updated
            self.run.accounts_restored += counts.restored
            if counts.restored_ids:
                self.affected_account_ids.update(
                    accounts.account_ids_by_external(
                        connection=self.connection, external_ids=counts.restored_ids
                    ).values()
                )
            self.run.details["orgs_cursor"] = next_cursor
            self.run.details["disqualified"] = sorted(self.disqualified_org_ids)
            if self.max_org_update:
                self.run.details["orgs_max_update"] = _iso(self.max_org_update)
            self._save_progress(
                "orgs_seen", "orgs_kept", "children_excluded", "accounts_added", "accounts_updated", "accounts_restored"
            )

    def _drop_known_children(self, kept: list[OrgRecord]) -> list[OrgRecord]:
        """Orgs already known to be daughters are left out unless staff enabled children (NOTES §3.5)."""
        if self.config.include_children or not kept:
            return kept
        cache = relationships.cached_parents(connection=self.connection, org_ids=[r.id for r in kept])
        children = {r.id for r in kept if (cache.get(r.id) or (None,))[0] is not None}
        self.run.children_excluded += len(children)
        self.disqualified_org_ids.update(children)  # an incremental run must drop them explicitly
        return [r for r in kept if r.id not in children]

    def step_relationships(self) -> None:
        seen = accounts.accounts_seen_since(connection=self.connection, seen_since=self.epoch)
        now = timezone.now()
        cache = relationships.cached_parents(connection=self.connection, org_ids=[external for external, _, _ in seen])
        # Newest accounts first; an incremental run leaves the backlog of older unchecked orgs to the full run.
        wanted = [
            (external, updated)
            for external, updated, first_seen in sorted(seen, key=lambda s: s[2], reverse=True)
            if relationships.needs_lookup(cache.get(external), updated, now) and (self.full or first_seen >= self.epoch)
        ]
        full_budget = relationships.token_budget(
            daily_limit=self.client.stats.daily_tokens_limit, share_pct=self.config.relationship_budget_pct
        )
        self.run.details["daily_token_limit"] = self.client.stats.daily_tokens_limit
        self.run.details["relationship_budget"] = full_budget
        budget = full_budget - self.run.details.get("relationship_tokens", 0)
        result = relationships.look_up(
            client=self.client, connection=self.connection, wanted=wanted, budget_tokens=budget
        )
        self.run.relationship_lookups += result.lookups
        self.run.details["relationship_tokens"] = (
            self.run.details.get("relationship_tokens", 0) + result.lookups * relationships.LOOKUP_COST
        )
        self.run.details["relationship_deferred"] = result.deferred
        seen_ids = {external for external, _, _ in seen}
        parents = {org: parent for org, parent in result.parent_by_org.items() if org in seen_ids}
        for external in seen_ids:
            if external not in parents and external in cache:
                parents[external] = cache[external][0]
        children = {org: parent for org, parent in parents.items() if parent is not None}
        if self.config.include_children:
            accounts.accounts_link_parents(connection=self.connection, parent_by_child=parents)
        elif children:
            # Found to be daughters only now: drop the ones this run created, start grace for older ones.
            newly_found = [org for org in children if org in result.parent_by_org]
            self.run.children_excluded += len(newly_found)
            created = accounts.accounts_delete_created_since(
                connection=self.connection, external_ids=newly_found, since=self.epoch
            )
            self.run.accounts_added -= min(created, self.run.accounts_added)
            self.disqualified_org_ids.update(newly_found)
            self.run.details["disqualified"] = sorted(self.disqualified_org_ids)
        self._save_progress("relationship_lookups", "children_excluded", "accounts_added")

    def step_persons(self) -> None:
        result = persons.pull(engine=self)
        self.run.contacts_upserted = result.upserted
        self.affected_account_ids.update(result.affected_account_ids)
        accounts.accounts_recount_contacts(
            connection=self.connection, account_ids=None if self.full else result.affected_account_ids
        )
        self.run.details["persons_strategy"] = result.strategy
        if result.max_update_time:
            self.run.details["persons_max_update"] = _iso(result.max_update_time)
        self._save_progress("contacts_upserted")

    def step_removal(self) -> None:
        # Orgs seen not to qualify (changed value, found to be a child) go in every kind of run; a full run
        # also drops what its complete listing did not include (deleted or no longer visible in Pipedrive).
        candidates = set(
            accounts.accounts_by_external(connection=self.connection, external_ids=self.disqualified_org_ids)
        )
        if self.full:
            candidates |= set(accounts.accounts_unseen_since(connection=self.connection, seen_since=self.epoch))
        candidates = sorted(candidates)
        live = accounts.accounts_live_count(connection=self.connection)
        threshold = self.config.mass_removal_threshold_pct
        if candidates and len(candidates) * 100 > threshold * max(live, 1):
            self.run.removals_held = True
            self.run.held_removal_ids = candidates
            logger.warning(
                "Sync %s holds %s removals of %s accounts (over %s%%)", self.run.pk, len(candidates), live, threshold
            )
        else:
            self.run.accounts_pending_removal += accounts.accounts_mark_pending_removal(
                connection=self.connection, account_ids=candidates, since=timezone.now()
            )
        removed = accounts.accounts_remove_expired(
            connection=self.connection, grace_days=self.config.removal_grace_days
        )
        self.run.accounts_removed += len(removed)
        self.affected_account_ids.update(removed)
        self._save_progress("removals_held", "held_removal_ids", "accounts_pending_removal", "accounts_removed")

    def step_domains(self) -> None:
        from customers.domain_sync import domains_refresh

        # A resumed run did not see every change of the run it resumes: recompute everything then.
        everything = self.full or "resumed_from" in self.run.details
        result = domains_refresh(
            tenant_id=self.connection.tenant_id,
            account_ids=None if everything else self.affected_account_ids,
        )
        self.run.domains_added += result.added
        self.run.domains_removed += result.removed
        self._save_progress("domains_added", "domains_removed")
