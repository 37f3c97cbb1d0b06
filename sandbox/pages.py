"""The browser side of ``GET /oauth/authorize`` (NOTES §1.1).

Sign in as a seeded user -> **Choose account** (company) -> consent with
**Allow and install** / **Cancel** -> redirect to ``redirect_uri`` with ``code`` and
``state`` or ``error=access_denied``. No cookies: the flow is keyed by a random id in
hidden form fields. Extra authorize parameters (e.g. PKCE's ``code_challenge``) are
accepted and ignored, as Pipedrive documents none.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from sandbox.http import PAGE, Request, Response, Router, html_response, redirect_response

if TYPE_CHECKING:
    from sandbox.app import SandboxApp

__all__ = ["register", "AuthorizeFlow"]

FLOW_TTL = 1800
SCOPE_TEXT = {
    "base": "Read your settings and basic profile information",
    "deals:read": "Read deals",
    "deals:full": "Create, read, update and delete deals",
    "activities:read": "Read activities",
    "activities:full": "Create, read, update and delete activities",
    "contacts:read": "Read people and organizations",
    "contacts:full": "Create, read, update and delete people and organizations",
    "contact-fields:full": "Create, read, update and delete person and organization fields",
    "admin": "Admin-level access, including managing custom fields and the app's webhooks",
    "users:read": "Read users and their permissions",
    "mail:read": "Read mail",
    "recents:read": "Read recent changes",
}


@dataclass
class AuthorizeFlow:
    client_id: str
    redirect_uri: str
    state: str | None
    created: float
    user_id: int | None = None
    company_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _page(title: str, body: str, status: int = 200) -> Response:
    return html_response(
        status,
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} · Pipedrive sandbox</title>
<style>
body{{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}}
main{{max-width:32rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}}
h1{{font-size:1.4rem}} .choice{{display:block;width:100%;margin:.5rem 0;padding:.8rem;text-align:left;
border:1px solid #ccd;border-radius:6px;background:#fff;cursor:pointer;font-size:1rem}}
.choice:hover{{background:#eef3ff}} .badge{{font-size:.8rem;color:#555}}
.allow{{background:#08a742;color:#fff;border:0;padding:.7rem 1.2rem;border-radius:6px;font-size:1rem}}
.cancel{{background:#fff;border:1px solid #999;padding:.7rem 1.2rem;border-radius:6px;font-size:1rem}}
.error{{color:#b00020}}
</style></head><body><main><p class="badge">Pipedrive sandbox</p><h1>{html.escape(title)}</h1>
{body}</main></body></html>""",
    )


def _error_page(message: str) -> Response:
    return _page("Something went wrong", f'<p class="error" role="alert">{html.escape(message)}</p>', 400)


def _hidden(flow_id: str) -> str:
    return f'<input type="hidden" name="flow" value="{html.escape(flow_id)}">'


def _flow(app: SandboxApp, request: Request) -> tuple[str, AuthorizeFlow] | None:
    flow_id = request.form().get("flow", "")
    flow = app.authorize_flows.get(flow_id)
    if flow is None or app.clock.now() - flow.created > FLOW_TTL:
        return None
    return flow_id, flow


def authorize(app: SandboxApp, request: Request) -> Response:
    client_id, redirect_uri = request.arg("client_id"), request.arg("redirect_uri")
    client = app.tokens.clients.get(client_id or "")
    if client is None:
        return _error_page("App cannot be installed: unknown client_id.")
    if not redirect_uri or redirect_uri != client.redirect_uri:
        return _error_page("Invalid request: redirect_uri does not match the app's callback URL.")
    now = app.clock.now()
    for stale in [k for k, f in app.authorize_flows.items() if now - f.created > FLOW_TTL]:
        app.authorize_flows.pop(stale, None)
    flow_id = secrets.token_urlsafe(24)
    extra = {k: v[0] for k, v in request.query.items() if k not in ("client_id", "redirect_uri", "state")}
    app.authorize_flows[flow_id] = AuthorizeFlow(client.client_id, redirect_uri, request.arg("state"), now, extra=extra)
    rows = []
    with app.world.lock:
        for user in app.world.users.values():
            memberships = app.world.companies_of(user.id)
            if not memberships:
                continue
            roles = ", ".join(
                f"{'admin' if m.is_admin else 'regular user'} in {app.world.companies[m.company_id].company.name}"
                for m in memberships
            )
            rows.append(
                f'<button class="choice" type="submit" name="user_id" value="{user.id}">'
                f'Sign in as {html.escape(user.name)} <span class="badge">({html.escape(user.email)} — '
                f"{html.escape(roles)})</span></button>"
            )
    return _page(
        "Log in to Pipedrive",
        f"""<p>Choose the Pipedrive user to sign in as.</p>
<form method="post" action="/oauth/authorize/login">{_hidden(flow_id)}{"".join(rows)}</form>""",
    )


