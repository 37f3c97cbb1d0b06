"""Connect, reconnect, uninstall and disconnect against the sandbox (issue: OAuth lifecycle)."""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta

import pytest
from django.db import connection as db
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from customers.models import CustomerAccount
from integrations.models import Connection, SyncConfig
from integrations.pipedrive.client import PipedriveClient
from integrations.services import connection_refresh_tokens
from tests.integrations.sandbox_helpers import ACME, ALICE, BOB, GLOBEX, callback_path, consent, query_of, sandbox_calls

pytestmark = pytest.mark.django_db


def start_connect(client: Client) -> str:
    response = client.post(reverse("integrations:pipedrive_connect"))
    assert response.status_code == 302
    return response["Location"]


def connect(client: Client, *, user_id=ALICE, company_id=ACME, decision="allow"):
    location = consent(start_connect(client), user_id=user_id, company_id=company_id, decision=decision)
    return client.get(callback_path(location), follow=True), location


@pytest.mark.smoke
def test_connect_stores_encrypted_connection_and_lands_on_settings(
    sandbox, admin_client, tenant, admin_user, django_capture_on_commit_callbacks
):
    authorize = start_connect(admin_client)
    query = query_of(authorize)
    assert authorize.startswith(f"{sandbox.url}/oauth/authorize?")
    assert query["client_id"] == "staircase-dev" and query["state"] and query["code_challenge_method"] == "S256"
    location = consent(authorize, user_id=ALICE, company_id=GLOBEX)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.get(callback_path(location))
    conn = Connection.objects.for_tenant(tenant).get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "integrations:pipedrive_settings", args=[conn.pk]
    )
    assert (conn.company_id, conn.company_name, conn.status) == (GLOBEX, "Globex Partners", "connected")
    assert conn.api_domain == sandbox.url and conn.external_user_id == ALICE and "contacts" in conn.scopes
    assert conn.connected_by == admin_user and conn.expires_at > timezone.now() + timedelta(minutes=50)
    assert len(callbacks) == 1  # the first sync is enqueued on commit
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM integrations_connection")
        raw = cursor.fetchone()
    assert conn.access_token not in raw[0] and conn.refresh_token not in raw[1]
    event = AuditEvent.objects.for_tenant(tenant).get(action="connection.connected")
    assert event.actor == admin_user and event.details["company_id"] == GLOBEX
    # The card shows the chosen company.
    card = admin_client.get(reverse("integrations:index")).content.decode()
    assert "Globex Partners" in card and "globex-partners.pipedrive.com" in card and "Disconnect" in card


def test_state_is_single_use(sandbox, admin_client, tenant):
    response, location = connect(admin_client)
    assert Connection.objects.for_tenant(tenant).count() == 1
    replay = admin_client.get(callback_path(location))
    assert replay.status_code == 400 and b"not valid" in replay.content


@pytest.mark.parametrize("tamper", ["wrong", "missing"])
def test_tampered_state_stores_nothing(sandbox, admin_client, tenant, tamper):
    location = consent(start_connect(admin_client), user_id=ALICE, company_id=ACME)
    query = query_of(location)
    path = reverse("integrations:pipedrive_callback") + f"?code={query['code']}"
    if tamper == "wrong":
        path += "&state=forged-state"
    response = admin_client.get(path)
    assert response.status_code == 400 and b"did not match a connection you started" in response.content
    assert not Connection.objects.for_tenant(tenant).exists()
    assert sandbox_calls(sandbox, ACME, "GET /v1/users/me") == 0


def test_state_from_another_session_is_refused(sandbox, admin_client, tenant, admin_user):
    location = consent(start_connect(admin_client), user_id=ALICE, company_id=ACME)
    other_browser = Client()
    other_browser.force_login(admin_user)
    response = other_browser.get(callback_path(location))
    assert response.status_code == 400
    assert not Connection.objects.for_tenant(tenant).exists()


def test_cancelled_consent(sandbox, admin_client, tenant):
    response, location = connect(admin_client, decision="cancel")
    assert query_of(location)["error"] == "access_denied"
    assert b"You cancelled" in response.content
    assert not Connection.objects.for_tenant(tenant).exists()


def test_reused_code_is_refused(sandbox, admin_client, tenant):
    location = consent(start_connect(admin_client), user_id=ALICE, company_id=ACME)
    code = query_of(location)["code"]
    admin_client.get(callback_path(location))
    Connection.objects.for_tenant(tenant).delete()
    second = query_of(start_connect(admin_client))["state"]
    response = admin_client.get(reverse("integrations:pipedrive_callback") + f"?code={code}&state={second}")
    assert response.status_code == 400 and b"did not accept the authorization code" in response.content
    assert not Connection.objects.for_tenant(tenant).exists()


def test_non_admin_pipedrive_user_is_refused_and_token_revoked(sandbox, admin_client, tenant):
    response, _ = connect(admin_client, user_id=BOB, company_id=ACME)
    assert b"is not an admin of Acme Analytics" in response.content
    assert not Connection.objects.for_tenant(tenant).exists()
    assert sandbox.stats()["oauth"]["POST /oauth/revoke"]["calls"] == 1
    assert not [g for g in sandbox.grants() if g.get("active")]


