"""OAuth: the authorize pages, code exchange, refresh rotation, revoke, uninstall."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from sandbox.config import DEFAULT_REDIRECT_URI
from sandbox.testing import SandboxHandle, running_sandbox

ACME, GLOBEX = 7001, 7002
ALICE, BOB = 501, 502
CLIENT = ("staircase-dev", "staircase-dev-secret")


def basic(client_id: str = CLIENT[0], secret: str = CLIENT[1]) -> dict[str, str]:
    return {
        "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def token_call(sb: SandboxHandle, form: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    status, _, body = sb.request(
        "POST", "/oauth/token", data=urlencode(form).encode(), headers=basic() if headers is None else headers
    )
    return status, body


def flow_id(html: str) -> str:
    match = re.search(r'name="flow" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def post_form(sb: SandboxHandle, path: str, form: dict[str, Any]) -> tuple[int, dict[str, str], str]:
    return sb.request(
        "POST", path, data=urlencode(form).encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


def authorize(
    sb: SandboxHandle,
    *,
    user: int = ALICE,
    company: int = ACME,
    decision: str = "allow",
    state: str = "st-123",
    extra: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    query = {"client_id": CLIENT[0], "redirect_uri": DEFAULT_REDIRECT_URI, "state": state, **(extra or {})}
    status, _, page = sb.request("GET", "/oauth/authorize", params=query)
    assert status == 200 and "Alice Anders" in page and "admin in Acme Analytics" in page
    fid = flow_id(page)
    status, _, page = post_form(sb, "/oauth/authorize/login", {"flow": fid, "user_id": user})
    assert status == 200 and "Choose account" in page
    status, _, page = post_form(sb, "/oauth/authorize/account", {"flow": fid, "company_id": company})
    assert status == 200 and "Allow and install" in page and "Cancel" in page and "contacts:full" in page
    status, headers, _ = post_form(sb, "/oauth/authorize/decision", {"flow": fid, "decision": decision})
    assert status == 302
    location = headers["location"]
    assert location.startswith(DEFAULT_REDIRECT_URI)
    return parse_qs(urlsplit(location).query)


@pytest.fixture
def sb() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


def test_authorize_rejects_unknown_client_and_wrong_redirect(sb: SandboxHandle) -> None:
    for query in (
        {"client_id": "nope", "redirect_uri": DEFAULT_REDIRECT_URI},
        {"client_id": CLIENT[0], "redirect_uri": "http://evil.invalid/cb"},
        {"client_id": CLIENT[0]},
    ):
        status, headers, page = sb.request("GET", "/oauth/authorize", params=query)
        assert status == 400 and "location" not in headers and 'role="alert"' in page


def test_choose_account_lists_every_company_of_the_user(sb: SandboxHandle) -> None:
    _, _, page = sb.request(
        "GET", "/oauth/authorize", params={"client_id": CLIENT[0], "redirect_uri": DEFAULT_REDIRECT_URI}
    )
    _, _, page = post_form(sb, "/oauth/authorize/login", {"flow": flow_id(page), "user_id": ALICE})
    assert "Acme Analytics" in page and "Globex Partners" in page
    assert "Bob Baker" not in page


def test_full_flow_exchange_and_me(sb: SandboxHandle) -> None:
    params = authorize(sb, company=GLOBEX, extra={"code_challenge": "abc", "code_challenge_method": "S256"})
    assert params["state"] == ["st-123"]
    status, body = token_call(
        sb, {"grant_type": "authorization_code", "code": params["code"][0], "redirect_uri": DEFAULT_REDIRECT_URI}
    )
    assert status == 200
    assert set(body) == {"access_token", "token_type", "refresh_token", "scope", "expires_in", "api_domain"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["api_domain"] == sb.url
    assert body["scope"].split(",")[0] == "base" and "contacts:full" in body["scope"]
    status, _, me = sb.api("GET", "/api/v1/users/me", token=body["access_token"])
    assert status == 200 and me["data"]["company_id"] == GLOBEX and me["data"]["id"] == ALICE


def test_cancel_redirects_access_denied(sb: SandboxHandle) -> None:
    params = authorize(sb, decision="cancel", state="xyz")
    assert params == {"error": ["access_denied"], "state": ["xyz"]}


def test_code_is_single_use(sb: SandboxHandle) -> None:
    code = authorize(sb)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": DEFAULT_REDIRECT_URI}
    assert token_call(sb, form)[0] == 200
    status, body = token_call(sb, form)
    assert status == 400 and body == {
        "success": False,
        "error": "invalid_grant",
        "message": "Invalid grant: authorization_code is invalid",
    }


def test_code_expires_after_five_minutes(sb: SandboxHandle) -> None:
    code = authorize(sb)["code"][0]
    sb.advance_clock(301)
    status, body = token_call(
        sb, {"grant_type": "authorization_code", "code": code, "redirect_uri": DEFAULT_REDIRECT_URI}
    )
    assert status == 400 and body["error"] == "invalid_grant" and "expired" in body["message"]


def test_code_exchange_needs_matching_redirect_and_client(sb: SandboxHandle) -> None:
    code = authorize(sb)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://other.invalid/cb"}
    status, body = token_call(sb, form)
    assert status == 400 and body["error"] == "invalid_request"
    status, body = token_call(sb, {**form, "redirect_uri": DEFAULT_REDIRECT_URI}, basic(secret="wrong"))
    assert status == 400 and body["error"] == "invalid_client"
    status, body = token_call(
        sb, {**form, "redirect_uri": DEFAULT_REDIRECT_URI}, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 400 and body["error"] == "invalid_client"
    status, _, body = sb.request("POST", "/oauth/token", json_body=form, headers=basic())
    assert status == 400 and body["error"] == "invalid_request"
    assert token_call(sb, {"grant_type": "password"})[1]["error"] == "unsupported_grant_type"
    assert token_call(sb, {})[1]["message"] == "Missing parameter: grant_type"


def test_refresh_rotates_and_old_refresh_token_is_refused(sb: SandboxHandle) -> None:
    first = sb.mint_token(ACME, ALICE)
    sb.reset_stats()
    status, second = token_call(sb, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    assert second["api_domain"] == sb.url
    status, body = token_call(sb, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert status == 400 and body["error"] == "invalid_grant"
    token_stats = sb.stats()["oauth"]["POST /oauth/token"]
    assert token_stats["by_grant_type"]["refresh_token"] == {"calls": 2, "succeeded": 1}
    assert sb.api("GET", "/v1/users/me", token=second["access_token"])[0] == 200
    assert token_call(sb, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})[0] == 200


def test_access_token_expires(make_sandbox: Any) -> None:
    sb = make_sandbox(access_token_ttl=60)
    tokens = sb.mint_token(ACME, ALICE)
    assert tokens["expires_in"] == 60
    sb.advance_clock(61)
    status, _, body = sb.api("GET", "/v1/users/me", token=tokens["access_token"])
    assert status == 401 and body["error"] == "Invalid token: access token has expired"
    status, fresh = token_call(sb, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert status == 200 and sb.api("GET", "/v1/users/me", token=fresh["access_token"])[0] == 200


def test_revoke_refresh_token_kills_its_access_tokens(sb: SandboxHandle) -> None:
    tokens = sb.mint_token(ACME, ALICE)
    status, _, body = sb.request(
        "POST",
        "/oauth/revoke",
        headers=basic(),
        data=urlencode({"token": tokens["refresh_token"], "token_type_hint": "refresh_token"}).encode(),
    )
    assert status == 200 and body == {"success": True}
    assert sb.api("GET", "/v1/users/me", token=tokens["access_token"])[0] == 401
    assert token_call(sb, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})[0] == 400
    revoke_stats = sb.stats()["oauth"]["POST /oauth/revoke"]
    assert revoke_stats["calls"] == 1 and revoke_stats["outcomes"] == {"revoked": 1}
    assert [g["revoked"] for g in sb.grants()] == [True]


def test_revoke_access_token_only_and_unknown_tokens(sb: SandboxHandle) -> None:
    tokens = sb.mint_token(ACME, ALICE)
    assert (
        sb.request(
            "POST", "/oauth/revoke", headers=basic(), data=urlencode({"token": tokens["access_token"]}).encode()
        )[0]
        == 200
    )
    assert sb.api("GET", "/v1/users/me", token=tokens["access_token"])[0] == 401
    assert token_call(sb, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})[0] == 200
    assert sb.request("POST", "/oauth/revoke", headers=basic(), data=b"token=unknown")[0] == 200
    status, _, body = sb.request("POST", "/oauth/revoke", headers=basic(secret="x"), data=b"token=unknown")
    assert status == 400 and body["error"] == "invalid_client"


def test_exchange_api_token_grant(sb: SandboxHandle) -> None:
    status, body = token_call(sb, {"grant_type": "exchange_api_token", "api_token": sb.api_token(ACME, BOB)})
    assert status == 200
    assert sb.api("GET", "/v1/users/me", token=body["access_token"])[2]["data"]["id"] == BOB
    assert token_call(sb, {"grant_type": "exchange_api_token", "api_token": "nope"})[1]["error"] == "invalid_grant"


class _Callback(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_DELETE(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("Content-Length") or 0)
        self.received.append({"auth": self.headers.get("Authorization"), "body": json.loads(self.rfile.read(length))})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_uninstall_notifies_callback_and_revokes() -> None:
    callback = HTTPServer(("127.0.0.1", 0), _Callback)
    threading.Thread(target=callback.serve_forever, daemon=True).start()
    redirect = f"http://127.0.0.1:{callback.server_address[1]}/integrations/pipedrive/callback/"
    try:
        with running_sandbox(redirect_uri=redirect) as sb:
            tokens = sb.mint_token(ACME, ALICE)
            hook = {
                "subscription_url": "https://example.invalid/h",
                "event_action": "*",
                "event_object": "*",
                "name": "x",
            }
            assert sb.api("POST", "/v1/webhooks", token=tokens["access_token"], json_body=hook)[0] == 201
            result = sb.uninstall(ACME, ALICE)
            assert result["revoked_grants"] == 1 and result["callback_status"] == 200
            assert sb.api("GET", "/v1/users/me", token=tokens["access_token"])[0] == 401
            assert token_call(sb, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})[0] == 400
            assert sb.app.world.companies[ACME].webhooks == {}
    finally:
        callback.shutdown()
        callback.server_close()
    notice = _Callback.received[-1]
    assert notice["auth"] == "Basic " + base64.b64encode(b"staircase-dev:staircase-dev-secret").decode()
    assert notice["body"]["client_id"] == "staircase-dev"
    assert (notice["body"]["company_id"], notice["body"]["user_id"]) == (ACME, ALICE)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", notice["body"]["timestamp"])


def test_scopes_are_per_client(make_sandbox: Any) -> None:
    sb = make_sandbox(scopes=("base", "contacts:read"))
    tokens = sb.mint_token(ACME, ALICE)
    assert tokens["scope"] == "base,contacts:read"
    assert sb.api("GET", "/api/v2/organizations", token=tokens["access_token"])[0] == 200
    status, _, body = sb.api("PATCH", "/api/v2/organizations/1", token=tokens["access_token"], json_body={"name": "x"})
    assert status == 403 and body["error"] == "Scope and URL mismatch"
    assert sb.api("GET", "/api/v2/activities", token=tokens["access_token"])[0] == 403
