"""Removal: only after a complete listing, after the grace period, undone by qualifying again, guarded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from customers.models import CustomerAccount
from integrations.models import SyncRun
from integrations.pipedrive.runs import sync_connection_run
from tests.integrations.sandbox_helpers import ACME
from tests.integrations.sync_helpers import configure, live_accounts

pytestmark = pytest.mark.django_db


def travel(tenant, external_id, days):
    """Move an account's removal mark `days` into the past, as if that much time had gone by."""
    CustomerAccount.objects.for_tenant(tenant).filter(external_id=external_id).update(
        pending_removal_since=timezone.now() - timedelta(days=days)
    )


def account(tenant, external_id):
    return CustomerAccount.objects.for_tenant(tenant).get(external_id=external_id)


def test_grace_period_with_an_account_that_qualifies_again(gen_sandbox, tenant):
    connection, config, _ = configure(gen_sandbox, tenant, removal_grace_days=3, mass_removal_threshold_pct=100)
    sync_connection_run(connection_id=connection.pk)
    comeback, deleted = list(live_accounts(tenant))[:2]
    gen_sandbox.advance_clock(60)
    gen_sandbox.mutate(
        ACME,
        [
            {"op": "set_org_field", "id": comeback, "field": "Account Status", "value": "Prospect"},
            {"op": "delete_org", "id": deleted},
        ],
    )
    run = sync_connection_run(connection_id=connection.pk, force_full=True)
    assert run.accounts_pending_removal == 2 and run.accounts_removed == 0
    assert account(tenant, comeback).pending_removal_since and account(tenant, deleted).pending_removal_since

    travel(tenant, comeback, 2)
    travel(tenant, deleted, 2)
    sync_connection_run(connection_id=connection.pk, force_full=True)
    assert account(tenant, deleted).removed_at is None  # 2 of 3 days: still waiting

    gen_sandbox.advance_clock(60)
    gen_sandbox.mutate(ACME, [{"op": "set_org_field", "id": comeback, "field": "Account Status", "value": "Active"}])
    travel(tenant, deleted, 3)
    run = sync_connection_run(connection_id=connection.pk)
    assert account(tenant, comeback).pending_removal_since is None  # qualified again: the mark is cleared
    assert account(tenant, comeback).removed_at is None
    assert account(tenant, deleted).removed_at is not None and run.accounts_removed == 1
    assert deleted not in live_accounts(tenant)
    assert CustomerAccount.objects.for_tenant(tenant).filter(external_id=deleted).exists()  # soft-deleted


def test_a_removed_account_that_qualifies_again_is_restored(gen_sandbox, tenant):
    connection, config, _ = configure(gen_sandbox, tenant, removal_grace_days=1, mass_removal_threshold_pct=100)
    sync_connection_run(connection_id=connection.pk)
    org = next(iter(live_accounts(tenant)))
    gen_sandbox.advance_clock(60)
    gen_sandbox.mutate(ACME, [{"op": "set_org_field", "id": org, "field": "Account Status", "value": "Inactive"}])
    sync_connection_run(connection_id=connection.pk, force_full=True)
    travel(tenant, org, 2)
    sync_connection_run(connection_id=connection.pk, force_full=True)
    assert account(tenant, org).removed_at is not None
    gen_sandbox.advance_clock(60)
    gen_sandbox.mutate(ACME, [{"op": "set_org_field", "id": org, "field": "Account Status", "value": "Churned"}])
    run = sync_connection_run(connection_id=connection.pk)
    restored = account(tenant, org)
    assert run.accounts_restored == 1 and restored.removed_at is None and restored.status == "churned"


def test_mass_removal_is_held_until_the_admin_confirms(gen_sandbox, tenant, admin_client, member_client):
    connection, config, _ = configure(gen_sandbox, tenant, mass_removal_threshold_pct=30)
    sync_connection_run(connection_id=connection.pk)
    live = list(live_accounts(tenant))
    leaving = live[: len(live) // 2]
    gen_sandbox.advance_clock(60)
    gen_sandbox.mutate(
        ACME, [{"op": "set_org_field", "id": org, "field": "Account Status", "value": "Prospect"} for org in leaving]
    )
    run = sync_connection_run(connection_id=connection.pk, force_full=True)
    assert run.outcome == "succeeded" and run.removals_held and len(run.held_removal_ids) == len(leaving)
    assert not CustomerAccount.objects.for_tenant(tenant).filter(pending_removal_since__isnull=False).exists()
    page = admin_client.get(reverse("integrations:pipedrive_settings", args=[connection.pk])).content.decode()
    assert "held back" in page and f"Confirm {len(leaving)} removals" in page

    url = reverse("integrations:pipedrive_confirm_removals", args=[connection.pk, run.pk])
    assert member_client.post(url).status_code == 403
    response = admin_client.post(url, follow=True)
    assert f"{len(leaving)} accounts start their 3-day removal grace".encode() in response.content
    marked = set(
        CustomerAccount.objects.for_tenant(tenant)
        .filter(pending_removal_since__isnull=False)
        .values_list("external_id", flat=True)
    )
    assert marked == set(leaving)
    assert AuditEvent.objects.for_tenant(tenant).filter(action="sync.removals_confirmed").exists()
    again = admin_client.post(url, follow=True)
    assert b"already confirmed" in again.content


def test_an_incomplete_listing_marks_nothing_then_a_clean_run_converges(gen_sandbox, tenant, settings):
    settings.PIPEDRIVE_PAGE_SIZE = 35  # 160 orgs: 5 pages
    connection, config, _ = configure(gen_sandbox, tenant, mass_removal_threshold_pct=100)
    sync_connection_run(connection_id=connection.pk)
    gone = list(live_accounts(tenant))[:3]
    gen_sandbox.advance_clock(60)
    gen_sandbox.mutate(ACME, [{"op": "delete_org", "id": org} for org in gone])
    gen_sandbox.set_fault(path="/api/v2/organizations", on_call=3, status=500, count=3)  # page 3 fails, retries too
    failed = sync_connection_run(connection_id=connection.pk, force_full=True)
    assert failed.outcome == SyncRun.Outcome.FAILED and "500" in failed.error_message
    assert failed.step == "organizations" and failed.orgs_seen == 70
    assert not CustomerAccount.objects.for_tenant(tenant).filter(pending_removal_since__isnull=False).exists()

    clean = sync_connection_run(connection_id=connection.pk, force_full=True)
    assert clean.outcome == "succeeded" and clean.details["resumed_from"] == failed.pk
    assert clean.orgs_seen == 160 - 3 - 70  # it picked up at page 3
    pending = set(
        CustomerAccount.objects.for_tenant(tenant)
        .filter(pending_removal_since__isnull=False)
        .values_list("external_id", flat=True)
    )
    assert pending == set(gone)


@pytest.mark.parametrize("action", [{"action": "malformed_json"}, {"status": 503, "count": 3}])
def test_a_broken_persons_page_fails_the_run_and_marks_nothing(gen_sandbox, tenant, action):
    connection, config, _ = configure(gen_sandbox, tenant, mass_removal_threshold_pct=100)
    sync_connection_run(connection_id=connection.pk)
    gen_sandbox.advance_clock(60)
    gen_sandbox.mutate(ACME, [{"op": "delete_org", "id": next(iter(live_accounts(tenant)))}])
    gen_sandbox.set_fault(path="/api/v2/persons", on_call=1, **action)
    run = sync_connection_run(connection_id=connection.pk, force_full=True)
    assert run.outcome == "failed" and run.step == "persons"
    assert not CustomerAccount.objects.for_tenant(tenant).filter(pending_removal_since__isnull=False).exists()