def test_api_domain_outside_allow_list_is_refused(sandbox, admin_client, tenant, settings):
    settings.PIPEDRIVE_ALLOWED_API_ORIGINS = ["https://only.this.test"]
    response, _ = connect(admin_client)
    assert b"API address we do not trust" in response.content
    assert not Connection.objects.for_tenant(tenant).exists()
    assert sandbox_calls(sandbox, ACME, "GET /v1/users/me") == 0  # the token never went there
    assert sandbox.stats()["oauth"]["POST /oauth/revoke"]["calls"] == 1


def test_company_connected_to_another_tenant_is_refused(sandbox, admin_client, other_client, tenant, other_tenant):
    connect(other_client, company_id=ACME)
    assert Connection.objects.for_tenant(other_tenant).get().company_id == ACME
    response, _ = connect(admin_client, company_id=ACME)
    assert b"already connected to another Staircase workspace" in response.content
    assert not Connection.objects.for_tenant(tenant).exists()


def test_member_cannot_connect_or_disconnect(sandbox, admin_client, member_client, tenant):
    assert member_client.post(reverse("integrations:pipedrive_connect")).status_code == 403
    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    url = reverse("integrations:pipedrive_disconnect", args=[conn.pk])
    assert member_client.get(url).status_code == 403
    assert member_client.post(url, {"data": "delete"}).status_code == 403
    conn.refresh_from_db()
    assert conn.status == Connection.Status.CONNECTED
    card = member_client.get(reverse("integrations:index")).content.decode()
    assert "Acme Analytics" in card and "Disconnect" not in card and "Only admins" in card


def test_second_tenant_gets_404_on_every_connection_url(sandbox, admin_client, other_client, tenant):
    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    for name in (
        "pipedrive_settings",
        "pipedrive_disconnect",
        "pipedrive_purge_progress",
        "pipedrive_runs",
        "pipedrive_field_options",
    ):
        assert other_client.get(reverse(f"integrations:{name}", args=[conn.pk])).status_code == 404, name
    for name in (
        "pipedrive_settings",
        "pipedrive_disconnect",
        "pipedrive_preview",
        "pipedrive_create_field",
        "pipedrive_sync_now",
    ):
        assert (
            other_client.post(reverse(f"integrations:{name}", args=[conn.pk]), {"data": "delete"}).status_code == 404
        ), name
    assert other_client.post(reverse("integrations:pipedrive_confirm_removals", args=[conn.pk, 1])).status_code == 404
    conn.refresh_from_db()
    assert conn.status == Connection.Status.CONNECTED


@pytest.mark.django_db(transaction=True)
def test_eight_threads_needing_a_refresh_make_one_token_call(sandbox, tenant, admin_user):
    from tests.integrations.factories import ConnectionFactory

    tokens = sandbox.mint_token(company_id=ACME, user_id=ALICE)
    conn = ConnectionFactory(
        tenant=tenant,
        company_id=ACME,
        api_domain=sandbox.url,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_at=timezone.now() + timedelta(minutes=2),
    )
    sandbox.reset_stats()
    barrier, errors, results = threading.Barrier(8), [], []

    def work():
        from django.db import connection as thread_db

        try:
            barrier.wait()
            fresh = Connection.objects.for_tenant(tenant).get(pk=conn.pk)
            results.append(PipedriveClient.for_connection(fresh).current_user()["company_id"])
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            thread_db.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert results == [ACME] * 8
    assert sandbox.stats()["oauth"]["POST /oauth/token"]["calls"] == 1
    conn.refresh_from_db()
    assert conn.expires_at > timezone.now() + timedelta(minutes=50)


