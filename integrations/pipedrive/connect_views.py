"""Connect, the OAuth callback (GET: consent result; DELETE: Pipedrive's uninstall notice), disconnect."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import tenant_admin_required, tenant_member_required
from integrations import selectors, services
from integrations.models import Connection
from integrations.pipedrive import oauth
from staircase.exceptions import ApplicationError

logger = logging.getLogger(__name__)

OAUTH_SESSION_KEY = "staircase.pipedrive_oauth"
STATE_MAX_AGE = 15 * 60


def connection_or_404(request: HttpRequest, pk: int) -> Connection:
    try:
        return selectors.connection_get(tenant=request.tenant, pk=pk)
    except Connection.DoesNotExist as exc:
        raise Http404("No such connection") from exc


@tenant_admin_required
@require_POST
def connect(request: HttpRequest) -> HttpResponse:
    state = secrets.token_urlsafe(32)
    verifier, challenge = oauth.pkce_pair()
    request.session[OAUTH_SESSION_KEY] = {
        "state": state,
        "verifier": verifier,
        "tenant": request.tenant.pk,
        "at": int(time.time()),
    }
    return redirect(oauth.authorize_url(state=state, code_challenge=challenge))


def _connect_error(request: HttpRequest, title: str, message: str, status: int = 400) -> HttpResponse:
    return render(request, "integrations/connect_error.html", {"title": title, "message": message}, status=status)


@csrf_exempt  # DELETE comes from Pipedrive's servers with Basic auth, not from a browser form
@require_http_methods(["GET", "DELETE"])
def callback(request: HttpRequest) -> HttpResponse:
    if request.method == "DELETE":
        return _uninstall(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _consent_result(request)


@tenant_member_required
def _consent_result(request: HttpRequest) -> HttpResponse:
    # Single-use: the stored state is gone whatever happens next.
    pending = request.session.pop(OAUTH_SESSION_KEY, None)
    state = request.GET.get("state", "")
    if (
        not pending
        or not state
        or not hmac.compare_digest(state.encode(), str(pending.get("state", "")).encode())
        or pending.get("tenant") != request.tenant.pk
        or time.time() - pending.get("at", 0) > STATE_MAX_AGE
    ):
        return _connect_error(
            request,
            "This connection attempt is not valid",
            "The link back from Pipedrive did not match a connection you started in this browser, it was already "
            "used, or it is too old. Nothing was stored. Start again from Settings → Integrations.",
        )
    if request.GET.get("error"):
        if request.GET["error"] == "access_denied":
            return _connect_error(
                request,
                "You cancelled the connection",
                "You cancelled in Pipedrive, so nothing was connected or changed. "
                "Click Connect whenever you are ready.",
                status=200,
            )
        return _connect_error(request, "Pipedrive reported an error", f"Pipedrive said: {request.GET['error'][:200]}")
    if not request.membership.is_admin:
        return _connect_error(
            request, "Only admins can connect", "Only admins of this workspace can connect Pipedrive.", status=403
        )
    code = request.GET.get("code", "")
    if not code:
        return _connect_error(
            request, "Pipedrive sent no authorization", "The link back from Pipedrive carried no code."
        )
    try:
        connection = services.connection_connect(
            tenant=request.tenant, user=request.user, code=code, code_verifier=pending.get("verifier", "")
        )
    except ApplicationError as exc:
        return _connect_error(request, "Pipedrive was not connected", exc.message)
    messages.success(
        request, f"Connected to Pipedrive ({connection.company_name}). Choose which organizations are your customers."
    )
    return redirect("integrations:pipedrive_settings", pk=connection.pk)


def _basic_auth_matches(header: str) -> bool:
    if not header.startswith("Basic "):
        return False
    try:
        client_id, _, secret = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    # Compare both parts every time, so the timing says nothing about which one was wrong.
    id_ok = hmac.compare_digest(client_id.encode(), settings.PIPEDRIVE_CLIENT_ID.encode())
    secret_ok = hmac.compare_digest(secret.encode(), settings.PIPEDRIVE_CLIENT_SECRET.encode())
    return id_ok and secret_ok


def _uninstall(request: HttpRequest) -> HttpResponse:
    if not _basic_auth_matches(request.headers.get("Authorization", "")):
        response = JsonResponse({"success": False, "error": "unauthorized"}, status=401)
        response["WWW-Authenticate"] = 'Basic realm="staircase"'
        return response
    try:
        body = json.loads(request.body or b"{}")
        company_id = int(body["company_id"])
        user_id = int(body["user_id"]) if body.get("user_id") is not None else None
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"success": False, "error": "body must be JSON with company_id and user_id"}, status=400)
    connection = services.connection_uninstalled_by_pipedrive(company_id=company_id, user_id=user_id)
    logger.info(
        "Pipedrive uninstall notice for company %s user %s: %s",
        company_id,
        user_id,
        f"connection {connection.pk} disconnected" if connection else "no live connection",
    )
    return JsonResponse({"success": True})


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    connection = connection_or_404(request, pk)
    if request.method == "GET":
        return render(request, "integrations/disconnect.html", {"connection": connection})
    choice = request.POST.get("data")
    if choice not in ("keep", "delete"):
        messages.error(request, "Choose whether to keep or delete the data pulled from Pipedrive.")
        return render(request, "integrations/disconnect.html", {"connection": connection}, status=400)
    try:
        services.connection_disconnect(
            tenant=request.tenant, user=request.user, connection=connection, delete_data=choice == "delete"
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("integrations:index")
    if choice == "delete":
        messages.success(request, "Pipedrive is disconnected. The data pulled from it is being deleted.")
    else:
        messages.success(
            request, "Pipedrive is disconnected. The accounts already in Staircase are kept, no longer syncing."
        )
    return redirect("integrations:index")


@tenant_member_required
def purge_progress(request: HttpRequest, pk: int) -> HttpResponse:
    connection = connection_or_404(request, pk)
    return render(request, "integrations/partials/purge_progress.html", {"connection": connection})
