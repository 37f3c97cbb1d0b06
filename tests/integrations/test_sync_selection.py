"""Which orgs become accounts: enum and set values, children, contacts; full and incremental runs."""

import json

import pytest
from django.core.management import call_command

from customers.models import Contact, CustomerAccount
from integrations.models import SyncRun
from integrations.pipedrive.runs import sync_connection_run
from tests.integrations.sandbox_helpers import ACME
from tests.integrations.sync_helpers import all_orgs, configure, live_accounts, parents, qualifying

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_enum_selection_pulls_active_and_churned_and_leaves_the_rest(gen_sandbox, tenant):
    connection, config, field = configure(gen_sandbox, tenant)
    run = sync_connection_run(connection_id=connection.pk)
    assert run.outcome == SyncRun.Outcome.SUCCEEDED, run.error_message
    expected = qualifying(gen_sandbox, field)
    children = parents(gen_sandbox, expected)
    expected = {org: status for org, status in expected.items() if org not in children}
    assert live_accounts(tenant) == expected
    assert {"active", "churned"} <= set(expected.values())
    assert len(expected) < len(all_orgs(gen_sandbox))  # New, Inactive, Prospect… are not pulled
    assert run.orgs_seen == 160 and run.accounts_added == len(expected) and run.children_excluded == len(children)
    assert run.kind == SyncRun.Kind.FULL and run.api_calls > 0 and run.token_cost >= 10 * run.api_calls // 2


def test_set_field_selection_by_any_value(gen_sandbox, tenant):
    connection, config, field = configure(
        gen_sandbox, tenant, field="Tier", active=("Strategic", "Tier 1"), churned=("Tier 3",)
    )
    assert field["field_type"] == "set"
    sync_connection_run(connection_id=connection.pk)
    expected = qualifying(gen_sandbox, field, ("Strategic", "Tier 1"), ("Tier 3",))
    children = parents(gen_sandbox, expected)
    expected = {org: s for org, s in expected.items() if org not in children}
    assert live_accounts(tenant) == expected and expected


def test_children_are_excluded_unless_staff_include_them(gen_sandbox, tenant):
    connection, config, field = configure(gen_sandbox, tenant)
    sync_connection_run(connection_id=connection.pk)
    expected = qualifying(gen_sandbox, field)
    children = parents(gen_sandbox, expected)
    assert children, "the generated data must have child orgs that qualify"
    assert not set(children) & set(live_accounts(tenant))

    config.include_children = True
    config.save()
    run = sync_connection_run(connection_id=connection.pk, force_full=True)
    assert set(live_accounts(tenant)) == set(expected)
    linked = CustomerAccount.objects.for_tenant(tenant).filter(external_id__in=list(children))
    for child in linked:
        assert child.parent_external_id == children[child.external_id]
        if children[child.external_id] in expected:
            assert child.parent.external_id == children[child.external_id]
    assert run.relationship_lookups == 0  # a week-old cache answers; no second look-up


def test_relationship_lookups_stay_within_the_run_budget(gen_sandbox, tenant):
    connection, config, field = configure(gen_sandbox, tenant, relationship_budget_pct=1)
    run = sync_connection_run(connection_id=connection.pk)
    deferred = run.details["relationship_deferred"]
    assert (
        run.relationship_lookups * 20 <= run.details["relationship_budget"] == run.details["daily_token_limit"] // 100
    )
    assert run.relationship_lookups > 0 and deferred > 0  # the rest wait for the next runs
    second = sync_connection_run(connection_id=connection.pk, force_full=True)
    assert second.relationship_lookups > 0 and second.details["relationship_deferred"] < deferred


def test_contacts_are_upserted_with_emails_and_org_link(gen_sandbox, tenant):
    connection, _, _ = configure(gen_sandbox, tenant)
    run = sync_connection_run(connection_id=connection.pk)
    contacts = Contact.objects.for_tenant(tenant).select_related("account")
    assert run.contacts_upserted == contacts.count() > 0
    token = gen_sandbox.api_token(ACME, 501)
    sample = contacts.first()
    _, _, body = gen_sandbox.api("GET", f"/api/v2/persons/{sample.external_id}", api_token=token)
    person = body["data"]
    assert person["org_id"] == sample.account.external_id and sample.name == person["name"]
    assert sample.emails[0] == next(e["value"] for e in person["emails"] if e["primary"]).strip()
    assert run.details["persons_strategy"] in ("all", "per_org")


def test_incremental_run_fetches_only_what_changed(gen_sandbox, tenant):
    connection, config, field = configure(gen_sandbox, tenant)
    full = sync_connection_run(connection_id=connection.pk)
    org_id = next(iter(live_accounts(tenant)))
    gen_sandbox.advance_clock(600)
    gen_sandbox.mutate(ACME, [{"op": "update_org", "id": org_id, "name": "Renamed Org"}])
    incremental = sync_connection_run(connection_id=connection.pk)
    assert incremental.kind == SyncRun.Kind.INCREMENTAL and incremental.outcome == "succeeded"
    assert CustomerAccount.objects.for_tenant(tenant).get(external_id=org_id).name == "Renamed Org"
    assert incremental.api_calls < full.api_calls and incremental.orgs_seen < 20
    assert incremental.relationship_lookups <= 1


