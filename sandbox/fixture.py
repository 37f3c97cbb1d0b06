"""Load and dump the JSON fixture format (documented in ``sandbox/README.md``).

Standard fields are built in; the fixture carries only custom fields. Custom values
use the v2 wire shapes (enum = option id, set = list of option ids, ...).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.clock import format_rfc3339, parse_rfc3339
from sandbox.contacts import pack_contacts, unpack_contacts
from sandbox.fields import standard_org_fields, standard_person_fields
from sandbox.models import (
    Activity,
    Company,
    Field,
    FieldOption,
    Membership,
    Note,
    Org,
    Person,
    Relationship,
    User,
)
from sandbox.store import CompanyData, World

__all__ = ["FIXTURE_FORMAT", "load_fixture", "load_fixture_file", "dump_fixture", "FIELDS_EPOCH"]

FIXTURE_FORMAT = "staircase-sandbox-fixture/1"
# When the standard fields "were created" (they predate any data).
FIELDS_EPOCH = 1_577_836_800  # 2020-01-01T00:00:00Z


class FixtureError(ValueError):
    pass


def _ts(value: Any, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    parsed = parse_rfc3339(value) if isinstance(value, str) else None
    if parsed is None:
        raise FixtureError(f"{what}: expected an RFC 3339 timestamp, got {value!r}")
    return parsed


def _contacts(items: list[Any] | None) -> str:
    triples = []
    for i, item in enumerate(items or []):
        if isinstance(item, str):
            triples.append((item, i == 0, "work"))
        else:
            triples.append((item["value"], bool(item.get("primary", i == 0)), item.get("label", "work")))
    return pack_contacts(triples)


def _field(raw: dict[str, Any], default_time: int) -> Field:
    add_time = _ts(raw.get("add_time", default_time), "field add_time")
    return Field(
        id=raw["id"],
        key=raw["key"],
        name=raw["name"],
        field_type=raw["field_type"],
        add_time=add_time,
        options=[FieldOption(o["id"], o["label"], add_time, color=o.get("color")) for o in raw["options"]]
        if raw.get("options") is not None
        else None,
        is_custom=True,
        order_nr=raw.get("order_nr", raw["id"]),
        created_by=raw.get("created_by_user_id"),
    )


def _load_company(world: World, raw: dict[str, Any]) -> None:
    company = Company(
        id=raw["id"],
        name=raw["name"],
        domain=raw["domain"],
        country=raw.get("country", "US"),
        industry=raw.get("industry", "Software"),
        plan=raw.get("plan", "growth"),
        daily_budget=raw.get("daily_token_budget"),
    )
    data = world.add_company(company)
    for member in raw.get("members", []):
        world.add_membership(
            Membership(
                member["user_id"],
                company.id,
                bool(member.get("is_admin")),
                member["api_token"],
                _ts(member.get("last_login", FIELDS_EPOCH), "last_login"),
            )
        )
    for f in standard_org_fields(FIELDS_EPOCH):
        data.add_field(f)
    for f in standard_person_fields(FIELDS_EPOCH):
        data.add_field(f, person=True)
    for rf in raw.get("org_fields", []):
        data.add_field(_field(rf, FIELDS_EPOCH))
    for rf in raw.get("person_fields", []):
        data.add_field(_field(rf, FIELDS_EPOCH), person=True)
    _load_records(data, raw)


def _load_records(data: CompanyData, raw: dict[str, Any]) -> None:
    for o in raw.get("organizations", []):
        data.add_org(
            Org(
                o["id"],
                o["name"],
                o["owner_id"],
                _ts(o["add_time"], "org add_time"),
                _ts(o.get("update_time", o["add_time"]), "org update_time"),
                visible_to=o.get("visible_to", 3),
                address=o.get("address"),
                label_ids=tuple(o.get("label_ids", ())),
                website=o.get("website"),
                linkedin=o.get("linkedin"),
                industry=o.get("industry"),
                annual_revenue=o.get("annual_revenue"),
                employee_count=o.get("employee_count"),
                custom={
                    k: (tuple(v) if isinstance(v, list) else v)
                    for k, v in (o.get("custom_fields") or {}).items()
                    if v is not None
                }
                or None,
                is_deleted=bool(o.get("is_deleted", False)),
            )
        )
    for p in raw.get("persons", []):
        data.add_person(
            Person(
                p["id"],
                p["name"],
                p.get("first_name", p["name"].split(" ")[0]),
                p.get("last_name", p["name"].split(" ")[-1]),
                p["owner_id"],
                p.get("org_id"),
                _ts(p["add_time"], "person add_time"),
                _ts(p.get("update_time", p["add_time"]), "person update_time"),
                emails=_contacts(p.get("emails")),
                phones=_contacts(p.get("phones")),
                visible_to=p.get("visible_to", 3),
                label_ids=tuple(p.get("label_ids", ())),
                custom={k: v for k, v in (p.get("custom_fields") or {}).items() if v is not None} or None,
                is_deleted=bool(p.get("is_deleted", False)),
            )
        )
    for r in raw.get("relationships", []):
        data.add_relationship(
            Relationship(
                r["id"],
                r.get("type", "parent"),
                r["rel_owner_org_id"],
                r["rel_linked_org_id"],
                _ts(r["add_time"], "relationship add_time"),
            )
        )
    for a in raw.get("activities", []):
        data.add_activity(
            Activity(
                a["id"],
                a["subject"],
                a.get("type", "call"),
                a["owner_id"],
                _ts(a["add_time"], "activity add_time"),
                _ts(a.get("update_time", a["add_time"]), "activity update_time"),
                org_id=a.get("org_id"),
                person_id=a.get("person_id"),
                done=bool(a.get("done")),
                due_date=a.get("due_date"),
                due_time=a.get("due_time"),
                duration=a.get("duration"),
                marked_as_done_time=_ts(a["marked_as_done_time"], "marked_as_done_time")
                if a.get("marked_as_done_time")
                else None,
                note=a.get("note"),
                busy=bool(a.get("busy", False)),
                public_description=a.get("public_description"),
                priority=a.get("priority"),
            )
        )
    for n in raw.get("notes", []):
        data.add_note(
            Note(
                n["id"],
                n["content"],
                n["user_id"],
                _ts(n["add_time"], "note add_time"),
                _ts(n.get("update_time", n["add_time"]), "note update_time"),
                org_id=n.get("org_id"),
                person_id=n.get("person_id"),
                pinned_to_org=bool(n.get("pinned_to_organization_flag", False)),
                pinned_to_person=bool(n.get("pinned_to_person_flag", False)),
            )
        )


def load_fixture(raw: dict[str, Any]) -> World:
    """Build a :class:`World` from a fixture document."""
    if raw.get("format", FIXTURE_FORMAT) != FIXTURE_FORMAT:
        raise FixtureError(f"unsupported fixture format {raw.get('format')!r}")
    world = World()
    for u in raw.get("users", []):
        world.add_user(
            User(
                u["id"],
                u["name"],
                u["email"],
                _ts(u.get("created", FIELDS_EPOCH), "user created"),
                locale=u.get("locale", "en_US"),
                timezone_name=u.get("timezone_name", "Europe/London"),
                timezone_offset=u.get("timezone_offset", "+00:00"),
                phone=u.get("phone"),
                default_currency=u.get("default_currency", "USD"),
            )
        )
    for rc in raw.get("companies", []):
        _load_company(world, rc)
    return world


def load_fixture_file(path: str | Path) -> World:
    with open(path, encoding="utf-8") as fh:
        return load_fixture(json.load(fh))


def _dump_field(f: Field) -> dict[str, Any]:
    return {
        "id": f.id,
        "key": f.key,
        "name": f.name,
        "field_type": f.field_type,
        "add_time": format_rfc3339(f.add_time),
        "options": [{"id": o.id, "label": o.label} for o in f.options] if f.options is not None else None,
    }


def _opt(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != () and v != []}


def _dump_company(world: World, data: CompanyData) -> dict[str, Any]:
    c = data.company
    return {
        "id": c.id,
        "name": c.name,
        "domain": c.domain,
        "country": c.country,
        "industry": c.industry,
        "plan": c.plan,
        **({"daily_token_budget": c.daily_budget} if c.daily_budget else {}),
        "members": [
            {
                "user_id": m.user_id,
                "is_admin": m.is_admin,
                "api_token": m.api_token,
                "last_login": format_rfc3339(m.last_login),
            }
            for m in world.users_of(c.id)
        ],
        "org_fields": [_dump_field(f) for f in data.custom_fields()],
        "person_fields": [_dump_field(f) for f in data.custom_fields(person=True)],
        "organizations": [
            _opt(
                {
                    "id": o.id,
                    "name": o.name,
                    "owner_id": o.owner_id,
                    "add_time": format_rfc3339(o.add_time),
                    "update_time": format_rfc3339(o.update_time),
                    "visible_to": o.visible_to,
                    "address": o.address,
                    "label_ids": list(o.label_ids),
                    "website": o.website,
                    "linkedin": o.linkedin,
                    "industry": o.industry,
                    "annual_revenue": o.annual_revenue,
                    "employee_count": o.employee_count,
                    "custom_fields": {k: list(v) if isinstance(v, tuple) else v for k, v in (o.custom or {}).items()},
                }
            )
            for o in data.orgs.by_id.values()
        ],
        "persons": [
            _opt(
                {
                    "id": p.id,
                    "name": p.name,
                    "first_name": p.first_name,
                    "last_name": p.last_name,
                    "owner_id": p.owner_id,
                    "org_id": p.org_id,
                    "add_time": format_rfc3339(p.add_time),
                    "update_time": format_rfc3339(p.update_time),
                    "emails": unpack_contacts(p.emails),
                    "phones": unpack_contacts(p.phones),
                    "visible_to": p.visible_to,
                    "custom_fields": p.custom,
                }
            )
            for p in data.persons.by_id.values()
        ],
        "relationships": [
            {
                "id": r.id,
                "type": r.type,
                "rel_owner_org_id": r.owner_org_id,
                "rel_linked_org_id": r.linked_org_id,
                "add_time": format_rfc3339(r.add_time),
            }
            for r in data.relationships.values()
        ],
        "activities": [
            _opt(
                {
                    "id": a.id,
                    "subject": a.subject,
                    "type": a.type,
                    "owner_id": a.owner_id,
                    "org_id": a.org_id,
                    "person_id": a.person_id,
                    "done": a.done,
                    "due_date": a.due_date,
                    "due_time": a.due_time,
                    "duration": a.duration,
                    "add_time": format_rfc3339(a.add_time),
                    "update_time": format_rfc3339(a.update_time),
                    "marked_as_done_time": format_rfc3339(a.marked_as_done_time) if a.marked_as_done_time else None,
                    "note": a.note,
                }
            )
            for a in data.activities.by_id.values()
        ],
        "notes": [
            _opt(
                {
                    "id": n.id,
                    "content": n.content,
                    "user_id": n.user_id,
                    "org_id": n.org_id,
                    "person_id": n.person_id,
                    "add_time": format_rfc3339(n.add_time),
                    "update_time": format_rfc3339(n.update_time),
                    "pinned_to_organization_flag": n.pinned_to_org or None,
                }
            )
            for n in data.notes.values()
        ],
    }


def dump_fixture(world: World, **meta: Any) -> dict[str, Any]:
    """The fixture document for ``world`` (inverse of :func:`load_fixture`)."""
    return {
        "format": FIXTURE_FORMAT,
        **meta,
        "users": [
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "created": format_rfc3339(u.created),
                "locale": u.locale,
                "timezone_name": u.timezone_name,
                "timezone_offset": u.timezone_offset,
            }
            for u in world.users.values()
        ],
        "companies": [_dump_company(world, d) for d in world.companies.values()],
    }
