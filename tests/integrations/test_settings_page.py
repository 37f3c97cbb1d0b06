"""The Pipedrive settings page and its services: validation, the field button, preview, staff-only flag."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from customers.models import DomainRules
from integrations.models import SyncConfig
from integrations.pipedrive import configuration
from integrations.pipedrive.configuration import ConfigInput
from staircase.exceptions import ApplicationError
from tests.integrations.sandbox_helpers import ACME, ALICE, BOB, connected, status_field

pytestmark = pytest.mark.django_db


def form_data(key, ids, active=("Active",), churned=("Churned",), **extra):
    return {
        "status_field_key": key,
        "active_option_ids": [ids[a] for a in active],
        "churn_option_ids": [ids[c] for c in churned],
        "removal_grace_days": 3,
        "sync_interval_hours": 2,
        "mass_removal_threshold_pct": 30,
        "min_secondary_contacts": 3,
        "allow_domains": "",
        "block_domains": "",
        **extra,
    }


def test_page_lists_only_picklist_fields(sandbox, admin_client, tenant):
    conn = connected(sandbox, tenant)
    page = admin_client.get(reverse("integrations:pipedrive_settings", args=[conn.pk])).content.decode()
    assert "Account Status (single option)" in page and "Tier (multiple option)" in page
    assert "Health Score" not in page and "Region" not in page


def test_field_options_partial_follows_the_chosen_field(sandbox, admin_client, tenant):
    conn = connected(sandbox, tenant)
    key, ids = status_field(sandbox, conn)
    partial = admin_client.get(
        reverse("integrations:pipedrive_field_options", args=[conn.pk]), {"status_field_key": key}
    )
    html = partial.content.decode()
    assert "Active values" in html and "Churn values" in html and "Onboarding" in html and "<html" not in html


def test_save_writes_config_rules_and_audit(sandbox, admin_client, tenant, django_capture_on_commit_callbacks):
    conn = connected(sandbox, tenant)
    key, ids = status_field(sandbox, conn)
    data = form_data(key, ids, active=("Active", "Live"), allow_domains="zoho.com", block_domains="Acme.COM\nagency.io")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("integrations:pipedrive_settings", args=[conn.pk]), data, follow=True)
    assert b"Pipedrive settings saved" in response.content
    config = SyncConfig.objects.for_tenant(tenant).get()
    assert config.active_option_ids == sorted([ids["Active"], ids["Live"]]) and config.churn_option_ids == [
        ids["Churned"]
    ]
    assert config.status_field_name == "Account Status" and config.option_labels[str(ids["Live"])] == "Live"
    rules = DomainRules.objects.for_tenant(tenant).get(tenant=tenant)
    assert rules.allow == ["zoho.com"] and rules.block == ["acme.com", "agency.io"]
    assert AuditEvent.objects.for_tenant(tenant).filter(action="sync_config.saved").exists()


@pytest.mark.parametrize(
    "change,error",
    [
        ({"active_option_ids": []}, "at least one value that means an active customer"),
        ({"churn_option_ids": "ACTIVE"}, "cannot be both"),
        ({"removal_grace_days": 0}, "greater than or equal to 1"),
        ({"removal_grace_days": 31}, "less than or equal to 30"),
        ({"sync_interval_hours": 3}, "Select a valid choice"),
        ({"status_field_key": "nope"}, "Select a valid choice"),
        ({"block_domains": "not a domain!"}, "Not a domain"),
        ({"active_option_ids": [987654]}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(sandbox, admin_client, tenant, change, error):
    conn = connected(sandbox, tenant)
    key, ids = status_field(sandbox, conn)
    data = form_data(key, ids)
    if change.get("churn_option_ids") == "ACTIVE":
        change = {"churn_option_ids": [ids["Active"]]}
    data.update(change)
    response = admin_client.post(reverse("integrations:pipedrive_settings", args=[conn.pk]), data)
    assert response.status_code == 400 and error in response.content.decode()
    assert not SyncConfig.objects.for_tenant(tenant).exists()


def test_include_children_is_staff_only(sandbox, admin_client, tenant, admin_user):
    conn = connected(sandbox, tenant)
    key, ids = status_field(sandbox, conn)
    admin_client.post(
        reverse("integrations:pipedrive_settings", args=[conn.pk]), form_data(key, ids, include_children="on")
    )
    assert SyncConfig.objects.for_tenant(tenant).get().include_children is False  # disabled field: ignored
    with pytest.raises(ApplicationError, match="Only Staircase staff"):
        configuration.sync_config_save(
            connection=conn,
            user=admin_user,
            data=ConfigInput(
                status_field_key=key,
                active_option_ids=[ids["Active"]],
                churn_option_ids=[],
                removal_grace_days=3,
                sync_interval_hours=2,
                include_children=True,
            ),
        )
    admin_user.is_staff = True
    admin_user.save()
    admin_client.force_login(admin_user)
    admin_client.post(
        reverse("integrations:pipedrive_settings", args=[conn.pk]), form_data(key, ids, include_children="on")
    )
    assert SyncConfig.objects.for_tenant(tenant).get().include_children is True


def test_member_sees_settings_read_only(sandbox, member_client, tenant):
    conn = connected(sandbox, tenant)
    key, ids = status_field(sandbox, conn)
    page = member_client.get(reverse("integrations:pipedrive_settings", args=[conn.pk])).content.decode()
    assert "only admins" in page and "Save settings" not in page and "Sync now" not in page
    assert (
        member_client.post(reverse("integrations:pipedrive_settings", args=[conn.pk]), form_data(key, ids)).status_code
        == 403
    )
    for name in ("pipedrive_preview", "pipedrive_create_field", "pipedrive_sync_now"):
        assert member_client.post(reverse(f"integrations:{name}", args=[conn.pk])).status_code == 403


def test_preview_counts_without_saving(sandbox, admin_client, tenant):
    conn = connected(sandbox, tenant)
    key, ids = status_field(sandbox, conn)
    html = admin_client.post(
        reverse("integrations:pipedrive_preview", args=[conn.pk]), form_data(key, ids)
    ).content.decode()
    assert 'id="preview-active"' in html and "Nothing was saved yet" in html
    assert not SyncConfig.objects.for_tenant(tenant).exists()
    bad = admin_client.post(reverse("integrations:pipedrive_preview", args=[conn.pk]), form_data(key, ids, active=()))
    assert "Fix these first" in bad.content.decode()


def test_preview_names_accounts_that_would_start_removal(sandbox, admin_client, tenant):
    from integrations.pipedrive.runs import sync_connection_run

    conn = connected(sandbox, tenant)
    key, ids = status_field(sandbox, conn)
    admin_client.post(
        reverse("integrations:pipedrive_settings", args=[conn.pk]), form_data(key, ids, active=("Active", "Live"))
    )
    sync_connection_run(connection_id=conn.pk)
    html = admin_client.post(
        reverse("integrations:pipedrive_preview", args=[conn.pk]), form_data(key, ids, active=("Active",))
    ).content.decode()
    assert "would start their 3-day removal grace" in html


def test_create_staircase_field_then_it_is_selected(sandbox, admin_client, tenant):
    conn = connected(sandbox, tenant)
    response = admin_client.post(reverse("integrations:pipedrive_create_field", args=[conn.pk]))
    assert response.status_code == 302 and "?field=" in response["Location"]
    page = admin_client.get(response["Location"]).content.decode()
    assert "Created the field" in page and "Staircase AI Sync (single option)" in page
    field = next(
        f
        for f in configuration.organization_fields(connection=conn, fresh=True)
        if f["field_name"] == "Staircase AI Sync"
    )
    assert f'<option value="{field["field_code"]}" selected>Staircase AI Sync (single option)</option>' in page
    assert [o["label"] for o in field["options"]] == ["Active", "Churned"] and field["field_type"] == "enum"
    admin_client.post(reverse("integrations:pipedrive_create_field", args=[conn.pk]))  # clicking twice…
    fields = configuration.organization_fields(connection=conn, fresh=True)
    assert sum(f["field_name"] == "Staircase AI Sync" for f in fields) == 1  # …creates one field


@pytest.mark.parametrize("who,scopes", [(ALICE, ["base", "contacts:read"]), (BOB, None)])
def test_create_field_without_scope_or_permission_explains(sandbox, admin_client, tenant, who, scopes):
    from datetime import timedelta

    from django.utils import timezone

    from integrations.models import Connection

    tokens = sandbox.mint_token(company_id=ACME, user_id=who, scopes=scopes)
    conn = Connection.objects.create(
        tenant=tenant,
        company_id=ACME,
        company_name="Acme",
        api_domain=sandbox.url,
        external_user_id=who,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_at=timezone.now() + timedelta(hours=1),
    )
    response = admin_client.post(reverse("integrations:pipedrive_create_field", args=[conn.pk]), follow=True)
    assert (
        "contact-fields:full" in response.content.decode()
        and "did not let Staircase create the field" in response.content.decode()
    )


def test_sync_now_needs_saved_settings(sandbox, admin_client, tenant):
    conn = connected(sandbox, tenant)
    response = admin_client.post(reverse("integrations:pipedrive_sync_now", args=[conn.pk]), follow=True)
    assert b"Save the Pipedrive settings" in response.content


def test_history_polls_while_a_requested_sync_waits_for_a_worker(sandbox, admin_client, tenant):
    from django.utils import timezone

    conn = connected(sandbox, tenant)
    key, ids = status_field(sandbox, conn)
    admin_client.post(reverse("integrations:pipedrive_settings", args=[conn.pk]), form_data(key, ids))
    config = SyncConfig.objects.for_tenant(tenant).get()
    assert config.sync_requested_at is not None  # saving asks for a sync with the new selection
    history = admin_client.get(reverse("integrations:pipedrive_runs", args=[conn.pk])).content.decode()
    assert "A sync is queued" in history and 'hx-trigger="every 2s"' in history
    from integrations.pipedrive.runs import sync_connection_run

    sync_connection_run(connection_id=conn.pk)
    history = admin_client.get(reverse("integrations:pipedrive_runs", args=[conn.pk])).content.decode()
    assert "A sync is queued" not in history and "every 2s" not in history and "Succeeded" in history
    SyncConfig.objects.for_tenant(tenant).filter(pk=config.pk).update(sync_requested_at=timezone.now())
    assert (
        "A sync is queued" in admin_client.get(reverse("integrations:pipedrive_runs", args=[conn.pk])).content.decode()
    )