def test_incremental_drops_an_org_whose_status_changed(gen_sandbox, tenant):
    connection, config, field = configure(gen_sandbox, tenant, mass_removal_threshold_pct=100)
    sync_connection_run(connection_id=connection.pk)
    org_id = next(iter(live_accounts(tenant)))
    gen_sandbox.advance_clock(600)
    gen_sandbox.mutate(ACME, [{"op": "set_org_field", "id": org_id, "field": "Account Status", "value": "Prospect"}])
    run = sync_connection_run(connection_id=connection.pk)
    assert run.kind == "incremental" and run.accounts_pending_removal == 1
    assert CustomerAccount.objects.for_tenant(tenant).get(external_id=org_id).pending_removal_since is not None


def test_person_moved_or_deleted(gen_sandbox, tenant):
    connection, config, _ = configure(gen_sandbox, tenant)
    sync_connection_run(connection_id=connection.pk)
    a, b = CustomerAccount.objects.for_tenant(tenant).filter(contacts__isnull=False).distinct()[:2]
    moved, deleted = list(a.contacts.all()[:2])
    gen_sandbox.advance_clock(600)
    gen_sandbox.mutate(
        ACME,
        [
            {"op": "update_person", "id": moved.external_id, "org_id": b.external_id},
            {"op": "delete_person", "id": deleted.external_id},
        ],
    )
    sync_connection_run(connection_id=connection.pk)  # incremental: sees the move
    assert Contact.objects.for_tenant(tenant).get(external_id=moved.external_id).account == b
    sync_connection_run(connection_id=connection.pk, force_full=True)  # a full listing sees the deletion
    assert not Contact.objects.for_tenant(tenant).filter(external_id=deleted.external_id).exists()


def test_rerunning_converges_to_the_same_rows(gen_sandbox, tenant):
    connection, _, _ = configure(gen_sandbox, tenant)
    sync_connection_run(connection_id=connection.pk)
    before = (sorted(live_accounts(tenant).items()), Contact.objects.for_tenant(tenant).count())
    again = sync_connection_run(connection_id=connection.pk, force_full=True)
    assert (sorted(live_accounts(tenant).items()), Contact.objects.for_tenant(tenant).count()) == before
    assert again.accounts_added == 0 and again.accounts_updated == len(before[0])


def test_second_tenant_syncs_its_own_company(gen_sandbox, tenant, other_tenant):
    from tests.integrations.sandbox_helpers import GLOBEX, connected

    connection, _, _ = configure(gen_sandbox, tenant)
    sync_connection_run(connection_id=connection.pk)
    other = connected(gen_sandbox, other_tenant, company_id=GLOBEX, user_id=503)
    assert sync_connection_run(connection_id=other.pk) is None  # not configured yet: nothing runs
    assert not CustomerAccount.objects.for_tenant(other_tenant).exists()
    assert CustomerAccount.objects.for_tenant(tenant).exists()


def test_sync_pipedrive_command_prints_the_run_as_json(gen_sandbox, tenant, capsys):
    configure(gen_sandbox, tenant)
    call_command("sync_pipedrive", "--tenant", tenant.slug, "--full")
    summary = json.loads(capsys.readouterr().out)
    assert summary["outcome"] == "succeeded" and summary["kind"] == "full" and summary["accounts_added"] > 0
    assert summary["api_calls_by_endpoint"]["GET /api/v2/organizations"] == 1


def test_sync_pipedrive_command_bad_input(db, tenant):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No tenant"):
        call_command("sync_pipedrive", "--tenant", "nope")
    with pytest.raises(CommandError, match="no connected Pipedrive"):
        call_command("sync_pipedrive", "--tenant", tenant.slug)


def test_incremental_looks_up_only_orgs_new_to_it(gen_sandbox, tenant):
    connection, config, field = configure(gen_sandbox, tenant, relationship_budget_pct=1)
    first = sync_connection_run(connection_id=connection.pk)
    assert first.details["relationship_deferred"] > 0  # a backlog for the next full run
    active_id = next(o["id"] for o in field["options"] if o["label"] == "Active")
    gen_sandbox.advance_clock(60)
    created = gen_sandbox.mutate(
        ACME, [{"op": "create_org", "name": "Brand New Customer", "custom_fields": {field["field_code"]: active_id}}]
    )[0]["id"]
    run = sync_connection_run(connection_id=connection.pk)
    assert run.kind == "incremental" and run.relationship_lookups == 1  # the new org only, not the backlog
    assert created in live_accounts(tenant)
