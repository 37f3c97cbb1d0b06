"""Writes on customer accounts and contacts, in bulk: the sync calls these once per page.

Every write is an idempotent upsert keyed on (tenant, Pipedrive company, Pipedrive id), so a re-run or a
run after a crash converges to the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from customers.models import Contact, CustomerAccount
from integrations.pipedrive.selection import parse_time
from staircase.bulk import bulk_set, bulk_upsert

ACCOUNT_UPDATE_FIELDS = [
    "name",
    "status",
    "status_option_ids",
    "owner_external_id",
    "website",
    "source_people_count",
    "source_updated_at",
    "last_seen_at",
    "pending_removal_since",
    "removed_at",
    "updated_at",
    "source_connection",
]


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    restored: int = 0
    restored_ids: list[int] = field(default_factory=list)  # Pipedrive ids of accounts back from removal


def accounts_upsert(*, connection, records: Sequence, seen_at: datetime) -> UpsertCounts:
    """Create or refresh one page of qualifying orgs. Clears any removal mark: they qualify again."""
    counts = UpsertCounts()
    if not records:
        return counts
    tenant_id, company_id = connection.tenant_id, connection.company_id
    existing = dict(
        CustomerAccount.objects.for_tenant(tenant_id)
        .filter(source_company_id=company_id, external_id__in=[r.id for r in records])
        .values_list("external_id", "removed_at")
    )
    rows = []
    for r in records:
        if r.id not in existing:
            counts.added += 1
        elif existing[r.id] is not None:
            counts.restored += 1
            counts.restored_ids.append(r.id)
        else:
            counts.updated += 1
        rows.append(
            CustomerAccount(
                tenant_id=tenant_id,
                source_connection=connection,
                source_company_id=company_id,
                external_id=r.id,
                name=r.name,
                status=r.status,
                status_option_ids=list(r.option_ids),
                owner_external_id=r.owner_id,
                website=r.website,
                source_people_count=r.people_count,
                source_updated_at=r.update_time,
                first_seen_at=seen_at,
                last_seen_at=seen_at,
                pending_removal_since=None,
                removed_at=None,
                created_at=seen_at,
                updated_at=seen_at,
            )
        )
    CustomerAccount.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["tenant", "source_company_id", "external_id"],
        update_fields=ACCOUNT_UPDATE_FIELDS,
    )
    return counts


def account_ids_by_external(*, connection, external_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        CustomerAccount.objects.for_tenant(connection.tenant_id)
        .filter(source_company_id=connection.company_id, external_id__in=list(external_ids), removed_at__isnull=True)
        .values_list("external_id", "pk")
    )


def accounts_link_parents(*, connection, parent_by_child: dict[int, int | None]) -> None:
    """Point child accounts at their parent account (when the parent is one), by Pipedrive ids."""
    if not parent_by_child:
        return
    accounts = CustomerAccount.objects.for_tenant(connection.tenant_id).filter(source_company_id=connection.company_id)
    children = list(accounts.filter(external_id__in=list(parent_by_child)))
    parents = account_ids_by_external(connection=connection, external_ids={p for p in parent_by_child.values() if p})
    for child in children:
        parent_external = parent_by_child[child.external_id]
        child.parent_external_id = parent_external
        child.parent_id = parents.get(parent_external) if parent_external else None
    accounts.bulk_update(children, ["parent_external_id", "parent"], batch_size=500)


CONTACT_COLUMNS = (
    "tenant_id",
    "account_id",
    "source_company_id",
    "external_id",
    "name",
    "emails",
    "primary_email",
    "source_updated_at",
    "first_seen_at",
    "last_seen_at",
)
CONTACT_UPDATES = ("account_id", "name", "emails", "primary_email", "source_updated_at", "last_seen_at")


def contacts_upsert(*, connection, persons: Sequence[dict], account_by_org: dict[int, int], seen_at: datetime) -> int:
    """Upsert the persons whose org is a synced account. `persons` are v2 person payloads."""
    rows = []
    for person in persons:
        account_id = account_by_org.get(person.get("org_id"))
        if account_id is None:
            continue
        emails = [
            str(e.get("value")).strip()
            for e in sorted(person.get("emails") or [], key=lambda e: not e.get("primary"))
            if isinstance(e, dict) and e.get("value")
        ]
        rows.append(
            (
                connection.tenant_id,
                account_id,
                connection.company_id,
                int(person["id"]),
                str(person.get("name") or "")[:255],
                emails,
                (emails[0] if emails else "")[:320],
                parse_time(person.get("update_time")),
                seen_at,
                seen_at,
            )
        )
    bulk_upsert(
        Contact,
        columns=CONTACT_COLUMNS,
        rows=rows,
        conflict=("tenant_id", "source_company_id", "external_id"),
        update=CONTACT_UPDATES,
    )
    return len(rows)


def accounts_recount_contacts(*, connection, account_ids: Iterable[int] | None) -> None:
    """Refresh the stored contact count of these accounts (all of the connection's when None)."""
    from django.db.models import Count

    accounts = CustomerAccount.objects.for_tenant(connection.tenant_id).filter(source_connection=connection)
    contacts = Contact.objects.for_tenant(connection.tenant_id)
    if account_ids is not None:
        ids = list(account_ids)
        accounts, contacts = accounts.filter(pk__in=ids), contacts.filter(account_id__in=ids)
    counts = dict(contacts.order_by().values("account_id").annotate(n=Count("pk")).values_list("account_id", "n"))
    stale = {
        pk: counts.get(pk, 0)
        for pk, stored in accounts.values_list("pk", "contact_count")
        if counts.get(pk, 0) != stored
    }
    bulk_set(CustomerAccount, column="contact_count", values=stale)


def contacts_delete_external(*, connection, external_ids: Iterable[int]) -> list[int]:
    """Delete contacts by Pipedrive person id (moved to an org we do not sync). Returns their account ids."""
    qs = Contact.objects.for_tenant(connection.tenant_id).filter(
        source_company_id=connection.company_id, external_id__in=list(external_ids)
    )
    account_ids = list(qs.values_list("account_id", flat=True).distinct())
    qs.delete()
    return account_ids


def contacts_delete_unseen(*, connection, account_ids: Iterable[int] | None, seen_since: datetime) -> list[int]:
    """After a complete person listing: drop contacts that were not in it. Returns affected account ids."""
    qs = Contact.objects.for_tenant(connection.tenant_id).filter(
        source_company_id=connection.company_id, last_seen_at__lt=seen_since, account__source_connection=connection
    )
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    affected = list(qs.values_list("account_id", flat=True).distinct())
    qs.delete()
    return affected


# --- removal -------------------------------------------------------------------------------------


def _live(connection):
    return CustomerAccount.objects.for_tenant(connection.tenant_id).filter(
        source_connection=connection, source_company_id=connection.company_id, removed_at__isnull=True
    )


def accounts_unseen_since(*, connection, seen_since: datetime) -> list[int]:
    """Live accounts not marked yet that a complete listing started at `seen_since` did not include."""
    return list(
        _live(connection)
        .filter(last_seen_at__lt=seen_since, pending_removal_since__isnull=True)
        .values_list("pk", flat=True)
    )


def accounts_by_external(*, connection, external_ids: Iterable[int]) -> list[int]:
    """Live accounts, not yet marked, with these Pipedrive ids."""
    ids = list(external_ids)
    return list(
        _live(connection).filter(external_id__in=ids, pending_removal_since__isnull=True).values_list("pk", flat=True)
    )


def accounts_seen_since(*, connection, seen_since: datetime) -> list[tuple[int, datetime | None, datetime]]:
    """(Pipedrive id, Pipedrive update_time, first seen) of the live accounts a listing touched."""
    return list(
        _live(connection)
        .filter(last_seen_at__gte=seen_since)
        .values_list("external_id", "source_updated_at", "first_seen_at")
    )


def accounts_live_count(*, connection) -> int:
    return _live(connection).count()


def accounts_mark_pending_removal(*, connection, account_ids: Sequence[int], since: datetime) -> int:
    marked = 0
    for start in range(0, len(account_ids), 1000):
        chunk = account_ids[start : start + 1000]
        marked += (
            _live(connection)
            .filter(pk__in=chunk, pending_removal_since__isnull=True)
            .update(pending_removal_since=since, updated_at=since)
        )
    return marked


def accounts_delete_created_since(*, connection, external_ids: Iterable[int], since: datetime) -> int:
    """Accounts that appeared in this very run and turned out not to belong (e.g. a child org)."""
    doomed = _live(connection).filter(external_id__in=list(external_ids), first_seen_at__gte=since)
    ids = list(doomed.values_list("pk", flat=True))
    _live(connection).filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def accounts_remove_expired(*, connection, grace_days: int, now: datetime | None = None) -> list[int]:
    """Soft-delete accounts whose removal grace has passed. Returns their ids."""
    now = now or timezone.now()
    expired = _live(connection).filter(pending_removal_since__lte=now - timedelta(days=grace_days))
    ids = list(expired.values_list("pk", flat=True))
    if ids:
        _live(connection).filter(pk__in=ids).update(removed_at=now, updated_at=now)
    return ids