def login(app: SandboxApp, request: Request) -> Response:
    found = _flow(app, request)
    if found is None:
        return _error_page("This sign-in has expired. Start again from the app.")
    flow_id, flow = found
    try:
        user_id = int(request.form().get("user_id", ""))
    except ValueError:
        return _error_page("Unknown user.")
    with app.world.lock:
        memberships = app.world.companies_of(user_id)
        if not memberships:
            return _error_page("Unknown user.")
        flow.user_id = user_id
        rows = "".join(
            f'<button class="choice" type="submit" name="company_id" value="{m.company_id}">'
            f"{html.escape(app.world.companies[m.company_id].company.name)} "
            f'<span class="badge">({"admin" if m.is_admin else "regular user"} · '
            f"{html.escape(app.world.companies[m.company_id].company.domain)}.pipedrive.com)</span></button>"
            for m in memberships
        )
        name = app.world.users[user_id].name
    return _page(
        "Choose account",
        f"""<p>Signed in as {html.escape(name)}. Which company should the app be
installed in?</p><form method="post" action="/oauth/authorize/account">{_hidden(flow_id)}{rows}</form>""",
    )


def account(app: SandboxApp, request: Request) -> Response:
    found = _flow(app, request)
    if found is None or found[1].user_id is None:
        return _error_page("This sign-in has expired. Start again from the app.")
    flow_id, flow = found
    try:
        company_id = int(request.form().get("company_id", ""))
    except ValueError:
        return _error_page("Unknown company.")
    with app.world.lock:
        if app.world.membership(company_id, flow.user_id) is None:
            return _error_page("You are not a user of that company.")
        company = app.world.companies[company_id].company
    flow.company_id = company_id
    client = app.tokens.clients[flow.client_id]
    scopes = "".join(
        f"<li><strong>{html.escape(s)}</strong> — {html.escape(SCOPE_TEXT.get(s, s))}</li>"
        for s in client.scope_string().split(",")
    )
    return _page(
        f"Install {client.name}",
        f"""<p><strong>{html.escape(client.name)}</strong> wants to access
<strong>{html.escape(company.name)}</strong> ({html.escape(company.domain)}.pipedrive.com) with these permissions:</p>
<ul>{scopes}</ul><form method="post" action="/oauth/authorize/decision">{_hidden(flow_id)}
<button class="allow" type="submit" name="decision" value="allow">Allow and install</button>
<button class="cancel" type="submit" name="decision" value="cancel">Cancel</button></form>""",
    )


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(p for p in (parts.query, urlencode(params)) if p)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def decision(app: SandboxApp, request: Request) -> Response:
    found = _flow(app, request)
    if found is None or found[1].company_id is None or found[1].user_id is None:
        return _error_page("This sign-in has expired. Start again from the app.")
    flow_id, flow = found
    app.authorize_flows.pop(flow_id, None)  # single use
    state = {"state": flow.state} if flow.state is not None else {}
    if request.form().get("decision") != "allow":
        response = redirect_response(_with_query(flow.redirect_uri, {"error": "access_denied", **state}))
        response.meta["outcome"] = "denied"
        return response
    client = app.tokens.clients[flow.client_id]
    code = app.tokens.issue_code(client, flow.redirect_uri, flow.company_id, flow.user_id)
    response = redirect_response(_with_query(flow.redirect_uri, {"code": code, **state}))
    response.meta.update(outcome="allowed", company_id=flow.company_id)
    return response


def register(router: Router) -> None:
    router.add("GET", "/oauth/authorize", authorize, PAGE)
    router.add("POST", "/oauth/authorize/login", login, PAGE)
    router.add("POST", "/oauth/authorize/account", account, PAGE)
    router.add("POST", "/oauth/authorize/decision", decision, PAGE)
