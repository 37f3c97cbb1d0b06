"""API v2 endpoints (``/api/v2/...``), per SPEC v2.

Costs and scopes are the spec's ``x-token-cost`` and ``security`` values, copied here
so that the runtime needs no spec files.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.errors import ApiError
from sandbox.fields import V2_CREATABLE_TYPES
from sandbox.http import API, Request, Response, Router, json_response
from sandbox.mutations import add_field_options, apply_org_changes, create_field, delete_org
from sandbox.paging import decode_cursor, select_page
from sandbox.params import (
    AuthContext,
    bool_arg,
    csv_arg,
    enum_arg,
    id_list_arg,
    int_arg,
    path_id,
    require_object,
    time_arg,
    v2_limit,
)
from sandbox.render import ORG_INCLUDE_FIELDS, PERSON_INCLUDE_FIELDS, activity_v2, field_v2, org_v2, person_v2

if TYPE_CHECKING:
    from sandbox.app import SandboxApp

__all__ = ["register"]

CONTACTS_READ = ("contacts:read", "contacts:full")
FIELDS_READ = ("contacts:read", "contacts:full", "admin", "contact-fields:full")
FIELD_INCLUDES = frozenset({"ui_visibility", "important_fields", "required_fields"})
NOT_FOUND_INFO = "Object was not found."


def _not_found() -> ApiError:
    # Wording of the SPEC v2 404 example (``GetConvertResponse``).
    return ApiError(404, "Entity was not found", error_info=NOT_FOUND_INFO)


def _list(items: list[dict[str, Any]], next_cursor: str | None, *, nullable: bool = False) -> Response:
    # Most v2 list schemas type ``next_cursor`` as a non-nullable string (its prose
    # says null at the end); the schema wins, so the key is omitted on the last page.
    additional: dict[str, Any] = {}
    if next_cursor is not None or nullable:
        additional["next_cursor"] = next_cursor
    return json_response(200, {"success": True, "data": items, "additional_data": additional})


def _one(item: dict[str, Any]) -> Response:
    return json_response(200, {"success": True, "data": item})


def _sorting(request: Request, extra: tuple[str, ...] = ()) -> tuple[str, str]:
    sort_by = enum_arg(request, "sort_by", ("id", "update_time", "add_time", *extra), "id")
    direction = enum_arg(request, "sort_direction", ("asc", "desc"), "asc")
    return sort_by, direction


def _no_saved_filters(request: Request) -> None:
    if int_arg(request, "filter_id", minimum=1) is not None:
        raise ApiError(404, "Filter not found", error_info=NOT_FOUND_INFO)


def _render_opts(request: Request, include_allowed: frozenset[str]) -> dict[str, Any]:
    keys = csv_arg(request, "custom_fields", max_items=15)
    return {
        "custom_keys": frozenset(keys) if keys is not None else None,
        "option_labels": bool(bool_arg(request, "include_option_labels")),
        "include_labels": bool(bool_arg(request, "include_labels")),
        "include_fields": frozenset(csv_arg(request, "include_fields", allowed=include_allowed) or ()),
    }


@dataclass(frozen=True)
class _ListQuery:
    """The parameters every v2 list shares (ids, owner, update window, sorting, paging)."""

    ids: list[int] | None
    owner_id: int | None
    since: int | None
    until: int | None
    sort_by: str
    descending: bool
    limit: int
    cursor: Any

    @classmethod
    def parse(cls, request: Request, extra_sorts: tuple[str, ...] = ()) -> _ListQuery:
        _no_saved_filters(request)
        ids = id_list_arg(request, "ids")
        owner_id = int_arg(request, "owner_id", minimum=1)
        since, until = time_arg(request, "updated_since"), time_arg(request, "updated_until")
        sort_by, direction = _sorting(request, extra_sorts)
        limit = v2_limit(request)
        raw_cursor = request.arg("cursor")
        cursor = decode_cursor(raw_cursor, sort_by, direction) if raw_cursor else None
        return cls(ids, owner_id, since, until, sort_by, direction == "desc", limit, cursor)

    def page(
        self,
        store: Any,
        *,
        checks: list[Callable[[Any], bool]] | None = None,
        narrowed_to: tuple[list[int] | None, ...] = (),
        **extra: Any,
    ) -> tuple[list[Any], str | None]:
        checks = list(checks or [])
        if self.owner_id is not None:
            checks.append(lambda record: record.owner_id == self.owner_id)
        return select_page(
            store,
            sort_by=self.sort_by,
            descending=self.descending,
            cursor=self.cursor,
            limit=self.limit,
            predicate=(lambda record: all(check(record) for check in checks)) if checks else None,
            candidate_ids=_candidates(self.ids, *narrowed_to),
            updated_since=self.since,
            updated_until=self.until,
            **extra,
        )


def _candidates(*groups: list[int] | None) -> list[int] | None:
    chosen = [set(g) for g in groups if g is not None]
    if not chosen:
        return None
    return sorted(set.intersection(*chosen))


# -- organizations ---------------------------------------------------------------------
def list_organizations(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    data = app.company(ctx)
    query = _ListQuery.parse(request)
    opts = _render_opts(request, ORG_INCLUDE_FIELDS)
    page, next_cursor = query.page(data.orgs)
    return _list([org_v2(o, data, **opts) for o in page], next_cursor)


def _live_org(app: SandboxApp, request: Request, ctx: AuthContext) -> Any:
    org = app.company(ctx).orgs.get_live(path_id(request))
    if org is None:
        raise _not_found()
    return org


def get_organization(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    org = _live_org(app, request, ctx)
    return _one(org_v2(org, app.company(ctx), **_render_opts(request, ORG_INCLUDE_FIELDS)))


def patch_organization(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    org = _live_org(app, request, ctx)
    body = require_object(request.json())
    data = app.company(ctx)
    apply_org_changes(data, org, body, app.member_ids(ctx.company_id), app.clock.now_int())
    app.notify("change", "organization", ctx.company_id, ctx.user_id, org.id)
    return _one(org_v2(org, data))


def delete_organization(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    org = _live_org(app, request, ctx)
    delete_org(app.company(ctx), org, app.clock.now_int())
    app.notify("delete", "organization", ctx.company_id, ctx.user_id, org.id)
    return json_response(200, {"success": True, "data": {"id": org.id}})


# -- persons ---------------------------------------------------------------------------
def list_persons(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    data = app.company(ctx)
    query = _ListQuery.parse(request)
    org_id = int_arg(request, "org_id", minimum=1)
    deal_id = int_arg(request, "deal_id", minimum=1)
    opts = _render_opts(request, PERSON_INCLUDE_FIELDS)
    by_org = data.persons_by_org.get(org_id, []) if org_id is not None else None
    # The sandbox has no deals, so a deal filter matches nobody.
    by_deal: list[int] | None = [] if deal_id is not None else None
    page, next_cursor = query.page(data.persons, narrowed_to=(by_org, by_deal))
    return _list([person_v2(p, data, **opts) for p in page], next_cursor)


def get_person(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    data = app.company(ctx)
    person = data.persons.get_live(path_id(request))
    if person is None:
        raise _not_found()
    return _one(person_v2(person, data, **_render_opts(request, PERSON_INCLUDE_FIELDS)))


# -- activities ------------------------------------------------------------------------
def list_activities(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    data = app.company(ctx)
    query = _ListQuery.parse(request, ("due_date",))
    org_id = int_arg(request, "org_id", minimum=1)
    person_id = int_arg(request, "person_id", minimum=1)
    deal_id = int_arg(request, "deal_id", minimum=1)
    lead_id = request.arg("lead_id")
    done = bool_arg(request, "done")
    attendees = "attendees" in (csv_arg(request, "include_fields", allowed=frozenset({"attendees"})) or ())
    checks = [lambda a: a.done == done] if done is not None else []
    by_org = data.activities_by_org.get(org_id, []) if org_id is not None else None
    by_person = data.activities_by_person.get(person_id, []) if person_id is not None else None
    no_deals: list[int] | None = [] if deal_id is not None or lead_id else None
    page, next_cursor = query.page(
        data.activities,
        checks=checks,
        narrowed_to=(by_org, by_person, no_deals),
        sort_value=(lambda a: a.due_date or "") if query.sort_by == "due_date" else None,
    )
    return _list([activity_v2(a, attendees=attendees) for a in page], next_cursor)


# -- fields ----------------------------------------------------------------------------
def _field_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).rstrip(b"=").decode()


def _field_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ApiError(400, "Invalid cursor") from None
    if not isinstance(offset, int) or offset < 0:
        raise ApiError(400, "Invalid cursor")
    return offset


def _list_fields(app: SandboxApp, request: Request, ctx: AuthContext, *, person: bool) -> Response:
    data = app.company(ctx)
    include = frozenset(csv_arg(request, "include_fields", allowed=FIELD_INCLUDES) or ())
    limit = v2_limit(request)
    offset = _field_offset(request.arg("cursor"))
    fields = data.person_fields if person else data.org_fields
    page = fields[offset : offset + limit]
    more = offset + limit < len(fields)
    # This schema does declare next_cursor nullable.
    return _list(
        [field_v2(f, include, person=person) for f in page],
        _field_cursor(offset + limit) if more else None,
        nullable=True,
    )


def list_org_fields(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    return _list_fields(app, request, ctx, person=False)


def list_person_fields(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    return _list_fields(app, request, ctx, person=True)


def _require_field_admin(ctx: AuthContext) -> None:
    # Creating or editing custom fields needs can_add/edit_custom_fields, i.e. an admin.
    if not ctx.is_admin:
        raise ApiError(403, "You do not have permission to add or edit custom fields")


def _settings(body: dict[str, Any], name: str, spec: dict[str, tuple[type, Any]]) -> dict[str, Any]:
    """One optional settings object of the create-field body, with the spec's defaults."""
    raw = body.get(name, {})
    if not isinstance(raw, dict):
        raise ApiError(400, f"{name} must be an object")
    out = dict(raw)  # the spec allows additional properties
    for key, (kind, default) in spec.items():
        value = raw.get(key, default)
        if kind is dict:  # show_in_add_*_dialog: {show: bool, order: int | null}
            ok = value is None or isinstance(value, dict)
            value = {"show": False, "order": None, **(value or {})}
            ok = (
                ok
                and isinstance(value["show"], bool)
                and (
                    value["order"] is None or (isinstance(value["order"], int) and not isinstance(value["order"], bool))
                )
            )
        elif kind is list:
            ok = isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        else:
            ok = isinstance(value, kind)
        if not ok:
            raise ApiError(400, f"{name}.{key} has the wrong type")
        out[key] = value
    return out


