"""Writes on connections: connect, refresh tokens, disconnect, Pipedrive's uninstall notice."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Tenant, User
from integrations.models import Connection
from integrations.pipedrive import oauth
from integrations.pipedrive.client import PipedriveClient, StaticTokens
from integrations.pipedrive.errors import PipedriveError, ReauthRequired
from staircase.exceptions import ApplicationError

logger = logging.getLogger(__name__)

PROVIDER = "pipedrive"


def is_pipedrive_admin(user: dict) -> bool:
    """Global admin per `access[app=global].admin`, else the legacy numeric `is_admin` (NOTES §2)."""
    access = user.get("access")
    if isinstance(access, list):
        for item in access:
            if isinstance(item, dict) and item.get("app") == "global":
                return item.get("admin") is True
    return user.get("is_admin") in (1, True)


def _revoke_quietly(refresh_token: str, why: str) -> None:
    try:
        oauth.revoke(token=refresh_token)
    except PipedriveError as exc:
        logger.warning("Could not revoke a refused Pipedrive grant (%s): %s", why, exc.message)


def connection_connect(*, tenant: Tenant, user: User, code: str, code_verifier: str = "") -> Connection:
    """Exchange the code, vet the Pipedrive user and company, and store the connection."""
    try:
        tokens = oauth.exchange_code(code=code, code_verifier=code_verifier)
    except ReauthRequired as exc:
        raise ApplicationError(
            "Pipedrive did not accept the authorization code (it may have been used already or expired). "
            "Click Connect to try again."
        ) from exc
    except PipedriveError as exc:
        raise ApplicationError(f"Could not complete the connection with Pipedrive: {exc.message}") from exc

    if not oauth.is_allowed_api_domain(tokens.api_domain):
        _revoke_quietly(tokens.refresh_token, "api_domain not allowed")
        raise ApplicationError(
            f"Pipedrive returned an API address we do not trust ({tokens.api_domain}). Nothing was stored."
        )
    try:
        me = PipedriveClient(
            StaticTokens(access_token=tokens.access_token, api_domain=tokens.api_domain)
        ).current_user()
    except PipedriveError as exc:
        _revoke_quietly(tokens.refresh_token, "users/me failed")
        raise ApplicationError(f"Could not read your Pipedrive user: {exc.message}") from exc
    if not is_pipedrive_admin(me):
        _revoke_quietly(tokens.refresh_token, "not a Pipedrive admin")
        raise ApplicationError(
            f"{me.get('name') or me.get('email') or 'This Pipedrive user'} is not an admin of "
            f"{me.get('company_name') or 'that Pipedrive company'}. A Pipedrive admin must connect, so that "
            "Staircase sees every organization. Ask one to click Connect."
        )
    try:
        company_id = int(me["company_id"])
        user_id = int(me["id"])
    except (KeyError, TypeError, ValueError) as exc:
        _revoke_quietly(tokens.refresh_token, "users/me malformed")
        raise ApplicationError("Pipedrive did not say which company you chose. Nothing was stored.") from exc

    try:
        connection, action = _store_connection(
            tenant=tenant, user=user, tokens=tokens, me=me, company_id=company_id, user_id=user_id
        )
    except ApplicationError:
        _revoke_quietly(tokens.refresh_token, "connection refused")
        raise
    _after_connect(connection)
    return connection


@transaction.atomic
def _store_connection(*, tenant, user, tokens, me, company_id, user_id) -> tuple[Connection, str]:
    taken = (
        Connection.objects.unscoped()
        .filter(provider=PROVIDER, company_id=company_id)
        .exclude(status=Connection.Status.DISCONNECTED)
        .exclude(tenant=tenant)
        .exists()
    )
    if taken:
        raise ApplicationError(
            f"The Pipedrive company {me.get('company_name') or company_id} is already connected to another "
            "Staircase workspace. Disconnect it there first."
        )
    connection = Connection.objects.for_tenant(tenant).select_for_update().filter(provider=PROVIDER).first()
    if (
        connection is not None
        and connection.status == Connection.Status.NEEDS_REAUTH
        and connection.company_id != company_id
    ):
        raise ApplicationError(
            f"This workspace is connected to the Pipedrive company {connection.company_name}, but you chose "
            f"{me.get('company_name')}. Reconnect with {connection.company_name}, or disconnect first."
        )
    action = "connection.connected"
    if connection is None:
        connection = Connection(tenant=tenant, provider=PROVIDER)
    elif connection.status == Connection.Status.NEEDS_REAUTH:
        action = "connection.reconnected"
    elif connection.company_id != company_id:
        from integrations.pipedrive.configuration import configuration_reset

        configuration_reset(connection=connection)  # the old company's field keys mean nothing here
    connection.status = Connection.Status.CONNECTED
    connection.company_id = company_id
    connection.company_name = str(me.get("company_name") or "")[:255]
    connection.company_domain = str(me.get("company_domain") or "")[:255]
    connection.api_domain = tokens.api_domain
    connection.external_user_id = user_id
    connection.external_user_name = str(me.get("name") or "")[:255]
    connection.external_user_email = str(me.get("email") or "")[:254]
    connection.scopes = tokens.scope[:1000]
    connection.access_token = tokens.access_token
    connection.refresh_token = tokens.refresh_token
    connection.expires_at = tokens.expires_at
    connection.refreshed_at = timezone.now()
    connection.status_reason = ""
    connection.connected_by = user
    connection.connected_at = timezone.now()
    connection.disconnected_at = None
    connection.disconnected_by = None
    connection.revoke_pending = False
    connection.full_clean()
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError as exc:
        raise ApplicationError("That Pipedrive company was just connected to another workspace.") from exc
    audit_record(
        tenant=tenant,
        actor=user,
        action=action,
        target=connection,
        target_label=connection.label,
        details={
            "company_id": company_id,
            "pipedrive_user": connection.external_user_email,
            "scopes": connection.scopes,
        },
    )
    return connection, action


def _after_connect(connection: Connection) -> None:
    from integrations.tasks import sync_connection

    transaction.on_commit(lambda: sync_connection.delay(connection.pk, trigger="connect"))


def connection_refresh_tokens(
    *, connection_id: int, stale_access_token: str | None = None, force: bool = False, for_teardown: bool = False
) -> Connection:
    """Refresh under a row lock, so concurrent callers make one token call between them.

    Each caller re-reads the row after taking the lock: if another caller refreshed meanwhile (the access
    token differs from the one that failed, or it is no longer near expiry) it just uses the new one.
    """
    from integrations.pipedrive.client import REFRESH_MARGIN

    failure: PipedriveError | None = None
    with transaction.atomic():
        connection = Connection.objects.unscoped().select_for_update().get(pk=connection_id)
        usable = connection.status == Connection.Status.CONNECTED or (
            for_teardown and connection.status == Connection.Status.DISCONNECTED and connection.revoke_pending
        )
        if not usable or not connection.refresh_token:
            raise ReauthRequired(f"The Pipedrive connection is {connection.get_status_display().lower()}")
        if stale_access_token is not None:
            needed = connection.access_token == stale_access_token
        else:
            needed = force or connection.expires_at is None or connection.expires_at - timezone.now() <= REFRESH_MARGIN
        if not needed:
            return connection
        try:
            tokens = oauth.refresh(refresh_token=connection.refresh_token)
        except ReauthRequired as exc:
            failure = exc
            _mark_needs_reauth(connection, f"Pipedrive refused to refresh the authorization: {exc.message}")
        else:
            connection.access_token = tokens.access_token
            connection.refresh_token = tokens.refresh_token
            connection.expires_at = tokens.expires_at
            connection.scopes = tokens.scope[:1000] or connection.scopes
            connection.refreshed_at = timezone.now()
            fields = ["access_token", "refresh_token", "expires_at", "scopes", "refreshed_at"]
            if oauth.is_allowed_api_domain(tokens.api_domain):
                connection.api_domain = tokens.api_domain
                fields.append("api_domain")
            else:
                # Keep the rotated tokens (the old refresh token is spent) but never send them to that host.
                failure = ReauthRequired(f"Pipedrive returned an untrusted API address ({tokens.api_domain})")
                _mark_needs_reauth(connection, failure.message)
            connection.save(update_fields=fields)
    if failure is not None:
        raise failure
    return connection


def _mark_needs_reauth(connection: Connection, reason: str) -> None:
    if connection.status != Connection.Status.CONNECTED:
        return
    connection.status = Connection.Status.NEEDS_REAUTH
    connection.status_reason = reason[:500]
    connection.save(update_fields=["status", "status_reason"])
    audit_record(
        tenant=connection.tenant,
        actor=None,
        action="connection.needs_reauth",
        target=connection,
        target_label=connection.label,
        details={"reason": reason[:200]},
    )
    logger.warning("Pipedrive connection %s needs re-authorization: %s", connection.pk, reason)


def connection_mark_needs_reauth(*, connection: Connection, reason: str) -> None:
    with transaction.atomic():
        locked = Connection.objects.unscoped().select_for_update().get(pk=connection.pk)
        _mark_needs_reauth(locked, reason)


@transaction.atomic
def connection_disconnect(*, tenant: Tenant, user: User, connection: Connection, delete_data: bool) -> Connection:
    connection = Connection.objects.for_tenant(tenant).select_for_update().get(pk=connection.pk)
    was = connection.status
    if was == Connection.Status.DISCONNECTED and not delete_data:
        raise ApplicationError("Pipedrive is already disconnected.")
    if connection.purge_status == Connection.Purge.RUNNING:
        raise ApplicationError("The data from Pipedrive is already being deleted.")
    now = timezone.now()
    if was != Connection.Status.DISCONNECTED:
        connection.status = Connection.Status.DISCONNECTED
        connection.disconnected_at = now
        connection.disconnected_by = user
        connection.revoke_pending = bool(connection.refresh_token)
        connection.status_reason = ""
    if delete_data:
        connection.purge_status = Connection.Purge.RUNNING
        connection.purge_done = 0
        connection.purge_total = 0
    connection.save()
    audit_record(
        tenant=tenant,
        actor=user,
        action="connection.disconnected" if was != Connection.Status.DISCONNECTED else "connection.data_deleted",
        target=connection,
        target_label=connection.label,
        details={"data": "deleted" if delete_data else "kept"},
    )
    from integrations.tasks import purge_connection_data, teardown_connection

    if connection.revoke_pending:
        transaction.on_commit(lambda: teardown_connection.delay(connection.pk))
    if delete_data:
        transaction.on_commit(lambda: purge_connection_data.delay(connection.pk))
    return connection


def connection_teardown(*, connection_id: int) -> None:
    """Delete our webhooks, then revoke the grant. Raises on a failed revoke so the task retries."""
    connection = Connection.objects.unscoped().filter(pk=connection_id).first()
    if connection is None or not connection.revoke_pending:
        return
    client = PipedriveClient.for_connection(connection, for_teardown=True)
    try:
        for webhook in client.webhooks():
            client.delete_webhook(int(webhook["id"]))
    except ReauthRequired:
        pass  # the grant is already dead: nothing left to delete or revoke
    except PipedriveError as exc:
        # Webhooks need the `admin` scope; without it there are none of ours. Uninstall removes them anyway.
        logger.info("Could not delete Pipedrive webhooks of connection %s: %s", connection_id, exc.message)
    connection.refresh_from_db()
    if connection.refresh_token:
        oauth.revoke(token=connection.refresh_token)  # ApiError/ApiTimeout propagate: the task retries
    Connection.objects.unscoped().filter(pk=connection_id).update(
        access_token="", refresh_token="", revoke_pending=False, expires_at=None
    )
    logger.info("Revoked the Pipedrive grant of connection %s", connection_id)


def connection_uninstalled_by_pipedrive(*, company_id: int, user_id: int | None) -> Connection | None:
    """Pipedrive's uninstall notice (NOTES §1.6): the grant is gone there. Keep the data, stop syncing.

    Crosses tenants by nature: the notice names a Pipedrive company, not one of our tenants.
    """
    with transaction.atomic():
        matches = Connection.objects.unscoped().select_for_update().filter(provider=PROVIDER, company_id=company_id)
        matches = matches.filter(~Q(status=Connection.Status.DISCONNECTED))
        if user_id is not None:
            matches = matches.filter(external_user_id=user_id)
        connection = matches.first()
        if connection is None:
            return None
        connection.status = Connection.Status.DISCONNECTED
        connection.disconnected_at = timezone.now()
        connection.status_reason = "The app was uninstalled in Pipedrive."
        connection.access_token = ""
        connection.refresh_token = ""
        connection.expires_at = None
        connection.revoke_pending = False
        connection.save()
        audit_record(
            tenant=connection.tenant,
            actor=None,
            action="connection.uninstalled",
            target=connection,
            target_label=connection.label,
            details={"pipedrive_user_id": user_id, "data": "kept"},
        )
    return connection


def connections_needing_keepalive() -> list[int]:
    """Connected grants not refreshed for 7 days. Crosses tenants: beat fan-out."""
    cutoff = timezone.now() - timedelta(days=7)
    return list(
        Connection.objects.unscoped()
        .filter(status=Connection.Status.CONNECTED)
        .filter(Q(refreshed_at__lt=cutoff) | Q(refreshed_at__isnull=True))
        .values_list("pk", flat=True)
    )


def connections_with_pending_revoke() -> list[int]:
    """Disconnected grants whose revoke has not been confirmed yet. Crosses tenants: beat fan-out."""
    return list(Connection.objects.unscoped().filter(revoke_pending=True).values_list("pk", flat=True))
