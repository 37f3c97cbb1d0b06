"""Changes to company data, shared by the API (PATCH/POST/DELETE) and ``/_sandbox/mutate``.

Every change bumps the record's ``update_time`` to the sandbox clock (NOTES §6).
Inputs are validated v2-strictly: wrong types answer 400 and change nothing.
"""

from __future__ import annotations

from typing import Any

from sandbox.clock import parse_date
from sandbox.contacts import pack_contacts
from sandbox.errors import ApiError
from sandbox.fields import custom_field_key, validate_custom_value
from sandbox.models import Activity, Field, FieldOption, Note, Org, Person, Relationship
from sandbox.store import CompanyData

__all__ = [
    "apply_org_changes",
    "create_org",
    "delete_org",
    "apply_person_changes",
    "create_person",
    "delete_person",
    "add_relationship",
    "create_activity",
    "create_note",
    "create_field",
    "add_field_options",
    "resolve_field_value",
]

VISIBLE_TO = (1, 3, 5, 7)
_ORG_KEYS = {
    "name",
    "owner_id",
    "visible_to",
    "label_ids",
    "address",
    "website",
    "linkedin",
    "industry",
    "annual_revenue",
    "employee_count",
    "custom_fields",
}
_PERSON_KEYS = {
    "name",
    "first_name",
    "last_name",
    "owner_id",
    "org_id",
    "emails",
    "phones",
    "visible_to",
    "label_ids",
    "custom_fields",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_owner(data: CompanyData, owner_id: Any, members: set[int]) -> int:
    if not _is_int(owner_id) or owner_id not in members:
        raise ApiError(400, "owner_id must be the id of a user in this company")
    return owner_id


def _custom_changes(fields: list[Field], raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ApiError(400, "custom_fields must be an object keyed by field code")
    by_key = {f.key: f for f in fields}
    out = {}
    for key, value in raw.items():
        field = by_key.get(key)
        if field is None:
            raise ApiError(400, f"Unknown custom field '{key}'")
        out[key] = validate_custom_value(field, value)
    return out


def _apply_custom(record: Org | Person, changes: dict[str, Any]) -> None:
    custom = dict(record.custom or {})
    for key, value in changes.items():
        if value is None:
            custom.pop(key, None)
        else:
            custom[key] = value
    record.custom = custom or None


def _validated_org_changes(data: CompanyData, body: dict[str, Any], members: set[int]) -> dict[str, Any]:
    unknown = set(body) - _ORG_KEYS
    if unknown:
        raise ApiError(400, f"Unknown organization field(s): {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "name":
            if not isinstance(value, str) or not value.strip():
                raise ApiError(400, "name must be a non-empty string")
        elif key == "owner_id":
            _check_owner(data, value, members)
        elif key == "visible_to":
            if not _is_int(value) or value not in VISIBLE_TO:
                raise ApiError(400, "visible_to must be one of 1, 3, 5, 7")
        elif key == "label_ids":
            labels = data.field_by_key("label_ids")
            if not isinstance(value, list) or any(not _is_int(v) or not labels or not labels.option(v) for v in value):
                raise ApiError(400, "label_ids must be an array of label ids")
            value = tuple(value)
        elif key == "address":
            if value is not None and (
                not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values())
            ):
                raise ApiError(400, "address must be an object of strings")
        elif key in ("website", "linkedin"):
            if value is not None and not isinstance(value, str):
                raise ApiError(400, f"{key} must be a string or null")
        elif key in ("industry", "annual_revenue", "employee_count"):
            if value is not None and not _is_int(value):
                raise ApiError(400, f"{key} must be an integer or null")
        elif key == "custom_fields":
            value = _custom_changes(data.custom_fields(), value)
        out[key] = value
    return out


def apply_org_changes(data: CompanyData, org: Org, body: dict[str, Any], members: set[int], now: int) -> Org:
    changes = _validated_org_changes(data, body, members)
    for key, value in changes.items():
        if key == "custom_fields":
            _apply_custom(org, value)
        elif key == "name":
            org.name = value.strip()
        else:
            setattr(org, key, value)
    data.orgs.touch(org, now)
    return org


def create_org(data: CompanyData, body: dict[str, Any], members: set[int], default_owner: int, now: int) -> Org:
    if "name" not in body:
        raise ApiError(400, "name is required")
    changes = _validated_org_changes(data, body, members)
    org = Org(data.orgs.allocate_id(), changes.pop("name").strip(), changes.pop("owner_id", default_owner), now, now)
    for key, value in changes.items():
        if key == "custom_fields":
            _apply_custom(org, value)
        else:
            setattr(org, key, value)
    return data.add_org(org)


def delete_org(data: CompanyData, org: Org, now: int) -> None:
    data.orgs.delete(org, now)


def _contacts(value: Any, name: str) -> str:
    if not isinstance(value, list):
        raise ApiError(400, f"{name} must be an array")
    triples = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            item = {"value": item}
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise ApiError(400, f"{name} items must be objects with a string 'value'")
        primary = item.get("primary", i == 0)
        label = item.get("label", "work")
        if not isinstance(primary, bool) or not isinstance(label, str):
            raise ApiError(400, f"{name} items: 'primary' is a boolean and 'label' a string")
        triples.append((item["value"], primary, label))
    return pack_contacts(triples)


def apply_person_changes(
    data: CompanyData, person: Person, body: dict[str, Any], members: set[int], now: int
) -> Person:
    unknown = set(body) - _PERSON_KEYS
    if unknown:
        raise ApiError(400, f"Unknown person field(s): {', '.join(sorted(unknown))}")
    staged: dict[str, Any] = {}
    for key, value in body.items():
        if key in ("name", "first_name", "last_name"):
            if not isinstance(value, str) or (key == "name" and not value.strip()):
                raise ApiError(400, f"{key} must be a string")
        elif key == "owner_id":
            _check_owner(data, value, members)
        elif key == "org_id":
            if value is not None and (not _is_int(value) or data.orgs.get_live(value) is None):
                raise ApiError(400, "org_id must be the id of an existing organization or null")
        elif key in ("emails", "phones"):
            value = _contacts(value, key)
        elif key == "visible_to":
            if not _is_int(value) or value not in VISIBLE_TO:
                raise ApiError(400, "visible_to must be one of 1, 3, 5, 7")
        elif key == "label_ids":
            if not isinstance(value, list) or any(not _is_int(v) for v in value):
                raise ApiError(400, "label_ids must be an array of integers")
            value = tuple(value)
        elif key == "custom_fields":
            value = _custom_changes(data.custom_fields(person=True), value)
        staged[key] = value
    for key, value in staged.items():
        if key == "org_id":
            data.move_person(person, value)
        elif key == "custom_fields":
            _apply_custom(person, value)
        else:
            setattr(person, key, value)
    if "name" in staged and not {"first_name", "last_name"} & set(staged):
        first, _, last = person.name.partition(" ")
        person.first_name, person.last_name = first, last
    data.persons.touch(person, now)
    return person


def create_person(data: CompanyData, body: dict[str, Any], members: set[int], default_owner: int, now: int) -> Person:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "name is required")
    first, _, last = name.strip().partition(" ")
    person = Person(data.persons.allocate_id(), name.strip(), first, last, default_owner, None, now, now)
    data.add_person(person)
    try:
        apply_person_changes(data, person, {k: v for k, v in body.items() if k != "name"}, members, now)
    except ApiError:
        data.move_person(person, None)
        data.persons.delete(person, now)
        raise
    return person


def delete_person(data: CompanyData, person: Person, now: int) -> None:
    data.persons.delete(person, now)
    siblings = data.persons_by_org.get(person.org_id) if person.org_id is not None else None
    if siblings and person.id in siblings:
        siblings.remove(person.id)  # people_count counts live persons only


def add_relationship(data: CompanyData, rel_type: Any, owner_org_id: Any, linked_org_id: Any, now: int) -> Relationship:
    if rel_type not in ("parent", "related"):
        raise ApiError(400, "type must be 'parent' or 'related'")
    for org_id in (owner_org_id, linked_org_id):
        if not _is_int(org_id) or data.orgs.get_live(org_id) is None:
            raise ApiError(400, f"Organization {org_id!r} does not exist")
    if owner_org_id == linked_org_id:
        raise ApiError(400, "An organization cannot be related to itself")
    rel = Relationship(data.next_rel_id, rel_type, owner_org_id, linked_org_id, now)
    return data.add_relationship(rel)


def create_activity(data: CompanyData, body: dict[str, Any], default_owner: int, now: int) -> Activity:
    subject = body.get("subject")
    if not isinstance(subject, str) or not subject:
        raise ApiError(400, "subject is required")
    org_id, person_id = body.get("org_id"), body.get("person_id")
    if org_id is not None and data.orgs.get_live(org_id) is None:
        raise ApiError(400, "org_id does not exist")
    if person_id is not None and data.persons.get_live(person_id) is None:
        raise ApiError(400, "person_id does not exist")
    owner_id = body.get("owner_id", default_owner)
    if not _is_int(owner_id):
        raise ApiError(400, "owner_id must be an integer")
    due_date = body.get("due_date")
    if due_date is not None and (not isinstance(due_date, str) or parse_date(due_date) is None):
        raise ApiError(400, "due_date must be a date YYYY-MM-DD")
    for key in ("type", "due_time", "duration", "note"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise ApiError(400, f"{key} must be a string")
    done = bool(body.get("done", False))
    activity = Activity(
        data.activities.allocate_id(),
        subject,
        str(body.get("type", "call")),
        owner_id,
        now,
        now,
        org_id=org_id,
        person_id=person_id,
        done=done,
        due_date=body.get("due_date"),
        due_time=body.get("due_time"),
        duration=body.get("duration"),
        marked_as_done_time=now if done else None,
        note=body.get("note"),
    )
    return data.add_activity(activity)


def create_note(data: CompanyData, body: dict[str, Any], default_owner: int, now: int) -> Note:
    content = body.get("content")
    if not isinstance(content, str) or not content:
        raise ApiError(400, "content is required")
    org_id, person_id = body.get("org_id"), body.get("person_id")
    if org_id is not None and data.orgs.get_live(org_id) is None:
        raise ApiError(400, "org_id does not exist")
    if person_id is not None and data.persons.get_live(person_id) is None:
        raise ApiError(400, "person_id does not exist")
    note = Note(
        data.next_note_id, content, body.get("user_id", default_owner), now, now, org_id=org_id, person_id=person_id
    )
    return data.add_note(note)


def _option_label(item: Any) -> str:
    label = item.get("label") if isinstance(item, dict) else None
    if not isinstance(label, str) or not label.strip() or len(label) > 255:
        raise ApiError(400, "Each option needs a non-empty 'label' of at most 255 characters")
    return label.strip()


def create_field(
    data: CompanyData,
    name: Any,
    field_type: Any,
    options: Any,
    allowed_types: frozenset[str],
    user_id: int,
    now: int,
    *,
    person: bool = False,
    flags: dict[str, Any] | None = None,
) -> Field:
    """A new custom field; ``flags`` may set ``add_visible``, ``details_visible``,
    ``mandatory`` and ``ui_extra`` (as validated by the v1/v2 handlers)."""
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise ApiError(400, "Field name must be a non-empty string of at most 255 characters")
    if field_type not in allowed_types:
        raise ApiError(400, f"field_type must be one of: {', '.join(sorted(allowed_types))}")
    labels: list[str] = []
    if field_type in ("enum", "set"):
        if not isinstance(options, list) or not options:
            raise ApiError(400, "Options are required for enum and set fields")
        labels = [_option_label(opt) for opt in options]
    field_id = data.next_field_id
    field = Field(
        field_id,
        custom_field_key(data.company.id, field_id, name),
        name.strip(),
        field_type,
        now,
        options=[FieldOption(data.next_option_id + i, label, now) for i, label in enumerate(labels)]
        if field_type in ("enum", "set")
        else None,
        is_custom=True,
        order_nr=len(data.person_fields if person else data.org_fields),
        created_by=user_id,
        **(flags or {}),
    )
    return data.add_field(field, person=person)


def add_field_options(data: CompanyData, field: Field, items: Any, now: int) -> list[FieldOption]:
    if field.field_type not in ("enum", "set"):
        raise ApiError(400, "Options can only be added to enum and set fields")
    if not isinstance(items, list) or not items:
        raise ApiError(400, "Request body must be a non-empty array of {label}")
    labels = [_option_label(item) for item in items]
    added = [FieldOption(data.next_option_id + i, label, now) for i, label in enumerate(labels)]
    field.options = [*(field.options or []), *added]
    field.update_time = now
    data.next_option_id += len(added)
    return added


def resolve_field_value(field: Field, value: Any) -> Any:
    """Control-API convenience: enum/set values may be given by option label."""

    def option_id(v: Any) -> Any:
        if isinstance(v, str) and field.field_type in ("enum", "set"):
            for opt in field.options or ():
                if opt.label == v:
                    return opt.id
            raise ApiError(400, f"Field '{field.name}' has no option labelled {v!r}")
        return v

    if isinstance(value, list):
        return [option_id(v) for v in value]
    return option_id(value)
