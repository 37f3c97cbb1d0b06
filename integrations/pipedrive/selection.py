"""Which Pipedrive organizations are customers: the admin's status field and values (NOTES §3.4, §5.3).

Pure functions over the v2 payloads, so the rules are testable without HTTP or a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PICKLIST_TYPES = ("enum", "set")


@dataclass(frozen=True, slots=True)
class OrgRecord:
    """The part of a v2 organization the sync keeps while it works on one page."""

    id: int
    name: str
    owner_id: int | None
    update_time: datetime | None
    status: str  # "active" | "churned"
    option_ids: tuple[int, ...]
    people_count: int
    website: str


def parse_time(value) -> datetime | None:
    """v2 times are RFC 3339, e.g. 2024-01-01T10:00:00Z (NOTES §3.3)."""
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def option_ids_of(value) -> tuple[int, ...]:
    """enum → one option id; set → a list of ids (v2 is strictly typed). Labels objects are tolerated."""
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list) else [value]
    ids: list[int] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id")
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            ids.append(item)
        elif isinstance(item, str) and item.strip().lstrip("-").isdigit():
            ids.append(int(item))  # v1-style comma lists never reach here, but a stray string id might
    return tuple(ids)


def classify(option_ids: tuple[int, ...], *, active: set[int], churned: set[int]) -> str | None:
    """Active wins when a set field holds both kinds of value; values in neither list are not pulled."""
    chosen = set(option_ids)
    if chosen & active:
        return "active"
    if chosen & churned:
        return "churned"
    return None


def org_record(org: dict, *, field_key: str, active: set[int], churned: set[int]) -> OrgRecord | None:
    """An OrgRecord when the org qualifies, else None. Raises ValueError on a payload without an id."""
    try:
        org_id = int(org["id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("organization without an id") from exc
    if org.get("is_deleted") is True:
        return None
    ids = option_ids_of((org.get("custom_fields") or {}).get(field_key))
    status = classify(ids, active=active, churned=churned)
    if status is None:
        return None
    owner = org.get("owner_id")
    return OrgRecord(
        id=org_id,
        name=str(org.get("name") or f"Organization {org_id}")[:255],
        owner_id=owner if isinstance(owner, int) and not isinstance(owner, bool) else None,
        update_time=parse_time(org.get("update_time")),
        status=status,
        option_ids=ids,
        people_count=org.get("people_count") if isinstance(org.get("people_count"), int) else 0,
        website=str(org.get("website") or "")[:500],
    )


def picklist_fields(fields: list[dict]) -> list[dict]:
    """The org fields an admin may choose as the status field, by label."""
    chosen = [f for f in fields if f.get("field_type") in PICKLIST_TYPES and f.get("options")]
    return sorted(chosen, key=lambda f: str(f.get("field_name") or "").lower())


def field_by_key(fields: list[dict], key: str) -> dict | None:
    return next((f for f in fields if f.get("field_code") == key), None)


def option_labels(field: dict) -> dict[str, str]:
    return {str(o["id"]): str(o.get("label") or o["id"]) for o in field.get("options") or [] if "id" in o}
