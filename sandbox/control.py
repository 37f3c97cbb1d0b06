"""The control API under ``/_sandbox/`` (documented in ``sandbox/README.md``).

It is unauthenticated on purpose: the sandbox is a local test double. It is not
subject to faults, rate limits or stats.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

from sandbox.clock import format_rfc3339
from sandbox.control_mutate import apply_operations
from sandbox.errors import ApiError
from sandbox.http import CONTROL, Request, Response, Router, json_response
from sandbox.oauth import token_response
from sandbox.params import require_object
from sandbox.tokens import Client

if TYPE_CHECKING:
    from sandbox.app import SandboxApp

__all__ = ["register"]


def _ok(payload: Any, status: int = 200) -> Response:
    return json_response(status, payload)


def _body(request: Request) -> dict[str, Any]:
    payload = request.json()
    return {} if payload is None else require_object(payload)


def health(app: SandboxApp, request: Request) -> Response:
    return _ok({"ok": True, "url": app.public_url, "now": format_rfc3339(app.clock.now())})


def companies(app: SandboxApp, request: Request) -> Response:
    with app.world.lock:
        return _ok({"companies": app.world.describe()})


def mint_tokens(app: SandboxApp, request: Request) -> Response:
    body = _body(request)
    client = app.tokens.clients.get(body.get("client_id") or app.config.client_id)
    if client is None:
        raise ApiError(404, "Unknown client_id")
    company_id, user_id = body.get("company_id"), body.get("user_id")
    with app.world.lock:
        if app.world.membership(company_id, user_id) is None:  # type: ignore[arg-type]
            raise ApiError(400, "user_id is not a user of company_id")
    scopes = body.get("scopes")
    scope = ",".join(dict.fromkeys(["base", *scopes])) if isinstance(scopes, list) else None
    grant = app.tokens.mint(client, company_id, user_id, scope)  # type: ignore[arg-type]
    return _ok(token_response(app, grant))


def grants(app: SandboxApp, request: Request) -> Response:
    return _ok({"grants": app.tokens.grants()})


def stats(app: SandboxApp, request: Request) -> Response:
    snapshot = app.stats.snapshot()
    snapshot["daily_tokens_spent"] = app.limiter.usage()
    if request.arg("reset") in ("1", "true"):
        app.stats.reset()
    return _ok(snapshot)


def stats_reset(app: SandboxApp, request: Request) -> Response:
    app.stats.reset()
    return _ok({"reset": True})


def reset(app: SandboxApp, request: Request) -> Response:
    body = _body(request)
    app.reset_world()
    app.faults.clear()
    app.stats.reset()
    app.limiter.reset()
    app.clock.reset()
    app.authorize_flows.clear()
    if not body.get("keep_tokens"):
        app.tokens.clear()
    return _ok({"reset": True, "kept_tokens": bool(body.get("keep_tokens"))})


def faults_list(app: SandboxApp, request: Request) -> Response:
    return _ok({"rules": app.faults.describe()})


def faults_add(app: SandboxApp, request: Request) -> Response:
    body = _body(request)
    specs = body["rules"] if isinstance(body.get("rules"), list) else [body]
    rules = [app.faults.add(spec) for spec in specs]
    return _ok({"rules": [r.describe() for r in rules]}, 201)


def faults_clear(app: SandboxApp, request: Request) -> Response:
    app.faults.clear()
    return _ok({"cleared": True})


def fault_delete(app: SandboxApp, request: Request) -> Response:
    if not app.faults.remove(int(request.params["id"]) if request.params["id"].isdigit() else -1):
        raise ApiError(404, "Unknown fault rule")
    return _ok({"deleted": True})


def clock_get(app: SandboxApp, request: Request) -> Response:
    return _ok({"now": format_rfc3339(app.clock.now()), "offset_seconds": app.clock.offset})


def clock_advance(app: SandboxApp, request: Request) -> Response:
    seconds = _body(request).get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        raise ApiError(400, "'seconds' must be a number")
    app.clock.advance(seconds)
    return clock_get(app, request)


def mutate(app: SandboxApp, request: Request) -> Response:
    body = _body(request)
    with app.world.lock:
        results = apply_operations(app, body.get("company_id"), body.get("operations"))
    return _ok({"results": results})


def uninstall(app: SandboxApp, request: Request) -> Response:
    """Pipedrive's uninstall notice: DELETE to the callback URL (NOTES §1.6)."""
    body = _body(request)
    client = app.tokens.clients.get(body.get("client_id") or app.config.client_id)
    if client is None:
        raise ApiError(404, "Unknown client_id")
    company_id, user_id = body.get("company_id"), body.get("user_id")
    if not isinstance(company_id, int) or not isinstance(user_id, int):
        raise ApiError(400, "company_id and user_id are required integers")
    revoked = app.tokens.uninstall(client.client_id, company_id, user_id)
    with app.world.lock:
        data = app.world.companies.get(company_id)
        if data is not None:  # app webhooks die with the install
            for hook_id in [
                h.id for h in data.webhooks.values() if h.client_id == client.client_id and h.user_id == user_id
            ]:
                del data.webhooks[hook_id]
    notice = {
        "client_id": client.client_id,
        "company_id": company_id,
        "user_id": user_id,
        "timestamp": format_rfc3339(app.clock.now()),
    }
    secret = base64.b64encode(f"{client.client_id}:{client.client_secret}".encode()).decode()
    call = urllib.request.Request(
        client.redirect_uri,
        json.dumps(notice).encode(),
        method="DELETE",
        headers={"Content-Type": "application/json", "Authorization": f"Basic {secret}"},
    )
    result: dict[str, Any] = {"revoked_grants": revoked, "notified": client.redirect_uri, "notice": notice}
    try:
        with urllib.request.urlopen(call, timeout=app.config.uninstall_timeout) as answer:
            result["callback_status"] = answer.status
    except urllib.error.HTTPError as exc:
        result["callback_status"] = exc.code  # Pipedrive ignores the answer; so do we
    except (OSError, ValueError) as exc:
        result["callback_status"] = None
        result["callback_error"] = str(exc)
    return _ok(result)


