"""``POST /_sandbox/mutate``: a list of data changes, applied in order.

Each operation is an object with ``op`` and its arguments; the response lists one
result per operation (with the ids created or touched). Operations before a failing
one stay applied; the 400 names the failing index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.errors import ApiError
from sandbox.mutations import (
    add_relationship,
    apply_org_changes,
    apply_person_changes,
    create_activity,
    create_note,
    create_org,
    create_person,
    delete_org,
    delete_person,
    resolve_field_value,
)
from sandbox.store import CompanyData

if TYPE_CHECKING:
    from sandbox.app import SandboxApp

__all__ = ["apply_operations", "OPERATIONS"]


class _Op:
    def __init__(self, app: SandboxApp, data: CompanyData, spec: dict[str, Any]) -> None:
        self.app, self.data, self.spec = app, data, spec
        self.now = app.clock.now_int()
        self.members = app.member_ids(data.company.id)
        actor = spec.get("user_id", min(self.members))
        if actor not in self.members:
            raise ApiError(400, "user_id must be a user of the company")
        self.actor = actor

    def args(self, *exclude: str) -> dict[str, Any]:
        return {k: v for k, v in self.spec.items() if k not in ("op", "user_id", *exclude)}

    def org(self) -> Any:
        org = self.data.orgs.get_live(self.spec.get("id"))  # type: ignore[arg-type]
        if org is None:
            raise ApiError(404, f"Organization {self.spec.get('id')!r} not found")
        return org

    def person(self) -> Any:
        person = self.data.persons.get_live(self.spec.get("id"))  # type: ignore[arg-type]
        if person is None:
            raise ApiError(404, f"Person {self.spec.get('id')!r} not found")
        return person

    def named_fields(self, raw: Any) -> dict[str, Any]:
        """``{"Account Status": "Churned"}`` -> ``{<key>: <option id>}``."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise ApiError(400, "'fields' must be an object of field name (or key) -> value")
        out = {}
        for ref, value in raw.items():
            field = next((f for f in self.data.custom_fields() if ref in (f.key, f.name)), None)
            if field is None:
                raise ApiError(400, f"Unknown organization field {ref!r}")
            out[field.key] = resolve_field_value(field, value)
        return out

    def notify(self, action: str, entity: str, entity_id: int) -> None:
        self.app.notify(action, entity, self.data.company.id, self.actor, entity_id)


def _org_body(op: _Op) -> dict[str, Any]:
    body = op.args("id", "fields")
    custom = {**(body.pop("custom_fields", None) or {}), **op.named_fields(op.spec.get("fields"))}
    if custom:
        body["custom_fields"] = custom
    return body


def _create_org(op: _Op) -> dict[str, Any]:
    org = create_org(op.data, _org_body(op), op.members, op.actor, op.now)
    op.notify("create", "organization", org.id)
    return {"id": org.id}


def _update_org(op: _Op) -> dict[str, Any]:
    org = apply_org_changes(op.data, op.org(), _org_body(op), op.members, op.now)
    op.notify("change", "organization", org.id)
    return {"id": org.id, "update_time": org.update_time}


def _set_org_field(op: _Op) -> dict[str, Any]:
    org = op.org()
    custom = op.named_fields({op.spec.get("field"): op.spec.get("value")})
    apply_org_changes(op.data, org, {"custom_fields": custom}, op.members, op.now)
    op.notify("change", "organization", org.id)
    return {"id": org.id, "field": next(iter(custom)), "value": next(iter(custom.values()))}


def _touch_org(op: _Op) -> dict[str, Any]:
    org = op.org()
    op.data.orgs.touch(org, op.now)
    op.notify("change", "organization", org.id)
    return {"id": org.id}


def _delete_org(op: _Op) -> dict[str, Any]:
    org = op.org()
    delete_org(op.data, org, op.now)
    op.notify("delete", "organization", org.id)
    return {"id": org.id}


def _create_person(op: _Op) -> dict[str, Any]:
    person = create_person(op.data, op.args(), op.members, op.actor, op.now)
    op.notify("create", "person", person.id)
    return {"id": person.id}


def _update_person(op: _Op) -> dict[str, Any]:
    person = apply_person_changes(op.data, op.person(), op.args("id"), op.members, op.now)
    op.notify("change", "person", person.id)
    return {"id": person.id}


def _delete_person(op: _Op) -> dict[str, Any]:
    person = op.person()
    delete_person(op.data, person, op.now)
    op.notify("delete", "person", person.id)
    return {"id": person.id}


def _add_relationship(op: _Op) -> dict[str, Any]:
    spec = op.spec
    rel = add_relationship(
        op.data,
        spec.get("type", "parent"),
        spec.get("rel_owner_org_id", spec.get("parent_org_id")),
        spec.get("rel_linked_org_id", spec.get("child_org_id")),
        op.now,
    )
    return {"id": rel.id}


def _delete_relationship(op: _Op) -> dict[str, Any]:
    rel_id = op.spec.get("id")
    rel = op.data.relationships.get(rel_id) if isinstance(rel_id, int) else None
    if rel is None:
        raise ApiError(404, f"Relationship {op.spec.get('id')!r} not found")
    op.data.remove_relationship(rel)
    return {"id": rel.id}


def _create_activity(op: _Op) -> dict[str, Any]:
    activity = create_activity(op.data, op.args(), op.actor, op.now)
    op.notify("create", "activity", activity.id)
    return {"id": activity.id}


def _create_note(op: _Op) -> dict[str, Any]:
    note = create_note(op.data, {**op.args(), "user_id": op.actor}, op.actor, op.now)
    return {"id": note.id}


OPERATIONS: dict[str, Callable[[_Op], dict[str, Any]]] = {
    "create_org": _create_org,
    "update_org": _update_org,
    "set_org_field": _set_org_field,
    "touch_org": _touch_org,
    "delete_org": _delete_org,
    "create_person": _create_person,
    "update_person": _update_person,
    "delete_person": _delete_person,
    "add_relationship": _add_relationship,
    "delete_relationship": _delete_relationship,
    "create_activity": _create_activity,
    "create_note": _create_note,
}


def apply_operations(app: SandboxApp, company_id: Any, operations: Any) -> list[dict[str, Any]]:
    data = app.world.companies.get(company_id)  # type: ignore[arg-type]
    if data is None:
        raise ApiError(404, f"Company {company_id!r} not found")
    if not isinstance(operations, list):
        raise ApiError(400, "'operations' must be a list")
    results = []
    for index, spec in enumerate(operations):
        handler = OPERATIONS.get(spec.get("op")) if isinstance(spec, dict) else None
        if handler is None:
            raise ApiError(
                400, f"operations[{index}]: unknown op; use one of {', '.join(OPERATIONS)}", extra={"applied": results}
            )
        try:
            results.append({"op": spec["op"], **handler(_Op(app, data, spec))})
        except ApiError as exc:
            raise ApiError(
                exc.status, f"operations[{index}] ({spec['op']}): {exc.message}", extra={"applied": results}
            ) from None
    return results
