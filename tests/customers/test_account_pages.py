"""The Accounts list and detail pages."""

import re
from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.domain_sync import domains_refresh
from customers.models import CustomerAccount
from customers.services import accounts_recount_contacts
from integrations.models import SyncConfig
from tests.customers.factories import AccountFactory, ContactFactory
from tests.integrations.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    """Account names listed in the table, in order."""
    return re.findall(r'<a href="/accounts/\d+/"><strong>([^<]+)</strong></a>', html)


@pytest.fixture
def book(tenant):
    conn = ConnectionFactory(
        tenant=tenant, company_id=7001, company_name="Acme Analytics", company_domain="acme-analytics"
    )
    SyncConfig.objects.create(tenant=tenant, connection=conn, removal_grace_days=5)
    make = lambda **kw: AccountFactory(tenant=tenant, source_connection=conn, **kw)  # noqa: E731
    accounts = {
        "alpha": make(name="Alpha Corp", status="active"),
        "beta": make(name="Beta GmbH", status="churned"),
        "gamma": make(name="Gamma Ltd", status="active", pending_removal_since=timezone.now() - timedelta(days=1)),
        "gone": make(name="Gone Inc", status="active", removed_at=timezone.now()),
    }
    for i in range(3):
        ContactFactory(account=accounts["alpha"], emails=[f"a{i}@alpha.io"])
    ContactFactory(account=accounts["beta"], name="Bea Beta", emails=["bea@alpha.io", "bea@gmail.com"])
    domains_refresh(tenant_id=tenant.pk)
    accounts_recount_contacts(connection=conn, account_ids=None)  # what the sync does after persons
    return accounts


def test_list_filters_by_status_and_hides_removed(admin_client, book):
    page = admin_client.get(reverse("customers:list")).content.decode()
    assert "Alpha Corp" in page and "Beta GmbH" in page and "Gamma Ltd" in page and "Gone Inc" not in page
    assert 'Active <span class="count">1</span>' in page and 'Pending removal <span class="count">1</span>' in page
    churned = admin_client.get(reverse("customers:list"), {"status": "churned"}).content.decode()
    assert rows(churned) == ["Beta GmbH"]
    pending = admin_client.get(reverse("customers:list"), {"status": "pending_removal"}).content.decode()
    assert rows(pending) == ["Gamma Ltd"]


def test_list_search_by_name_and_domain_and_shows_sharing(admin_client, book):
    by_name = admin_client.get(reverse("customers:list"), {"q": "beta"}).content.decode()
    assert rows(by_name) == ["Beta GmbH"]
    by_domain = admin_client.get(reverse("customers:list"), {"q": "@ALPHA.io"}).content.decode()
    assert rows(by_domain) == ["Alpha Corp", "Beta GmbH"]  # both have alpha.io as primary
    assert "shared with Beta GmbH" in by_domain
    nothing = admin_client.get(reverse("customers:list"), {"q": "zzz"}).content.decode()
    assert "No account matches" in nothing


def test_list_sorting_pagination_and_bad_input(admin_client, tenant, book):
    for i in range(60):
        AccountFactory(tenant=tenant, name=f"Zed {i:02d}")
    first = admin_client.get(reverse("customers:list"), {"sort": "-name"}).content.decode()
    assert first.index("Zed 59") < first.index("Zed 58") and "Page 1 of 2" in first
    second = admin_client.get(reverse("customers:list"), {"sort": "-name", "page": 2}).content.decode()
    assert "Alpha Corp" in second
    weird = admin_client.get(reverse("customers:list"), {"sort": "password", "status": "evil", "page": "x"})
    assert weird.status_code == 200
    by_contacts = admin_client.get(reverse("customers:list"), {"sort": "-contacts"}).content.decode()
    assert rows(by_contacts)[:2] == ["Alpha Corp", "Beta GmbH"]  # 3 contacts, then 1


def test_list_runs_a_constant_number_of_queries(admin_client, tenant, book):
    def queries():
        with CaptureQueriesContext(db) as captured:
            assert admin_client.get(reverse("customers:list")).status_code == 200
        return len(captured)

    small = queries()
    AccountFactory._meta.model.objects.bulk_create(
        [
            CustomerAccount(
                tenant=tenant, source_company_id=7001, external_id=900_000 + i, name=f"Bulk {i:05d}", status="active"
            )
            for i in range(3000)
        ]
    )
    domains_refresh(tenant_id=tenant.pk)
    assert queries() == small


def test_detail_shows_contacts_domains_provenance_and_removal_date(admin_client, book):
    alpha = admin_client.get(reverse("customers:detail", args=[book["alpha"].pk])).content.decode()
    assert "a0@alpha.io" in alpha and "alpha.io" in alpha and "shared with Beta GmbH" in alpha
    assert "Pipedrive · Acme Analytics" in alpha
    assert f"https://acme-analytics.pipedrive.com/organization/{book['alpha'].external_id}" in alpha
    gamma = admin_client.get(reverse("customers:detail", args=[book["gamma"].pk])).content.decode()
    due = (book["gamma"].pending_removal_since + timedelta(days=5)).strftime("%b %-d, %Y")
    assert "stopped qualifying" in gamma and due in gamma


def test_removed_and_foreign_accounts_are_404(admin_client, other_client, book):
    assert admin_client.get(reverse("customers:detail", args=[book["gone"].pk])).status_code == 404
    assert other_client.get(reverse("customers:detail", args=[book["alpha"].pk])).status_code == 404
    assert rows(other_client.get(reverse("customers:list")).content.decode()) == []


def test_member_can_read_accounts(member_client, book):
    assert member_client.get(reverse("customers:list")).status_code == 200
    assert member_client.get(reverse("customers:detail", args=[book["alpha"].pk])).status_code == 200


def test_empty_state_guides_admins_to_connect(admin_client):
    page = admin_client.get(reverse("customers:list")).content.decode()
    assert "No accounts yet" in page and reverse("integrations:index") in page
