"""Domains stored as AccountDomain rows: full and incremental refresh agree with infer_domains."""

import random

import pytest

from customers.domain_sync import domains_refresh, shared_with
from customers.domains import infer_domains
from customers.models import AccountDomain, Contact, CustomerAccount, DomainRules
from integrations.pipedrive.runs import sync_connection_run
from tests.customers.factories import AccountFactory, ContactFactory
from tests.integrations.sync_helpers import configure

pytestmark = pytest.mark.django_db


def stored(tenant):
    out = {}
    for account_id, domain, kind in (
        AccountDomain.objects.for_tenant(tenant).exclude(kind="other").values_list("account_id", "domain", "kind")
    ):
        entry = out.setdefault(account_id, {"primary": None, "secondary": set()})
        if kind == "primary":
            entry["primary"] = domain
        else:
            entry["secondary"].add(domain)
    return out


def expected(tenant):
    rules = DomainRules.objects.for_tenant(tenant).filter(tenant=tenant).first() or DomainRules(tenant=tenant)
    live = CustomerAccount.objects.for_tenant(tenant).visible()
    contacts = {a.pk: [c.emails for c in a.contacts.all()] for a in live.prefetch_related("contacts")}
    result = infer_domains(
        contacts, min_secondary_contacts=rules.min_secondary_contacts, allow=rules.allow, block=rules.block
    )
    return {a: {"primary": r.primary, "secondary": set(r.secondary)} for a, r in result.items() if r.primary}


def people(account, domain, n, start=0):
    for i in range(n):
        ContactFactory(account=account, emails=[f"p{start + i}@{domain}"])


def test_full_refresh_stores_primary_and_unique_secondaries(tenant):
    acme, globex, initech = (AccountFactory(tenant=tenant, name=n) for n in ("Acme", "Globex", "Initech"))
    people(acme, "acme.com", 4)
    people(acme, "acme-labs.io", 3)
    people(acme, "shared.net", 3)
    people(globex, "globex.com", 2)
    people(globex, "shared.net", 1, start=10)
    ContactFactory(account=initech, emails=["someone@gmail.com"])
    change = domains_refresh(tenant_id=tenant.pk)
    assert stored(tenant) == {
        acme.pk: {"primary": "acme.com", "secondary": {"acme-labs.io"}},
        globex.pk: {"primary": "globex.com", "secondary": set()},
    }
    assert change.added == 3 and change.removed == 0
    assert domains_refresh(tenant_id=tenant.pk).added == 0  # idempotent


def test_removing_an_account_makes_a_domain_unique_again(tenant):
    acme, globex = AccountFactory(tenant=tenant, name="Acme"), AccountFactory(tenant=tenant, name="Globex")
    people(acme, "acme.com", 4)
    people(acme, "shared.net", 3)
    people(globex, "globex.com", 2)
    people(globex, "shared.net", 1, start=10)
    domains_refresh(tenant_id=tenant.pk)
    assert stored(tenant)[acme.pk]["secondary"] == set()
    CustomerAccount.objects.for_tenant(tenant).filter(pk=globex.pk).update(removed_at="2026-01-01T00:00:00Z")
    change = domains_refresh(tenant_id=tenant.pk, account_ids=[globex.pk])
    assert stored(tenant) == {acme.pk: {"primary": "acme.com", "secondary": {"shared.net"}}}
    assert change.added == 1 and change.removed == 1  # shared.net appears at Acme, globex.com goes


@pytest.mark.smoke
def test_incremental_refresh_matches_a_full_recompute(tenant):
    rng = random.Random(5)
    domains = [f"d{i}.com" for i in range(12)] + ["gmail.com"]
    accounts = [AccountFactory(tenant=tenant) for _ in range(25)]
    for account in accounts:
        for _ in range(rng.randint(0, 8)):
            ContactFactory(
                account=account, emails=[f"x{rng.random()}@{rng.choice(domains)}" for _ in range(rng.randint(1, 2))]
            )
    domains_refresh(tenant_id=tenant.pk)
    for _ in range(6):  # change a few accounts' contacts, refresh only them
        changed = rng.sample(accounts, 3)
        for account in changed:
            doomed = list(Contact.objects.for_tenant(tenant).filter(account=account).values_list("pk", flat=True)[:1])
            if doomed and rng.random() < 0.5:
                Contact.objects.for_tenant(tenant).filter(pk__in=doomed).delete()
            for _ in range(rng.randint(1, 4)):
                ContactFactory(account=account, emails=[f"y{rng.random()}@{rng.choice(domains)}"])
        domains_refresh(tenant_id=tenant.pk, account_ids=[a.pk for a in changed])
        assert stored(tenant) == expected(tenant)


def test_rules_allow_block_and_threshold(tenant):
    acme = AccountFactory(tenant=tenant, name="Acme")
    people(acme, "zoho.com", 3)
    people(acme, "acme.com", 2, start=10)
    people(acme, "agency.io", 5, start=20)
    DomainRules.objects.create(tenant=tenant, allow=["zoho.com"], block=["agency.io"], min_secondary_contacts=2)
    domains_refresh(tenant_id=tenant.pk)
    assert stored(tenant) == {acme.pk: {"primary": "zoho.com", "secondary": {"acme.com"}}}


def test_shared_primary_is_reported_for_display(tenant, other_tenant):
    a, b = AccountFactory(tenant=tenant, name="Alpha"), AccountFactory(tenant=tenant, name="Beta")
    people(a, "common.com", 2)
    people(b, "common.com", 3, start=5)
    foreign = AccountFactory(tenant=other_tenant, name="Foreign")
    people(foreign, "common.com", 3, start=50)
    domains_refresh(tenant_id=tenant.pk)
    domains_refresh(tenant_id=other_tenant.pk)
    assert shared_with(tenant_id=tenant.pk, account_ids=[a.pk, b.pk]) == {
        a.pk: {"common.com": ["Beta"]},
        b.pk: {"common.com": ["Alpha"]},
    }
    assert shared_with(tenant_id=other_tenant.pk, account_ids=[foreign.pk]) == {}  # other tenants never count


def test_a_sync_stores_what_infer_domains_says(tenant, settings):
    from sandbox.testing import running_sandbox

    with running_sandbox(orgs=40, persons_per_org=30, seed=8) as sb:
        settings.PIPEDRIVE_OAUTH_BASE_URL = sb.url
        settings.PIPEDRIVE_ALLOWED_API_ORIGINS = [sb.url]
        _sync_and_compare(sb, tenant)


def _sync_and_compare(gen_sandbox, tenant):
    connection, _, _ = configure(gen_sandbox, tenant)
    run = sync_connection_run(connection_id=connection.pk)
    assert stored(tenant) == expected(tenant) and run.domains_added == sum(
        1 + len(v["secondary"]) for v in expected(tenant).values()
    )
    secondaries = sum(len(v["secondary"]) for v in expected(tenant).values())
    assert secondaries > 0, "the generated data should give some accounts a unique secondary domain"
    # Contacts change in Pipedrive; the incremental run recomputes just enough to stay exact.
    some = Contact.objects.for_tenant(tenant).select_related("account")[:3]
    from tests.integrations.sandbox_helpers import ACME

    gen_sandbox.advance_clock(60)
    gen_sandbox.mutate(
        ACME,
        [
            {
                "op": "update_person",
                "id": c.external_id,
                "emails": [{"value": f"new{c.pk}@brand-new-domain.com", "primary": True, "label": "work"}],
            }
            for c in some
        ],
    )
    again = sync_connection_run(connection_id=connection.pk)
    assert again.kind == "incremental" and stored(tenant) == expected(tenant)