def test_invalid_grant_then_reconnect_keeps_everything(sandbox, admin_client, tenant):
    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    SyncConfig.objects.create(tenant=tenant, connection=conn, status_field_key="k" * 40, active_option_ids=[1])
    CustomerAccount.objects.create(
        tenant=tenant, source_connection=conn, source_company_id=ACME, external_id=1, name="Kept Co", status="active"
    )
    # Pipedrive forgets the grant (e.g. the refresh token expired): the next refresh gets invalid_grant.
    sandbox.request(
        "POST",
        "/oauth/revoke",
        data=f"token={conn.refresh_token}".encode(),
        headers={"Authorization": _basic(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(Exception):
        connection_refresh_tokens(connection_id=conn.pk, force=True)
    conn.refresh_from_db()
    assert conn.status == Connection.Status.NEEDS_REAUTH
    calls = sandbox.stats()["oauth"]["POST /oauth/token"]["calls"]
    with pytest.raises(Exception):
        connection_refresh_tokens(connection_id=conn.pk, force=True)
    assert sandbox.stats()["oauth"]["POST /oauth/token"]["calls"] == calls  # no retry against the dead grant
    card = admin_client.get(reverse("integrations:index")).content.decode()
    assert "Reconnect" in card and "Needs re-authorization" in card
    connect(admin_client)
    again = Connection.objects.for_tenant(tenant).get()
    assert again.pk == conn.pk and again.status == Connection.Status.CONNECTED
    assert SyncConfig.objects.for_tenant(tenant).get().status_field_key == "k" * 40
    assert CustomerAccount.objects.for_tenant(tenant).get().name == "Kept Co"
    assert AuditEvent.objects.for_tenant(tenant).filter(action="connection.reconnected").exists()


def test_reconnect_to_a_different_company_is_refused(sandbox, admin_client, tenant):
    connect(admin_client, company_id=ACME)
    Connection.objects.for_tenant(tenant).update(status=Connection.Status.NEEDS_REAUTH)
    response, _ = connect(admin_client, company_id=GLOBEX)
    assert b"Reconnect with Acme Analytics" in response.content
    assert Connection.objects.for_tenant(tenant).get().company_id == ACME


def _basic() -> str:
    import base64

    return "Basic " + base64.b64encode(b"staircase-dev:staircase-dev-secret").decode()


@pytest.mark.parametrize("header", [None, "Basic " + "d3Jvbmc6d3Jvbmc=", "Bearer x", "Basic !!!"])
def test_uninstall_with_bad_auth_changes_nothing(sandbox, admin_client, tenant, header):
    connect(admin_client)
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().delete(
        reverse("integrations:pipedrive_callback"),
        data=f'{{"client_id": "staircase-dev", "company_id": {ACME}, "user_id": {ALICE}}}',
        content_type="application/json",
        **extra,
    )
    assert response.status_code == 401
    assert Connection.objects.for_tenant(tenant).get().status == Connection.Status.CONNECTED


def test_uninstall_with_good_auth_disconnects_and_keeps_data(sandbox, admin_client, tenant):
    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    CustomerAccount.objects.create(
        tenant=tenant, source_connection=conn, source_company_id=ACME, external_id=1, name="Kept Co", status="active"
    )
    bad_body = Client().delete(
        reverse("integrations:pipedrive_callback"),
        data="nope",
        content_type="application/json",
        HTTP_AUTHORIZATION=_basic(),
    )
    assert bad_body.status_code == 400
    response = Client().delete(
        reverse("integrations:pipedrive_callback"),
        data=json.dumps(
            {"client_id": "staircase-dev", "company_id": ACME, "user_id": ALICE, "timestamp": "2026-12-04T10:00:00Z"}
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=_basic(),
    )
    assert response.status_code == 200
    conn.refresh_from_db()
    assert conn.status == Connection.Status.DISCONNECTED and conn.access_token == "" and conn.refresh_token == ""
    assert CustomerAccount.objects.for_tenant(tenant).count() == 1
    assert AuditEvent.objects.for_tenant(tenant).filter(action="connection.uninstalled").exists()


def test_tokens_never_reach_the_logs(sandbox, admin_client, tenant, caplog):
    caplog.set_level(logging.DEBUG)
    connect(admin_client)
    conn = Connection.objects.for_tenant(tenant).get()
    connection_refresh_tokens(connection_id=conn.pk, force=True)
    conn.refresh_from_db()
    PipedriveClient.for_connection(conn).current_user()
    secrets = [conn.access_token, conn.refresh_token]
    for grant in sandbox.grants():
        secrets += [v for k, v in grant.items() if "token" in k and isinstance(v, str)]
    text = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert len(text) > 0
    for secret in secrets:
        assert secret not in text


@pytest.mark.django_db(transaction=True)
def test_pipedrive_sends_the_uninstall_notice_to_the_callback(sandbox, live_server, settings, tenant):
    from tests.integrations.sandbox_helpers import connected

    settings.PIPEDRIVE_REDIRECT_URI = f"{live_server.url}/integrations/pipedrive/callback/"
    sandbox.control(
        "POST", "clients", {"client_id": settings.PIPEDRIVE_CLIENT_ID, "redirect_uri": settings.PIPEDRIVE_REDIRECT_URI}
    )
    conn = connected(sandbox, tenant, company_id=ACME, user_id=ALICE)
    result = sandbox.uninstall(ACME, ALICE)
    assert result["callback_status"] == 200
    conn.refresh_from_db()
    assert conn.status == Connection.Status.DISCONNECTED and "uninstalled in Pipedrive" in conn.status_reason


def test_idle_grants_are_kept_alive_by_beat(sandbox, tenant, other_tenant):
    from integrations.tasks import keep_idle_connections_alive
    from tests.integrations.sandbox_helpers import connected

    idle = connected(sandbox, tenant, company_id=ACME)
    fresh = connected(sandbox, other_tenant, company_id=GLOBEX, user_id=503)
    Connection.objects.unscoped().filter(pk=idle.pk).update(refreshed_at=timezone.now() - timedelta(days=8))
    Connection.objects.unscoped().filter(pk=fresh.pk).update(refreshed_at=timezone.now() - timedelta(days=1))
    old_refresh = idle.refresh_token
    assert keep_idle_connections_alive() == 1  # eager: refreshed now
    idle.refresh_from_db()
    assert idle.refresh_token != old_refresh and idle.refreshed_at > timezone.now() - timedelta(minutes=1)
