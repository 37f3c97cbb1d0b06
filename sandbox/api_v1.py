"""API v1 endpoints still in support (``/v1/...`` and ``/api/v1/...``), per SPEC v1."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sandbox.entity_fields import entity_fields
from sandbox.errors import ApiError
from sandbox.fields import V1_CREATABLE_TYPES, V1_FIELD_TYPES
from sandbox.http import API, Handler, Request, Response, Router, json_response
from sandbox.models import Field, Webhook
from sandbox.mutations import create_field
from sandbox.paging import offset_page, v1_pagination
from sandbox.params import AuthContext, date_arg, int_arg, path_id, time_arg
from sandbox.render_v1 import (
    field_v1,
    note_field_v1,
    note_v1,
    product_field_v1,
    relationship_org,
    relationship_v1,
    user_me,
    webhook_v1,
)

if TYPE_CHECKING:
    from sandbox.app import SandboxApp

__all__ = ["register"]

V1_DEFAULT_LIMIT = 100
V1_MAX_LIMIT = 500  # offset maximum is unconfirmed (NOTES §3.2); larger values are capped
WEBHOOK_ACTIONS = ("create", "change", "delete", "*")
WEBHOOK_OBJECTS = (
    "activity",
    "deal",
    "lead",
    "note",
    "organization",
    "person",
    "pipeline",
    "product",
    "stage",
    "user",
    "*",
)
WEBHOOKS_PER_USER = 40
NOTE_SORT_FIELDS = ("id", "user_id", "deal_id", "person_id", "org_id", "content", "add_time", "update_time")


def _start_limit(request: Request) -> tuple[int, int]:
    start = int_arg(request, "start", minimum=0, default=0)
    limit = int_arg(request, "limit", minimum=1, default=V1_DEFAULT_LIMIT)
    assert start is not None and limit is not None
    return start, min(limit, V1_MAX_LIMIT)


def _body(request: Request) -> dict[str, Any]:
    """v1 accepts JSON or form-encoded bodies."""
    if request.content_type == "application/x-www-form-urlencoded":
        return dict(request.form())
    payload = request.json()
    if not isinstance(payload, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return payload


def users_me(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    data = app.company(ctx)
    user = app.world.users[ctx.user_id]
    membership = app.world.membership(ctx.company_id, ctx.user_id)
    admins = [m.user_id for m in app.world.users_of(ctx.company_id) if m.is_admin]
    item = user_me(
        user,
        data,
        is_admin=ctx.is_admin,
        last_login=membership.last_login if membership else user.created,
        created_company=bool(admins) and admins[0] == user.id,
    )
    return json_response(200, {"success": True, "data": item})


def _field_list(
    request: Request, fields: Sequence[Field], render: Callable[[Field], dict[str, Any]], *, paged: bool = True
) -> Response:
    """A v1 ``*Fields`` list.

    Only the operations that document ``start``/``limit`` page; activityFields and noteFields
    document no parameters, so they answer every field at once and ignore those two.
    """
    if paged:
        start, limit = _start_limit(request)
        page, more = offset_page(fields, start, limit)
    else:
        start, limit, page, more = 0, max(len(fields), V1_DEFAULT_LIMIT), fields, False
    return json_response(
        200,
        {"success": True, "data": [render(f) for f in page], "additional_data": v1_pagination(start, limit, more)},
    )


def list_org_fields(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    fields = [f for f in app.company(ctx).org_fields if f.field_type in V1_FIELD_TYPES]
    return _field_list(request, fields, field_v1)


def list_person_fields(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    fields = [f for f in app.company(ctx).person_fields if f.field_type in V1_FIELD_TYPES]
    return _field_list(request, fields, field_v1)


def _entity_field_list(entity: str, render: Callable[[Field], dict[str, Any]], paged: bool) -> Handler:
    def handler(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
        return _field_list(request, entity_fields(entity), render, paged=paged)

    handler.__name__ = f"list_{entity}_fields"
    return handler


# SPEC v1 GET operations for the built-in fields of entities the sandbox holds no custom fields for:
# (path, entity, item renderer, documents start/limit, accepted OAuth scopes). Each costs 20 tokens.
ENTITY_FIELD_LISTS = (
    ("/v1/dealFields", "deal", field_v1, True, ("deals:read", "deals:full", "deal-fields:full", "admin")),
    ("/v1/productFields", "product", product_field_v1, True, ("products:read", "product-fields:full", "products:full")),
    ("/v1/activityFields", "activity", field_v1, False, ("activities:read", "activities:full")),
    ("/v1/noteFields", "note", note_field_v1, False, ("deals:read", "deals:full", "contacts:read", "contacts:full")),
)


def create_org_field(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    if not ctx.is_admin:
        raise ApiError(403, "You do not have permission to add custom fields")
    body = _body(request)
    options = body.get("options")
    if isinstance(options, str):  # form posts carry options as a JSON-encoded array
        try:
            options = json.loads(options)
        except ValueError:
            raise ApiError(400, "options must be a JSON-encoded array of {label}") from None
    add_visible = body.get("add_visible_flag", True)  # SPEC v1 default: true
    if isinstance(add_visible, str) and add_visible in ("true", "false", "1", "0"):  # form posts
        add_visible = add_visible in ("true", "1")
    if not isinstance(add_visible, bool):
        raise ApiError(400, "add_visible_flag must be a boolean")
    field = create_field(
        app.company(ctx),
        body.get("name"),
        body.get("field_type"),
        options,
        V1_CREATABLE_TYPES,
        ctx.user_id,
        app.clock.now_int(),
        flags={"add_visible": add_visible},
    )
    return json_response(200, {"success": True, "data": field_v1(field)})


def list_relationships(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    org_id = int_arg(request, "org_id", minimum=1)
    if org_id is None:
        raise ApiError(400, "Parameter 'org_id' is required")
    data = app.company(ctx)
    if data.orgs.get_live(org_id) is None:
        raise ApiError(404, "Organization not found")
    rels = [data.relationships[i] for i in data.rels_by_org.get(org_id, []) if i in data.relationships]
    items = [relationship_v1(r, org_id, data) for r in rels]
    related: dict[str, Any] = {}
    for rel in rels:
        for oid in (rel.owner_org_id, rel.linked_org_id):
            related[str(oid)] = {"id": oid, **relationship_org(data.orgs.by_id.get(oid), oid, data)}
    return json_response(
        200,
        {
            "success": True,
            "data": items,
            "additional_data": v1_pagination(0, max(len(items), V1_DEFAULT_LIMIT), False),
            "related_objects": {"organization": related},
        },
    )


def list_notes(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    data = app.company(ctx)
    start, limit = _start_limit(request)
    filters = {
        name: int_arg(request, name, minimum=1)
        for name in ("user_id", "deal_id", "person_id", "org_id", "project_id", "task_id")
    }
    since = time_arg(request, "updated_since")
    start_date, end_date = date_arg(request, "start_date"), date_arg(request, "end_date")
    pinned = {
        name: _flag_arg(request, f"pinned_to_{name}_flag")
        for name in ("organization", "person", "deal", "lead", "project", "task")
    }
    pinned_org, pinned_person = pinned["organization"], pinned["person"]
    sort_spec = _note_sort(request.arg("sort"))
    pool = (
        [data.notes[i] for i in data.notes_by_org.get(filters["org_id"], [])]
        if filters["org_id"] is not None
        else list(data.notes.values())
    )
    if (
        any(filters[k] is not None for k in ("deal_id", "project_id", "task_id"))
        or request.arg("lead_id")
        or any(pinned[k] for k in ("deal", "lead", "project", "task"))
    ):
        pool = []  # no deals, leads, projects or tasks in the sandbox: nothing is linked or pinned to one

    def keep(note: Any) -> bool:
        return (
            note.active
            and (filters["user_id"] is None or note.user_id == filters["user_id"])
            and (filters["person_id"] is None or note.person_id == filters["person_id"])
            and (since is None or note.update_time >= since)
            and (start_date is None or note.add_time >= start_date)
            and (end_date is None or note.add_time < end_date + 86_400)
            and (pinned_org is None or note.pinned_to_org == bool(pinned_org))
            and (pinned_person is None or note.pinned_to_person == bool(pinned_person))
        )

    notes = [n for n in pool if keep(n)]
    for field, descending in reversed(sort_spec):
        if field == "content":
            notes.sort(key=lambda n: n.content, reverse=descending)
        else:
            notes.sort(
                key=lambda n, f=field: (getattr(n, f, None) is None, getattr(n, f, None) or 0), reverse=descending
            )
    page, more = offset_page(notes, start, limit)
    return json_response(
        200,
        {
            "success": True,
            "data": [note_v1(n, data, app.world.users, ctx.user_id) for n in page],
            "additional_data": v1_pagination(start, limit, more),
        },
    )


def _flag_arg(request: Request, name: str) -> int | None:
    """SPEC v1 ``numberBoolean``: 0 or 1."""
    value = int_arg(request, name)
    if value not in (None, 0, 1):
        raise ApiError(400, f"Parameter '{name}' must be 0 or 1")
    return value


def _note_sort(raw: str | None) -> list[tuple[str, bool]]:
    if not raw:
        return [("id", False)]
    spec = []
    for part in raw.split(","):
        words = part.split()
        if not words or len(words) > 2 or words[0] not in NOTE_SORT_FIELDS:
            raise ApiError(400, f"Invalid sort field: {part.strip()!r}")
        direction = words[1].upper() if len(words) == 2 else "ASC"
        if direction not in ("ASC", "DESC"):
            raise ApiError(400, f"Invalid sort direction: {part.strip()!r}")
        spec.append((words[0], direction == "DESC"))
    return spec


# -- webhooks --------------------------------------------------------------------------
def _webhook_error(status: int, errors: dict[str, list[str]], message: str) -> ApiError:
    # SPEC v1 documents webhook errors as {status: "error", success: false, errors: {...}}.
    return ApiError(status, message, extra={"status": "error", "errors": errors})


def _visible_hooks(app: SandboxApp, ctx: AuthContext) -> list[Webhook]:
    # Apps see only their own webhooks (https://pipedrive.readme.io/docs/webhooks-for-apps).
    return [h for h in app.company(ctx).webhooks.values() if h.client_id == ctx.client_id]


def list_webhooks(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    hooks = _visible_hooks(app, ctx)
    return json_response(200, {"success": True, "status": "ok", "data": [webhook_v1(h) for h in hooks]})


def create_webhook(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    body = _body(request)
    errors: dict[str, list[str]] = {}
    url = body.get("subscription_url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        errors["subscription_url"] = ["invalid or non-reachable URL"]
    if body.get("event_action") not in WEBHOOK_ACTIONS:
        errors["event_action"] = [f"must be one of {', '.join(WEBHOOK_ACTIONS)}"]
    if body.get("event_object") not in WEBHOOK_OBJECTS:
        errors["event_object"] = [f"must be one of {', '.join(WEBHOOK_OBJECTS)}"]
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        errors["name"] = ["is required (at most 255 characters)"]
    version = str(body.get("version", "2.0"))
    if version not in ("1.0", "2.0"):
        errors["version"] = ["must be 1.0 or 2.0"]
    for key in ("http_auth_user", "http_auth_password"):
        if body.get(key) is not None and not isinstance(body[key], str):
            errors[key] = ["must be a string"]  # SPEC v1 types both as (nullable) strings
    user_id = body.get("user_id", ctx.user_id)
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        errors["user_id"] = ["must be an integer"]
    else:
        if user_id not in app.member_ids(ctx.company_id):
            errors["user_id"] = ["must be the id of a user in this company"]
    if errors:
        raise _webhook_error(400, errors, "Validation failed")
    data = app.company(ctx)
    if sum(1 for h in data.webhooks.values() if h.user_id == user_id) >= WEBHOOKS_PER_USER:
        raise ApiError(422, "Webhooks limit reached")
    hook = Webhook(
        data.next_webhook_id,
        ctx.company_id,
        user_id,
        ctx.client_id,
        body["event_action"],
        body["event_object"],
        url,
        version,
        name.strip(),
        app.clock.now_int(),
        body.get("http_auth_user"),
        body.get("http_auth_password"),
    )
    data.webhooks[hook.id] = hook
    data.next_webhook_id += 1
    return json_response(201, {"success": True, "status": "ok", "data": webhook_v1(hook)})


def delete_webhook(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    hook_id = path_id(request)
    hooks = {h.id: h for h in _visible_hooks(app, ctx)}
    if hook_id not in hooks:
        raise _webhook_error(404, {"id": ["not found"]}, "Webhook not found")
    del app.company(ctx).webhooks[hook_id]
    return json_response(200, {"success": True, "status": "ok"})


def register(router: Router) -> None:
    add = router.add
    contacts_read = ("contacts:read", "contacts:full")
    fields_read = ("contacts:read", "contacts:full", "contact-fields:full", "admin")
    add("GET", "/v1/users/me", users_me, API, 2, ("base",))
    add("GET", "/v1/organizationFields", list_org_fields, API, 20, fields_read)
    add("POST", "/v1/organizationFields", create_org_field, API, 10, ("contact-fields:full", "admin"))
    add("GET", "/v1/personFields", list_person_fields, API, 20, fields_read)
    for path, entity, render, paged, scopes in ENTITY_FIELD_LISTS:
        add("GET", path, _entity_field_list(entity, render, paged), API, 20, scopes)
    add("GET", "/v1/organizationRelationships", list_relationships, API, 20, contacts_read)
    add("GET", "/v1/notes", list_notes, API, 20, ("deals:read", "deals:full", *contacts_read))
    add("GET", "/v1/webhooks", list_webhooks, API, 10, ("admin",))
    add("POST", "/v1/webhooks", create_webhook, API, 10, ("admin",))
    add("DELETE", "/v1/webhooks/{id}", delete_webhook, API, 6, ("admin",))
