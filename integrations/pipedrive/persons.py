"""Contacts of the synced accounts, paged the cheaper way (NOTES §4).

Per org (`/api/v2/persons?org_id=`) costs one call per 500 persons of each synced org; all persons
(`/api/v2/persons`) costs one call per 500 persons of the whole company. The org listing asked for each
org's `people_count`, so the run knows both costs before it spends either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings

from customers import services as accounts
from customers.models import CustomerAccount
from integrations.pipedrive.selection import parse_time

if TYPE_CHECKING:
    from integrations.pipedrive.sync import SyncEngine


def _page_size() -> int:
    return settings.PIPEDRIVE_PAGE_SIZE


OVERLAP = timedelta(minutes=5)


@dataclass
class PersonsResult:
    strategy: str = ""
    upserted: int = 0
    affected_account_ids: set[int] = field(default_factory=set)
    max_update_time: datetime | None = None

    def note(self, persons: list[dict]) -> None:
        for person in persons:
            updated = parse_time(person.get("update_time"))
            if updated and (self.max_update_time is None or updated > self.max_update_time):
                self.max_update_time = updated


def calls_for(count: int) -> int:
    """List calls needed for `count` records."""
    return -(-count // _page_size())


def _accounts_touched(engine: SyncEngine, *, new_only: bool) -> list[tuple[int, int, int]]:
    """(account pk, Pipedrive org id, people_count) of live accounts this run touched (or created)."""
    qs = CustomerAccount.objects.for_tenant(engine.connection.tenant_id).filter(
        source_connection=engine.connection,
        source_company_id=engine.connection.company_id,
        removed_at__isnull=True,
        last_seen_at__gte=engine.epoch,
    )
    if new_only:
        qs = qs.filter(first_seen_at__gte=engine.epoch)
    return list(qs.order_by("external_id").values_list("pk", "external_id", "source_people_count"))


def _account_map(engine: SyncEngine) -> dict[int, int]:
    return dict(
        CustomerAccount.objects.for_tenant(engine.connection.tenant_id)
        .filter(
            source_connection=engine.connection, source_company_id=engine.connection.company_id, removed_at__isnull=True
        )
        .values_list("external_id", "pk")
    )


def _upsert_page(
    engine: SyncEngine, result: PersonsResult, page: list[dict], account_by_org: dict[int, int], *, drop_strays: bool
) -> None:
    result.note(page)
    result.upserted += accounts.contacts_upsert(
        connection=engine.connection, persons=page, account_by_org=account_by_org, seen_at=engine.epoch
    )
    result.affected_account_ids.update(account_by_org[p["org_id"]] for p in page if p.get("org_id") in account_by_org)
    if drop_strays:
        # A changed person now outside every synced org: if we had them as a contact, they moved away.
        strays = [int(p["id"]) for p in page if p.get("org_id") not in account_by_org]
        if strays:
            result.affected_account_ids.update(
                accounts.contacts_delete_external(connection=engine.connection, external_ids=strays)
            )
    engine.run.contacts_upserted = result.upserted
    engine._save_progress("contacts_upserted")


def _page_all(
    engine: SyncEngine, result: PersonsResult, account_by_org: dict[int, int], params: dict, *, drop_strays: bool
) -> None:
    for page in engine.client.iter_v2_pages("/api/v2/persons", params):
        _upsert_page(engine, result, page, account_by_org, drop_strays=drop_strays)


def _page_per_org(
    engine: SyncEngine, result: PersonsResult, account_by_org: dict[int, int], orgs: list[tuple[int, int, int]]
) -> None:
    for _account_pk, org_id, count in orgs:
        if not count:
            continue
        for page in engine.client.iter_v2_pages("/api/v2/persons", {"org_id": org_id}):
            _upsert_page(engine, result, page, account_by_org, drop_strays=False)


def pull(*, engine: SyncEngine) -> PersonsResult:
    result = PersonsResult()
    account_by_org = _account_map(engine)
    people = engine.run.details.get("people", {})
    all_calls = calls_for(people.get("all", 0)) + 1  # +1: persons without an org are not in any people_count
    if engine.full:
        orgs = _accounts_touched(engine, new_only=False)
        per_org_calls = sum(calls_for(count) for _, _, count in orgs)
        if per_org_calls < all_calls:
            result.strategy = "per_org"
            _page_per_org(engine, result, account_by_org, orgs)
            touched = [pk for pk, _, _ in orgs]
        else:
            result.strategy = "all"
            _page_all(engine, result, account_by_org, {"sort_by": "id", "sort_direction": "asc"}, drop_strays=False)
            touched = None
        # The listing was complete: contacts it did not include were deleted or moved in Pipedrive.
        result.affected_account_ids.update(
            accounts.contacts_delete_unseen(connection=engine.connection, account_ids=touched, seen_since=engine.epoch)
        )
        return result

    # Incremental: persons changed since the high-water mark, plus everyone at orgs new to this run.
    since = (engine.config.persons_high_water or engine.epoch) - OVERLAP
    new_orgs = _accounts_touched(engine, new_only=True)
    new_calls = sum(calls_for(count) for _, _, count in new_orgs)
    if new_calls >= all_calls:
        result.strategy = "all"
        _page_all(engine, result, account_by_org, {"sort_by": "id", "sort_direction": "asc"}, drop_strays=True)
        return result
    result.strategy = "changed+new_orgs"
    params = {
        "updated_since": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sort_by": "update_time",
        "sort_direction": "asc",
    }
    _page_all(engine, result, account_by_org, params, drop_strays=True)
    _page_per_org(engine, result, account_by_org, new_orgs)
    return result