def clients_list(app: SandboxApp, request: Request) -> Response:
    return _ok(
        {
            "clients": [
                {"client_id": c.client_id, "redirect_uri": c.redirect_uri, "scope": c.scope_string(), "name": c.name}
                for c in app.tokens.clients.values()
            ]
        }
    )


def clients_upsert(app: SandboxApp, request: Request) -> Response:
    body = _body(request)
    existing = app.tokens.clients.get(body.get("client_id", ""))
    try:
        client = Client(
            client_id=body["client_id"],
            client_secret=body.get("client_secret", existing.client_secret if existing else ""),
            redirect_uri=body.get("redirect_uri", existing.redirect_uri if existing else ""),
            scopes=tuple(body.get("scopes", existing.scopes if existing else ("base",))),
            name=body.get("name", existing.name if existing else "Sandbox app"),
        )
    except KeyError:
        raise ApiError(400, "client_id is required") from None
    if not client.client_secret or not client.redirect_uri:
        raise ApiError(400, "client_secret and redirect_uri are required for a new client")
    app.tokens.add_client(client)
    return clients_list(app, request)


def webhook_deliveries(app: SandboxApp, request: Request) -> Response:
    return _ok({"deliveries": list(app.webhooks.deliveries)})


def register(router: Router) -> None:
    routes = [
        ("GET", "/_sandbox/health", health),
        ("GET", "/_sandbox/companies", companies),
        ("POST", "/_sandbox/tokens", mint_tokens),
        ("GET", "/_sandbox/grants", grants),
        ("GET", "/_sandbox/stats", stats),
        ("POST", "/_sandbox/stats/reset", stats_reset),
        ("POST", "/_sandbox/reset", reset),
        ("GET", "/_sandbox/faults", faults_list),
        ("POST", "/_sandbox/faults", faults_add),
        ("DELETE", "/_sandbox/faults", faults_clear),
        ("DELETE", "/_sandbox/faults/{id}", fault_delete),
        ("GET", "/_sandbox/clock", clock_get),
        ("POST", "/_sandbox/clock", clock_advance),
        ("POST", "/_sandbox/mutate", mutate),
        ("POST", "/_sandbox/uninstall", uninstall),
        ("GET", "/_sandbox/clients", clients_list),
        ("POST", "/_sandbox/clients", clients_upsert),
        ("GET", "/_sandbox/webhooks/deliveries", webhook_deliveries),
    ]
    for method, template, handler in routes:
        router.add(method, template, handler, CONTROL)
