"""The admin's journey through Pipedrive: connect (sandbox consent pages), configure, sync, disconnect."""

import re

import pytest
from playwright.sync_api import expect

from customers.models import CustomerAccount
from integrations.models import Connection
from tests.browser.conftest import login
from tests.factories import DEFAULT_PASSWORD
from tests.integrations.sandbox_helpers import ACME, connected

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sandbox_for_browser(sandbox, live_server, settings):
    """Point the sandbox's registered callback at the live server, as a real app registration would."""
    settings.PIPEDRIVE_REDIRECT_URI = f"{live_server.url}/integrations/pipedrive/callback/"
    sandbox.control(
        "POST", "clients", {"client_id": settings.PIPEDRIVE_CLIENT_ID, "redirect_uri": settings.PIPEDRIVE_REDIRECT_URI}
    )
    return sandbox


def connect_through_pipedrive(page, company: str) -> None:
    page.goto("/settings/integrations/")
    page.locator("#provider-pipedrive").get_by_role("button", name="Connect").click()
    expect(page.get_by_role("heading", name="Log in to Pipedrive")).to_be_visible()
    page.get_by_role("button", name=re.compile("Sign in as Alice Anders")).click()
    expect(page.get_by_role("heading", name="Choose account")).to_be_visible()
    page.get_by_role("button", name=re.compile(company)).click()
    expect(page.get_by_text("wants to access")).to_be_visible()
    page.get_by_role("button", name="Allow and install").click()


def test_connect_choose_account_allow_then_disconnect_both_ways(page, sandbox_for_browser, tenant, admin_user):
    login(page, admin_user.email, DEFAULT_PASSWORD)
    connect_through_pipedrive(page, "Globex Partners")
    expect(page.get_by_role("heading", name=re.compile("Pipedrive · Globex Partners"))).to_be_visible()
    expect(page.locator(".flash-success")).to_contain_text("Connected to Pipedrive (Globex Partners)")
    page.get_by_role("link", name="Settings · Integrations").click()
    card = page.locator("#provider-pipedrive")
    expect(card).to_contain_text("Globex Partners")
    expect(card).to_contain_text("globex-partners.pipedrive.com")
    expect(card).to_contain_text("Connected")

    # Disconnect, keeping the data.
    conn = Connection.objects.for_tenant(tenant).get()
    CustomerAccount.objects.create(
        tenant=tenant,
        source_connection=conn,
        source_company_id=conn.company_id,
        external_id=1,
        name="Kept Co",
        status="active",
    )
    card.get_by_role("link", name="Disconnect").click()
    page.get_by_label("Keep the data already in Staircase").check()
    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator(".flash-success")).to_contain_text("no longer syncing")
    expect(card).to_contain_text("Disconnected")
    assert CustomerAccount.objects.for_tenant(tenant).count() == 1

    # Connect again (another company) and disconnect, deleting the data.
    connect_through_pipedrive(page, "Acme Analytics")
    expect(page.get_by_role("heading", name=re.compile("Pipedrive · Acme Analytics"))).to_be_visible()
    conn.refresh_from_db()
    CustomerAccount.objects.create(
        tenant=tenant,
        source_connection=conn,
        source_company_id=conn.company_id,
        external_id=2,
        name="Deleted Co",
        status="active",
    )
    page.goto("/settings/integrations/")
    card.get_by_role("link", name="Disconnect").click()
    page.get_by_label("Delete the data pulled from Pipedrive").check()
    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator("#purge-progress")).to_contain_text("was deleted")
    assert set(CustomerAccount.objects.for_tenant(tenant).values_list("name", flat=True)) == {"Kept Co"}
    assert sandbox_for_browser.stats()["oauth"]["POST /oauth/revoke"]["calls"] == 2


def test_member_sees_the_card_read_only(page, sandbox, tenant, member_user):
    connected(sandbox, tenant, company_id=ACME)
    login(page, member_user.email, DEFAULT_PASSWORD)
    page.goto("/settings/integrations/")
    card = page.locator("#provider-pipedrive")
    expect(card).to_contain_text("Acme Analytics")
    expect(card.get_by_role("button", name="Connect")).to_have_count(0)
    expect(card.get_by_role("link", name="Disconnect")).to_have_count(0)
    conn = Connection.objects.for_tenant(tenant).get()
    assert page.goto(f"/settings/integrations/pipedrive/{conn.pk}/disconnect/").status == 403
