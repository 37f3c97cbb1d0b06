"""Disconnect: keep or delete the pulled data; revoke, webhooks, retries."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from customers.models import Contact, CustomerAccount
from integrations import services
from integrations.models import Connection
from integrations.pipedrive.errors import ApiError
from integrations.purge import connection_purge_data
from integrations.tasks import retry_pending_revokes
from tests.integrations.sandbox_helpers import ACME, GLOBEX
from tests.integrations.test_connect import connect

pytestmark = pytest.mark.django_db


def seed_accounts(tenant, conn, company_id, n=5, contacts=3):
    for i in range(n):
        account = CustomerAccount.objects.create(
            tenant=tenant,
            source_connection=conn,
            source_company_id=company_id,
            external_id=i + 1,
            name=f"Account {i}",
            status="active",
        )
        for j in range(contacts):
            Contact.objects.create(
                tenant=tenant,
                account=account,
                source_company_id=company_id,
                external_id=(i + 1) * 100 + j,
                emails=[f"p{j}@a{i}.test"],
            )


def test_disconnect_page_offers_both_choices(sandbox, admin_client, tenant):
    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    page = admin_client.get(reverse("integrations:pipedrive_disconnect", args=[conn.pk])).content.decode()
    assert "Keep the data already in Staircase" in page and "Delete the data pulled from Pipedrive" in page
    bad = admin_client.post(reverse("integrations:pipedrive_disconnect", args=[conn.pk]), {"data": "maybe"})
    assert bad.status_code == 400
    conn.refresh_from_db()
    assert conn.status == Connection.Status.CONNECTED


def test_disconnect_keep_revokes_deletes_webhooks_and_keeps_accounts(
    sandbox, admin_client, tenant, django_capture_on_commit_callbacks
):
    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    seed_accounts(tenant, conn, ACME)
    status, _, _ = sandbox.api(
        "POST",
        "/v1/webhooks",
        token=conn.access_token,
        json_body={
            "subscription_url": "https://staircase.example/hooks/pipedrive",
            "event_action": "*",
            "event_object": "organization",
            "name": "Staircase",
        },
    )
    assert status == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("integrations:pipedrive_disconnect", args=[conn.pk]), {"data": "keep"}, follow=True
        )
    assert b"no longer syncing" in response.content
    conn.refresh_from_db()
    assert conn.status == Connection.Status.DISCONNECTED and not conn.revoke_pending
    assert conn.refresh_token == "" and conn.access_token == ""
    assert sandbox.stats()["oauth"]["POST /oauth/revoke"]["calls"] == 1
    endpoints = sandbox.stats()["companies"][str(ACME)]["endpoints"]
    assert endpoints["DELETE /v1/webhooks/{id}"]["calls"] == 1
    assert CustomerAccount.objects.for_tenant(tenant).count() == 5
    card = admin_client.get(reverse("integrations:index")).content.decode()
    assert "Disconnected" in card and "Connect" in card and "Delete pulled data" in card


def test_disconnect_delete_purges_only_this_tenants_pulled_data(
    sandbox, admin_client, other_client, tenant, other_tenant, django_capture_on_commit_callbacks
):
    connect(admin_client, company_id=ACME)
    connect(other_client, company_id=GLOBEX)
    mine = Connection.objects.for_tenant(tenant).get()
    theirs = Connection.objects.for_tenant(other_tenant).get()
    seed_accounts(tenant, mine, ACME, n=7)
    seed_accounts(other_tenant, theirs, GLOBEX, n=4)
    CustomerAccount.objects.create(
        tenant=tenant,
        source_connection=None,
        source_company_id=0,
        external_id=999,
        name="Entered by hand",
        status="active",
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("integrations:pipedrive_disconnect", args=[mine.pk]), {"data": "delete"})
    mine.refresh_from_db()
    assert mine.purge_status == Connection.Purge.DONE and mine.purge_done == mine.purge_total == 7 + 21
    assert list(CustomerAccount.objects.for_tenant(tenant).values_list("name", flat=True)) == ["Entered by hand"]
    assert not Contact.objects.for_tenant(tenant).exists()
    assert CustomerAccount.objects.for_tenant(other_tenant).count() == 4
    assert Contact.objects.for_tenant(other_tenant).count() == 12
    progress = admin_client.get(reverse("integrations:pipedrive_purge_progress", args=[mine.pk])).content.decode()
    assert "was deleted (28 records)" in progress


def test_purge_progress_is_visible_while_running(sandbox, admin_client, tenant):
    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    seed_accounts(tenant, conn, ACME, n=3, contacts=0)
    services.connection_disconnect(tenant=tenant, user=conn.connected_by, connection=conn, delete_data=True)
    page = admin_client.get(reverse("integrations:index")).content.decode()
    assert "Deleting the data pulled from Pipedrive" in page and 'hx-trigger="every 1s"' in page
    connection_purge_data(connection_id=conn.pk, batch_size=1)
    conn.refresh_from_db()
    assert conn.purge_done == 3 and conn.purge_status == Connection.Purge.DONE


def test_failed_revoke_does_not_block_disconnect_and_is_retried(sandbox, admin_client, tenant, caplog):
    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    sandbox.set_fault(path="/oauth/revoke", status=503, count=1)
    services.connection_disconnect(tenant=tenant, user=conn.connected_by, connection=conn, delete_data=False)
    conn.refresh_from_db()
    assert conn.status == Connection.Status.DISCONNECTED and conn.revoke_pending
    with pytest.raises(ApiError):
        services.connection_teardown(connection_id=conn.pk)
    conn.refresh_from_db()
    assert conn.revoke_pending and conn.refresh_token  # kept until Pipedrive confirms
    caplog.set_level(logging.INFO)
    assert retry_pending_revokes() == 1  # the beat sweep; eager here
    conn.refresh_from_db()
    assert not conn.revoke_pending and conn.refresh_token == ""
    assert sandbox.stats()["oauth"]["POST /oauth/revoke"]["calls"] == 2


def test_a_running_sync_stops_when_disconnected(sandbox, admin_client, tenant):
    from integrations.pipedrive import lease
    from tests.integrations.factories import SyncConfigFactory

    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    config = SyncConfigFactory(connection=conn)
    token = lease.acquire(config=config)
    services.connection_disconnect(tenant=tenant, user=conn.connected_by, connection=conn, delete_data=False)
    with pytest.raises(lease.LeaseLost):
        lease.renew(config=config, token=token)
