"""Step 2 in a browser: choose the field, watch the values update, preview, save, Sync now, see accounts."""

import re

import pytest
from playwright.sync_api import expect

from customers.models import CustomerAccount
from integrations.models import SyncConfig, SyncRun
from tests.browser.conftest import login
from tests.factories import DEFAULT_PASSWORD
from tests.integrations.sandbox_helpers import ACME, ALICE, connected

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE, CHURNED = ["Active", "Live"], ["Churned"]


def expected_accounts(sb) -> tuple[set[str], set[str]]:
    """Independently of the app: (active names, churned names) of top-level orgs with those values."""
    token = sb.api_token(ACME, ALICE)
    _, _, fields = sb.api("GET", "/api/v2/organizationFields", api_token=token, params={"limit": 500})
    field = next(f for f in fields["data"] if f["field_name"] == "Account Status")
    labels = {o["id"]: o["label"] for o in field["options"]}
    active, churned, cursor = set(), set(), None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        _, _, body = sb.api("GET", "/api/v2/organizations", api_token=token, params=params)
        for org in body["data"]:
            label = labels.get((org.get("custom_fields") or {}).get(field["field_code"]))
            if label not in ACTIVE + CHURNED:
                continue
            _, _, rels = sb.api("GET", "/v1/organizationRelationships", api_token=token, params={"org_id": org["id"]})
            is_child = any(
                r["type"] == "parent" and r["rel_linked_org_id"]["value"] == org["id"] for r in rels["data"] or []
            )
            if not is_child:
                (active if label in ACTIVE else churned).add(org["name"])
        cursor = (body.get("additional_data") or {}).get("next_cursor")
        if not cursor:
            return active, churned


@pytest.mark.smoke
def test_choose_field_preview_save_sync_and_see_accounts(page, sandbox, tenant, admin_user):
    conn = connected(sandbox, tenant, company_id=ACME, user=admin_user)
    active, churned = expected_accounts(sandbox)
    assert active and churned
    login(page, admin_user.email, DEFAULT_PASSWORD)
    page.goto("/settings/integrations/")
    page.locator("#provider-pipedrive").get_by_role("link", name="Configure").click()
    expect(page.get_by_text("Choose a field to see its values.")).to_be_visible()
    expect(page.get_by_role("button", name="Sync now")).to_have_count(0)  # nothing to sync before saving

    page.get_by_label("Active customer field").select_option(label="Account Status (single option)")
    active_values = page.get_by_label("Active values")
    expect(active_values).to_be_visible()  # loaded by htmx from the field's options
    expect(active_values.locator("option")).to_have_count(9)
    active_values.select_option(label=ACTIVE)
    page.get_by_label("Churn values").select_option(label=CHURNED)

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview-result")
    expect(preview).to_be_visible()
    expect(page.locator("#preview-active")).to_have_text(str(len(active)))
    expect(page.locator("#preview-churned")).to_have_text(str(len(churned)))
    expect(preview.locator("#preview-sample")).to_contain_text(sorted(active | churned, key=str.lower)[0])
    assert not SyncConfig.objects.for_tenant(tenant).exists()  # a preview saves nothing

    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash-success")).to_contain_text("Pipedrive settings saved")
    page.get_by_role("button", name="Sync now").click()
    history = page.locator("#runs")
    expect(history.locator("tr.run").first).to_contain_text("Succeeded")
    run = SyncRun.objects.for_tenant(tenant).get()
    assert run.outcome == "succeeded" and run.trigger == "manual" and run.kind == "full"

    page.get_by_role("link", name="Accounts").click()
    table = page.locator("#accounts")
    expect(table).to_be_visible()
    names = set(CustomerAccount.objects.for_tenant(tenant).visible().values_list("name", flat=True))
    assert names == active | churned
    expect(page.locator(".tabs")).to_contain_text(f"Active {len(active)}")
    page.get_by_role("link", name=f"Churned {len(churned)}").click()
    expect(table.locator("tbody tr")).to_have_count(len(churned))
    first = sorted(churned, key=str.lower)[0]
    table.get_by_role("link", name=first).click()
    expect(page.get_by_role("heading", name=first)).to_be_visible()
    expect(page.locator("#provenance")).to_contain_text("Pipedrive · Acme Analytics")
    expect(page.locator("#pipedrive-link")).to_have_attribute(
        "href",
        f"{conn.company_url}/organization/"
        + str(CustomerAccount.objects.for_tenant(tenant).get(name=first).external_id),
    )


def test_validation_errors_are_shown_and_nothing_saved(page, sandbox, tenant, admin_user):
    connected(sandbox, tenant, company_id=ACME, user=admin_user)
    login(page, admin_user.email, DEFAULT_PASSWORD)
    page.goto("/settings/integrations/")
    page.locator("#provider-pipedrive").get_by_role("link", name="Configure").click()
    page.get_by_label("Active customer field").select_option(label="Account Status (single option)")
    page.get_by_label("Active values").select_option(label=["Active"])
    page.get_by_label("Churn values").select_option(label=["Active", "Churned"])
    page.get_by_label("Removal grace period (days)").fill("45")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash-error")).to_contain_text("not saved")
    expect(page.get_by_text("cannot be both an active value and a churn value")).to_be_visible()
    expect(page.get_by_text("less than or equal to 30")).to_be_visible()
    assert not SyncConfig.objects.for_tenant(tenant).exists()


def test_child_organizations_toggle_is_staff_only(page, sandbox, tenant, admin_user):
    connected(sandbox, tenant, company_id=ACME, user=admin_user)
    login(page, admin_user.email, DEFAULT_PASSWORD)
    page.goto("/settings/integrations/")
    page.locator("#provider-pipedrive").get_by_role("link", name="Configure").click()
    toggle = page.get_by_label("Include child organizations")
    expect(toggle).to_be_disabled()
    expect(page.get_by_text("ask your account manager to enable this")).to_be_visible()


def test_staff_enable_child_organizations_in_django_admin(page, sandbox, tenant, admin_user):
    from tests.factories import UserFactory
    from tests.integrations.factories import SyncConfigFactory

    conn = connected(sandbox, tenant, company_id=ACME, user=admin_user)
    config = SyncConfigFactory(connection=conn)
    staff = UserFactory(email="staff@staircase.test", is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.get_by_label(re.compile("mail address", re.I)).fill(staff.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Sync configs").click()
    page.locator("#result_list").get_by_role("link", name=tenant.name).click()
    page.get_by_label("Include child organizations").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    config.refresh_from_db()
    assert config.include_children is True
    expect(page.locator("#content")).not_to_contain_text(conn.access_token)
