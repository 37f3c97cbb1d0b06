"""``POST /oauth/token`` and ``POST /oauth/revoke`` (NOTES §1.2-1.4).

Errors follow Pipedrive's OAuth server: HTTP 400 with
``{"success": false, "message": "Invalid grant: ...", "error": "invalid_grant"}``
(messages from the OAuth status-codes page; body shape as mocked in Pipedrive's own
client-nodejs tests). The spec documents only the 200 ``GetTokensResponse``.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from sandbox.http import OAUTH, Request, Response, Router, json_response
from sandbox.tokens import Client, Grant, TokenError

if TYPE_CHECKING:
    from sandbox.app import SandboxApp

__all__ = ["register", "token_response"]

GRANT_TYPES = ("authorization_code", "refresh_token", "exchange_api_token")


def _oauth_error(exc: TokenError, grant_type: str | None = None) -> Response:
    response = json_response(exc.status, {"success": False, "message": exc.message, "error": exc.error})
    response.meta["grant_type"] = grant_type
    return response


def _basic_credentials(request: Request) -> tuple[str | None, str | None]:
    header = request.header("Authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None, None
    return unquote(client_id), unquote(secret)


def _client(app: SandboxApp, request: Request) -> Client:
    if request.content_type != "application/x-www-form-urlencoded":
        raise TokenError("invalid_request", "Invalid request: content must be application/x-www-form-urlencoded")
    return app.tokens.authenticate_client(*_basic_credentials(request))


def token_response(app: SandboxApp, grant: Grant) -> dict[str, Any]:
    """The SPEC v1 ``GetTokensResponse``; every company shares the sandbox's origin."""
    return {
        "access_token": app.tokens.issue_access_token(grant),
        "token_type": "Bearer",
        "refresh_token": grant.refresh_token,
        "scope": grant.scope,
        "expires_in": app.tokens.access_token_ttl,
        "api_domain": app.public_url,
    }


def token(app: SandboxApp, request: Request) -> Response:
    form = request.form() if request.content_type == "application/x-www-form-urlencoded" else {}
    grant_type = form.get("grant_type") or None
    try:
        client = _client(app, request)
        if grant_type is None:
            raise TokenError("invalid_request", "Missing parameter: grant_type")
        if grant_type == "authorization_code":
            grant = app.tokens.redeem_code(client, form.get("code"), form.get("redirect_uri"))
        elif grant_type == "refresh_token":
            grant = app.tokens.refresh(client, form.get("refresh_token"))
        elif grant_type == "exchange_api_token":
            grant = _exchange_api_token(app, client, form.get("api_token"))
        else:
            raise TokenError("unsupported_grant_type", "Unsupported grant type: grant_type is invalid")
    except TokenError as exc:
        return _oauth_error(exc, grant_type)
    with app.world.lock:
        if app.world.membership(grant.company_id, grant.user_id) is None:
            return _oauth_error(
                TokenError("invalid_grant", "Invalid grant: user is no longer in the company"), grant_type
            )
    response = json_response(200, token_response(app, grant))
    response.meta.update(grant_type=grant_type, company_id=grant.company_id)
    return response


def _exchange_api_token(app: SandboxApp, client: Client, api_token: str | None) -> Grant:
    membership = app.world.membership_by_api_token(api_token or "")
    if membership is None:
        raise TokenError("invalid_grant", "Invalid grant: api_token is invalid")
    return app.tokens.mint(client, membership.company_id, membership.user_id)


def revoke(app: SandboxApp, request: Request) -> Response:
    """RFC 7009: 200 whether or not the token was known; only client auth can fail."""
    try:
        client = _client(app, request)
    except TokenError as exc:
        return _oauth_error(exc)
    form = request.form()
    value = form.get("token")
    if not value:
        return _oauth_error(TokenError("invalid_request", "Missing parameter: token"))
    revoked = app.tokens.revoke(client, value, form.get("token_type_hint"))
    response = json_response(200, {"success": True})
    response.meta["outcome"] = "revoked" if revoked else "unknown_token"
    return response


def register(router: Router) -> None:
    router.add("POST", "/oauth/token", token, OAUTH)
    router.add("POST", "/oauth/revoke", revoke, OAUTH)