def _field_flags(body: dict[str, Any]) -> dict[str, Any]:
    """SPEC v2 create-field settings with its defaults (add_visible_flag false, details true)."""
    ui = _settings(
        body,
        "ui_visibility",
        {
            "add_visible_flag": (bool, False),
            "details_visible_flag": (bool, True),
            "show_in_add_deal_dialog": (dict, None),
            "show_in_add_person_dialog": (dict, None),
        },
    )
    required = _settings(body, "required_fields", {"enabled": (bool, False)})
    important = _settings(body, "important_fields", {"enabled": (bool, False), "stage_ids": (list, [])})
    return {
        "add_visible": ui["add_visible_flag"],
        "details_visible": ui["details_visible_flag"],
        "mandatory": required["enabled"],
        "ui_extra": {
            "show_in_add_deal_dialog": ui["show_in_add_deal_dialog"],
            "show_in_add_person_dialog": ui["show_in_add_person_dialog"],
            "important_fields": {"enabled": important["enabled"], "stage_ids": important["stage_ids"]},
        },
    }


def create_org_field(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    _require_field_admin(ctx)
    body = require_object(request.json())
    data = app.company(ctx)
    field = create_field(
        data,
        body.get("field_name"),
        body.get("field_type"),
        body.get("options"),
        V2_CREATABLE_TYPES,
        ctx.user_id,
        app.clock.now_int(),
        flags=_field_flags(body),
    )
    return _one(field_v2(field, FIELD_INCLUDES))


def _field_by_code(app: SandboxApp, request: Request, ctx: AuthContext) -> Any:
    field = app.company(ctx).field_by_key(request.params["field_code"])
    if field is None:
        raise _not_found()
    return field


def get_org_field(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    include = frozenset(csv_arg(request, "include_fields", allowed=FIELD_INCLUDES) or ())
    return _one(field_v2(_field_by_code(app, request, ctx), include))


def add_org_field_options(app: SandboxApp, request: Request, ctx: AuthContext) -> Response:
    _require_field_admin(ctx)
    field = _field_by_code(app, request, ctx)
    added = add_field_options(app.company(ctx), field, request.json(), app.clock.now_int())
    return json_response(
        200, {"success": True, "data": [{"id": o.id, "label": o.label} for o in added], "additional_data": None}
    )


def register(router: Router) -> None:
    add = router.add
    add("GET", "/api/v2/organizations", list_organizations, API, 10, CONTACTS_READ)
    add("GET", "/api/v2/organizations/{id}", get_organization, API, 1, CONTACTS_READ)
    add("PATCH", "/api/v2/organizations/{id}", patch_organization, API, 5, ("contacts:full",))
    add("DELETE", "/api/v2/organizations/{id}", delete_organization, API, 3, ("contacts:full",))
    add("GET", "/api/v2/persons", list_persons, API, 10, CONTACTS_READ)
    add("GET", "/api/v2/persons/{id}", get_person, API, 1, CONTACTS_READ)
    add("GET", "/api/v2/activities", list_activities, API, 10, ("activities:read", "activities:full"))
    add("GET", "/api/v2/organizationFields", list_org_fields, API, 10, FIELDS_READ)
    add("POST", "/api/v2/organizationFields", create_org_field, API, 5, ("admin", "contact-fields:full"))
    add("GET", "/api/v2/organizationFields/{field_code}", get_org_field, API, 1, FIELDS_READ)
    add(
        "POST",
        "/api/v2/organizationFields/{field_code}/options",
        add_org_field_options,
        API,
        5,
        ("contacts:full", "admin", "contact-fields:full"),
    )
    add("GET", "/api/v2/personFields", list_person_fields, API, 10, FIELDS_READ)
