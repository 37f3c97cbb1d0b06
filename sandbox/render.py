"""Records -> API v2 dictionaries, shaped exactly as SPEC v2 describes them.

Where a spec property is not ``nullable`` the key is left out instead of sent as
``null`` (e.g. a person without an organization has no ``org_id``; v2 ``address``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.clock import format_rfc3339
from sandbox.contacts import unpack_contacts
from sandbox.models import Activity, Field, Org, Person
from sandbox.store import CompanyData

__all__ = [
    "org_v2",
    "person_v2",
    "activity_v2",
    "field_v2",
    "custom_values",
    "render_entity",
    "ORG_INCLUDE_FIELDS",
    "PERSON_INCLUDE_FIELDS",
]

ORG_INCLUDE_FIELDS = frozenset(
    {
        "next_activity_id",
        "last_activity_id",
        "open_deals_count",
        "related_open_deals_count",
        "closed_deals_count",
        "related_closed_deals_count",
        "email_messages_count",
        "people_count",
        "activities_count",
        "done_activities_count",
        "undone_activities_count",
        "files_count",
        "notes_count",
        "followers_count",
        "won_deals_count",
        "related_won_deals_count",
        "lost_deals_count",
        "related_lost_deals_count",
        "smart_bcc_email",
    }
)
PERSON_INCLUDE_FIELDS = frozenset(
    {
        "next_activity_id",
        "last_activity_id",
        "open_deals_count",
        "related_open_deals_count",
        "closed_deals_count",
        "related_closed_deals_count",
        "participant_open_deals_count",
        "participant_closed_deals_count",
        "email_messages_count",
        "activities_count",
        "done_activities_count",
        "undone_activities_count",
        "files_count",
        "notes_count",
        "followers_count",
        "won_deals_count",
        "related_won_deals_count",
        "lost_deals_count",
        "related_lost_deals_count",
        "last_incoming_mail_time",
        "last_outgoing_mail_time",
        "marketing_status",
        "doi_status",
        "smart_bcc_email",
    }
)


def custom_values(
    fields: list[Field],
    stored: dict[str, Any] | None,
    only: frozenset[str] | None,
    option_labels: bool,
) -> dict[str, Any]:
    """v2 ``custom_fields``: every custom field of the company, ``null`` when unset."""
    out: dict[str, Any] = {}
    stored = stored or {}
    for field in fields:
        if only is not None and field.key not in only:
            continue
        value = stored.get(field.key)
        if isinstance(value, tuple):
            value = list(value)
        if option_labels and value is not None and field.field_type in ("enum", "set"):

            def label(option_id: int, field=field) -> dict[str, Any]:
                opt = field.option(option_id)
                return {"id": option_id, "label": opt.label if opt else ""}

            value = [label(v) for v in value] if isinstance(value, list) else label(value)
        out[field.key] = value
    return out


def _labels(field: Field | None, ids: Iterable[int]) -> list[dict[str, Any]]:
    return [{"id": i, "label": (field.option(i).label if field and field.option(i) else "")} for i in ids]


ACTIVITY_EXTRAS = frozenset(
    {"activities_count", "done_activities_count", "undone_activities_count", "next_activity_id", "last_activity_id"}
)


def _activity_extras(data: CompanyData, activity_ids: list[int]) -> dict[str, Any]:
    acts = [a for a in (data.activities.get_live(i) for i in activity_ids) if a is not None]
    done = sum(1 for a in acts if a.done)
    undone = [a for a in acts if not a.done and a.due_date]
    finished = [a for a in acts if a.done]
    return {
        "activities_count": len(acts),
        "done_activities_count": done,
        "undone_activities_count": len(acts) - done,
        "next_activity_id": min(undone, key=lambda a: (a.due_date, a.id)).id if undone else None,
        "last_activity_id": max(finished, key=lambda a: (a.due_date or "", a.id)).id if finished else None,
    }


def _linked_counts(
    data: CompanyData, include_fields: frozenset[str], activity_ids: list[int], note_ids: list[int]
) -> dict[str, Any]:
    """The requested activity/note counters of an org or person, from its linked records."""
    out: dict[str, Any] = {}
    if "notes_count" in include_fields:
        out["notes_count"] = sum(1 for i in note_ids if i in data.notes and data.notes[i].active)
    if include_fields & ACTIVITY_EXTRAS:
        computed = _activity_extras(data, activity_ids)
        out.update({k: v for k, v in computed.items() if k in include_fields})
    return out


def org_v2(
    org: Org,
    data: CompanyData,
    *,
    custom_keys: frozenset[str] | None = None,
    option_labels: bool = False,
    include_labels: bool = False,
    include_fields: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": org.id,
        "name": org.name,
        "owner_id": org.owner_id,
        "add_time": format_rfc3339(org.add_time),
        "update_time": format_rfc3339(org.update_time),
        "is_deleted": org.is_deleted,
        "visible_to": org.visible_to,
        "label_ids": list(org.label_ids),
        "website": org.website,
        "linkedin": org.linkedin,
        "industry": org.industry,
        "annual_revenue": org.annual_revenue,
        "employee_count": org.employee_count,
        "custom_fields": custom_values(data.custom_fields(), org.custom, custom_keys, option_labels),
    }
    if org.address is not None:
        item["address"] = dict(org.address)
    if include_labels:
        item["labels"] = _labels(data.field_by_key("label_ids"), org.label_ids)
    if include_fields:
        extras: dict[str, Any] = {name: 0 for name in include_fields}
        if "people_count" in include_fields:
            extras["people_count"] = data.people_count(org.id)
        extras.update(
            _linked_counts(
                data, include_fields, data.activities_by_org.get(org.id, []), data.notes_by_org.get(org.id, [])
            )
        )
        if "smart_bcc_email" in include_fields:
            extras["smart_bcc_email"] = f"{data.company.domain}+org{org.id}@pipedrivemail.com"
        item.update(extras)
    return item


def person_v2(
    person: Person,
    data: CompanyData,
    *,
    custom_keys: frozenset[str] | None = None,
    option_labels: bool = False,
    include_labels: bool = False,
    include_fields: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "owner_id": person.owner_id,
        "add_time": format_rfc3339(person.add_time),
        "update_time": format_rfc3339(person.update_time),
        "emails": unpack_contacts(person.emails),
        "phones": unpack_contacts(person.phones),
        "is_deleted": person.is_deleted,
        "visible_to": person.visible_to,
        "label_ids": list(person.label_ids),
        "custom_fields": custom_values(data.custom_fields(person=True), person.custom, custom_keys, option_labels),
    }
    if person.org_id is not None:
        item["org_id"] = person.org_id
    if include_labels:
        item["labels"] = _labels(data.field_by_key("label_ids", person=True), person.label_ids)
    for name in include_fields:
        if name in ("last_incoming_mail_time", "last_outgoing_mail_time", "marketing_status", "doi_status"):
            item[name] = None
        elif name == "smart_bcc_email":
            item[name] = f"{data.company.domain}+person{person.id}@pipedrivemail.com"
        else:
            item[name] = 0  # no deals, files, followers or mail in the sandbox
    item.update(
        _linked_counts(
            data, include_fields, data.activities_by_person.get(person.id, []), data.notes_by_person.get(person.id, [])
        )
    )
    return item


def activity_v2(activity: Activity, *, attendees: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": activity.id,
        "subject": activity.subject,
        "type": activity.type,
        "owner_id": activity.owner_id,
        "creator_user_id": activity.owner_id,
        "is_deleted": activity.is_deleted,
        "add_time": format_rfc3339(activity.add_time),
        "update_time": format_rfc3339(activity.update_time),
        "busy": activity.busy,
        "done": activity.done,
        "participants": [{"person_id": activity.person_id, "primary": True}] if activity.person_id else [],
    }
    optional = {
        "org_id": activity.org_id,
        "person_id": activity.person_id,
        "due_date": activity.due_date,
        "due_time": activity.due_time,
        "duration": activity.duration,
        "marked_as_done_time": format_rfc3339(activity.marked_as_done_time) if activity.marked_as_done_time else None,
        "public_description": activity.public_description,
        "priority": activity.priority,
        "note": activity.note,
    }
    item.update({k: v for k, v in optional.items() if v is not None})
    if attendees:
        item["attendees"] = []
    return item


def field_v2(field: Field, include: frozenset[str], *, person: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "field_name": field.name,
        "field_code": field.key,
        "field_type": field.field_type,
        "options": [
            {
                "id": o.id,
                "label": o.label,
                "color": o.color,
                "add_time": format_rfc3339(o.add_time),
                "update_time": format_rfc3339(o.update_time),
            }
            for o in field.options
        ]
        if field.options is not None
        else None,
        "subfields": [
            {"field_code": code, "field_name": f"{name} of {field.name}", "field_type": ftype}
            for code, name, ftype in field.subfields
        ]
        if field.subfields
        else None,
        "is_custom_field": field.is_custom,
        "is_optional_response_field": field.key in ("label_ids",),
    }
    if "ui_visibility" in include:
        # SPEC v2: personFields' ui_visibility has only these three keys; organizationFields'
        # adds the per-entity detail flags and the add-person dialog.
        extra = field.ui_extra or {}
        hidden = {"show": False, "order": None}
        visibility: dict[str, Any] = {
            "add_visible_flag": field.add_visible,
            "details_visible_flag": field.details_visible,
            "show_in_add_deal_dialog": dict(extra.get("show_in_add_deal_dialog") or hidden),
        }
        if not person:
            visibility.update(
                {
                    "org_detail_visible_flag": True,
                    "person_detail_visible_flag": True,
                    "deal_detail_visible_flag": False,
                    "show_in_add_person_dialog": dict(extra.get("show_in_add_person_dialog") or hidden),
                }
            )
        item["ui_visibility"] = visibility
    if "important_fields" in include:
        important = (field.ui_extra or {}).get("important_fields") or {"enabled": False, "stage_ids": []}
        item["important_fields"] = {"enabled": important["enabled"], "stage_ids": list(important["stage_ids"])}
    if "required_fields" in include:
        item["required_fields"] = {"enabled": field.mandatory}
    return item


def render_entity(entity: str, entity_id: int, data: CompanyData) -> dict[str, Any] | None:
    """The v2 shape of one record, for webhook payloads."""
    if entity == "organization":
        org = data.orgs.by_id.get(entity_id)
        return org_v2(org, data) if org else None
    if entity == "person":
        person = data.persons.by_id.get(entity_id)
        return person_v2(person, data) if person else None
    if entity == "activity":
        activity = data.activities.by_id.get(entity_id)
        return activity_v2(activity) if activity else None
    return None
