"""Apply domain inference (domains.py) to a tenant's accounts and store it as AccountDomain rows.

Every counted domain of every live account is stored (kind primary, secondary or other) with its contact
counts. Those rows are the tally of stage one of the rule, so an incremental refresh re-reads contacts
only of the accounts whose contacts changed, then decides again for them and for every account sharing a
domain with them (uniqueness changes on both sides), judged against the whole tenant through the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from customers.domains import AccountDomains, DomainTally, decide_domains, tally_domains
from customers.models import AccountDomain, Contact, CustomerAccount, DomainRules

CHUNK = 2000


@dataclass
class DomainChange:
    added: int = 0
    removed: int = 0


def rules_for(tenant_id: int) -> DomainRules:
    return DomainRules.objects.for_tenant(tenant_id).filter(tenant_id=tenant_id).first() or DomainRules(
        tenant_id=tenant_id
    )


def _contacts_by_account(tenant_id: int, account_ids: list[int] | None) -> Iterable[tuple[int, list[list[str]]]]:
    """(account id, its contacts' address lists), streamed in account order.

    No join to the accounts table: the caller skips removed accounts. Joined, PostgreSQL plans the
    server-side cursor for a fast first row and takes a minute over 200k contacts.
    """
    rows = Contact.objects.for_tenant(tenant_id)
    if account_ids is not None:
        rows = rows.filter(account_id__in=account_ids)
    current, emails = None, []
    for account_id, addresses in (
        rows.order_by("account_id").values_list("account_id", "emails").iterator(chunk_size=CHUNK)
    ):
        if account_id != current:
            if current is not None:
                yield current, emails
            current, emails = account_id, []
        if addresses:
            emails.append(addresses)
    if current is not None:
        yield current, emails


def _tallies(tenant_id: int, rules: DomainRules, account_ids: list[int] | None) -> dict[int, DomainTally]:
    live = CustomerAccount.objects.for_tenant(tenant_id).visible()
    if account_ids is not None:
        live = live.filter(pk__in=account_ids)
    empty = DomainTally(counts={}, primaries={})
    tallies: dict[int, DomainTally] = dict.fromkeys(live.values_list("pk", flat=True), empty)
    for account_id, contacts in _contacts_by_account(tenant_id, account_ids):
        if account_id in tallies:
            tallies[account_id] = tally_domains(contacts, allow=rules.allow, block=rules.block)
    return tallies


def _rows_tallies(tenant_id: int, account_ids: Iterable[int]) -> dict[int, DomainTally]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    primaries: dict[int, dict[str, int]] = defaultdict(dict)
    ids = list(account_ids)
    for start in range(0, len(ids), CHUNK):
        for account_id, domain, contacts, primary in (
            AccountDomain.objects.for_tenant(tenant_id)
            .filter(account_id__in=ids[start : start + CHUNK])
            .values_list("account_id", "domain", "contacts", "primary_contacts")
        ):
            counts[account_id][domain] = contacts
            primaries[account_id][domain] = primary
    return {a: DomainTally(counts=counts.get(a, {}), primaries=primaries.get(a, {})) for a in ids}


def domains_refresh(*, tenant_id: int, account_ids: Iterable[int] | None = None) -> DomainChange:
    """Recompute domains: of every live account (None), or of these accounts and those sharing with them."""
    rules = rules_for(tenant_id)
    if account_ids is None:
        tallies = _tallies(tenant_id, rules, None)
        decided = decide_domains(tallies, min_secondary_contacts=rules.min_secondary_contacts)
        return _store(tenant_id, tallies, decided, replace_all=True)

    changed = sorted(set(account_ids))
    if not changed:
        return DomainChange()
    fresh = _tallies(tenant_id, rules, changed)  # removed accounts drop out: no tally, rows deleted
    rows = AccountDomain.objects.for_tenant(tenant_id)
    old_domains = set(rows.filter(account_id__in=changed).values_list("domain", flat=True))
    touched = old_domains | {d for t in fresh.values() for d in t.counts}
    neighbours = set(
        rows.filter(domain__in=touched, account__removed_at__isnull=True)
        .exclude(account_id__in=changed)
        .values_list("account_id", flat=True)
    )
    tallies = {**_rows_tallies(tenant_id, neighbours), **fresh}
    domains = {d for t in tallies.values() for d in t.counts}
    users: dict[str, set[int]] = defaultdict(set)
    for account_id, domain in (
        rows.filter(domain__in=domains, account__removed_at__isnull=True)
        .exclude(account_id__in=changed)
        .values_list("account_id", "domain")
    ):
        users[domain].add(account_id)
    for account_id, tally in fresh.items():
        for domain in tally.counts:
            users[domain].add(account_id)
    decided = decide_domains(tallies, users_by_domain=users, min_secondary_contacts=rules.min_secondary_contacts)
    return _store(tenant_id, tallies, decided, replace_all=False, dropped=[a for a in changed if a not in fresh])


def _kind(result: AccountDomains, domain: str) -> str:
    if domain == result.primary:
        return AccountDomain.Kind.PRIMARY
    if domain in result.secondary:
        return AccountDomain.Kind.SECONDARY
    return AccountDomain.Kind.OTHER


@transaction.atomic
def _store(
    tenant_id: int,
    tallies: dict[int, DomainTally],
    decided: dict[int, AccountDomains],
    *,
    replace_all: bool,
    dropped: Iterable[int] = (),
) -> DomainChange:
    """Write the rows that differ; count primary/secondary domains that appeared or went away."""
    now = timezone.now()
    wanted = {
        (account_id, domain): (_kind(decided[account_id], domain), tally.counts[domain], tally.primaries.get(domain, 0))
        for account_id, tally in tallies.items()
        for domain in tally.counts
    }
    rows = AccountDomain.objects.for_tenant(tenant_id)
    scope = list(tallies) + list(dropped)
    existing = {}
    if replace_all:
        source = rows.values_list("pk", "account_id", "domain", "kind", "contacts", "primary_contacts").iterator(
            chunk_size=CHUNK
        )
    else:
        source = rows.filter(account_id__in=scope).values_list(
            "pk", "account_id", "domain", "kind", "contacts", "primary_contacts"
        )
    for pk, account_id, domain, kind, contacts, primary in source:
        existing[(account_id, domain)] = (pk, (kind, contacts, primary))
    change = DomainChange()
    shown = (AccountDomain.Kind.PRIMARY, AccountDomain.Kind.SECONDARY)
    stale, changed_rows = [], []
    for key, (pk, old) in existing.items():
        new = wanted.get(key)
        if new is None:
            stale.append(pk)
        elif new != old:
            changed_rows.append(
                AccountDomain(pk=pk, kind=new[0], contacts=new[1], primary_contacts=new[2], updated_at=now)
            )
        if old[0] in shown and (new is None or new[0] not in shown):
            change.removed += 1
        if new is not None and new[0] in shown and old[0] not in shown:
            change.added += 1
    for start in range(0, len(stale), CHUNK):
        rows.filter(pk__in=stale[start : start + CHUNK]).delete()
    rows.bulk_update(changed_rows, ["kind", "contacts", "primary_contacts", "updated_at"], batch_size=CHUNK)
    created = [
        AccountDomain(
            tenant_id=tenant_id, account_id=a, domain=d, kind=k, contacts=c, primary_contacts=p, updated_at=now
        )
        for (a, d), (k, c, p) in wanted.items()
        if (a, d) not in existing
    ]
    AccountDomain.objects.bulk_create(created, batch_size=CHUNK)
    change.added += sum(1 for row in created if row.kind in shown)
    return change


def shared_with(*, tenant_id: int, account_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """For display: account → {its primary/secondary domain → names of other live accounts using it}."""
    rows = AccountDomain.objects.for_tenant(tenant_id)
    mine = list(
        rows.filter(account_id__in=list(account_ids))
        .exclude(kind=AccountDomain.Kind.OTHER)
        .values_list("account_id", "domain")
    )
    users: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for account_id, domain, name in rows.filter(
        domain__in={d for _, d in mine}, account__removed_at__isnull=True
    ).values_list("account_id", "domain", "account__name"):
        users[domain].append((account_id, name))
    out: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for account_id, domain in mine:
        others = sorted(name for other_id, name in users[domain] if other_id != account_id)
        if others:
            out[account_id][domain] = others
    return out
