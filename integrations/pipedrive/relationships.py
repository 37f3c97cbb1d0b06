"""Parent/child organizations (NOTES §3.5), looked up sparingly: each look-up costs 20 tokens.

- An org is looked up when it was never checked; again when it changed since its check and that check
  is a week old (the cache is refreshed at most weekly); and, changed or not, after 30 days, because
  adding a relationship in Pipedrive need not touch the org's update_time.
- A parent's look-up also reveals its daughters, which are cached without a call of their own.
- A run stops looking up when it has spent its share of the company's daily token budget. Incremental
  runs look up only orgs new to them; the backlog waits for the daily full run, so an incremental run
  costs in proportion to what changed. Unchecked orgs count as top-level until they are checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from integrations.models import OrgRelationshipCheck
from integrations.pipedrive.client import PipedriveClient

LOOKUP_COST = 20
RECHECK_CHANGED = timedelta(days=7)
RECHECK_ANY = timedelta(days=30)
DEFAULT_DAILY_BUDGET = 30_000  # Pipedrive's smallest plan (NOTES §7), when the headers do not say


@dataclass
class RelationshipResult:
    parent_by_org: dict[int, int | None] = field(default_factory=dict)
    lookups: int = 0
    deferred: int = 0


def _ref(value) -> int | None:
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parent_from(org_id: int, relationships: Iterable[dict]) -> tuple[int | None, set[int]]:
    """(parent of org_id, daughters of org_id) from a /v1/organizationRelationships answer."""
    parent: int | None = None
    daughters: set[int] = set()
    for rel in relationships:
        if not isinstance(rel, dict) or rel.get("type") != "parent" or rel.get("active_flag") is False:
            continue
        owner, linked = _ref(rel.get("rel_owner_org_id")), _ref(rel.get("rel_linked_org_id"))
        if linked == org_id and owner is not None:
            parent = owner
        elif owner == org_id and linked is not None:
            daughters.add(linked)
    return parent, daughters


def cached_parents(*, connection, org_ids: Iterable[int]) -> dict[int, tuple[int | None, datetime | None, datetime]]:
    """org id → (parent id, org update_time at check, checked_at) for the orgs that were ever checked."""
    rows = OrgRelationshipCheck.objects.for_tenant(connection.tenant_id).filter(
        connection=connection, org_id__in=list(org_ids)
    )
    return {r.org_id: (r.parent_org_id, r.org_update_time, r.checked_at) for r in rows}


def needs_lookup(entry, update_time: datetime | None, now: datetime) -> bool:
    if entry is None:
        return True
    _, checked_update_time, checked_at = entry
    age = now - checked_at
    if age >= RECHECK_ANY:
        return True
    changed = update_time is not None and checked_update_time is not None and update_time > checked_update_time
    return changed and age >= RECHECK_CHANGED


def token_budget(*, daily_limit: int | None, share_pct: int) -> int:
    return int((daily_limit or DEFAULT_DAILY_BUDGET) * max(0, min(100, share_pct)) / 100)


def look_up(
    *, client: PipedriveClient, connection, wanted: list[tuple[int, datetime | None]], budget_tokens: int
) -> RelationshipResult:
    """Look up the wanted (org id, update_time) pairs, newest need first, within the token budget."""
    result = RelationshipResult()
    now = timezone.now()
    learned: dict[int, tuple[int | None, datetime | None]] = {}
    update_times = dict(wanted)
    for org_id, update_time in wanted:
        if org_id in learned:
            continue
        if (result.lookups + 1) * LOOKUP_COST > budget_tokens:
            result.deferred += 1
            continue
        parent, daughters = parent_from(org_id, client.organization_relationships(org_id))
        result.lookups += 1
        learned[org_id] = (parent, update_time)
        for daughter in daughters:
            learned.setdefault(daughter, (org_id, update_times.get(daughter)))
    rows = [
        OrgRelationshipCheck(
            tenant_id=connection.tenant_id,
            connection=connection,
            org_id=org_id,
            parent_org_id=parent,
            org_update_time=update_time,
            checked_at=now,
        )
        for org_id, (parent, update_time) in learned.items()
    ]
    OrgRelationshipCheck.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["connection", "org_id"],
        update_fields=["parent_org_id", "org_update_time", "checked_at"],
        batch_size=500,
    )
    result.parent_by_org = {org_id: parent for org_id, (parent, _) in learned.items()}
    return result
