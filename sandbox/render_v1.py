"""Records -> API v1 dictionaries, shaped exactly as SPEC v1 describes them.

v1 uses RFC 3339 where the spec says ``format: date-time`` and ``YYYY-MM-DD HH:MM:SS``
where it has a plain string; non-nullable properties are omitted rather than ``null``.
"""

from __future__ import annotations

from typing import Any

from sandbox.clock import format_rfc3339, format_v1_datetime
from sandbox.models import Field, Note, Org, Relationship, User, Webhook
from sandbox.store import CompanyData

__all__ = [
    "field_v1",
    "note_field_v1",
    "product_field_v1",
    "note_v1",
    "relationship_v1",
    "relationship_org",
    "user_me",
    "webhook_v1",
]


def field_v1(field: Field) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": field.id,
        "key": field.key,
        "name": field.name,
        "order_nr": field.order_nr,
        "field_type": field.field_type,
        "add_time": format_rfc3339(field.add_time),
        "update_time": format_rfc3339(field.update_time),
        "last_updated_by_user_id": field.created_by,
        "created_by_user_id": field.created_by,
        "active_flag": True,
        "edit_flag": field.is_custom,
        "index_visible_flag": True,
        "details_visible_flag": field.details_visible,
        "add_visible_flag": field.add_visible,
        "important_flag": False,
        "bulk_edit_allowed": True,
        "searchable_flag": field.field_type in ("varchar", "text", "phone", "varchar_auto"),
        "filtering_allowed": True,
        "sortable_flag": True,
        "mandatory_flag": field.mandatory,
        "options": [{"id": o.id, "label": o.label} for o in field.options] if field.options is not None else None,
    }
    if field.subfields:
        item["subfields"] = [
            {"key": f"{field.key}_{code}", "name": name, "field_type": ftype}
            for code, name, ftype in field.subfields
            if code != "value"
        ]
    return item


def product_field_v1(field: Field) -> dict[str, Any]:
    """SPEC v1 ``ProductField``: ``field_v1`` with plain ``YYYY-MM-DD HH:MM:SS`` times.

    Its ``options`` and user ids are non-nullable, so they are omitted when there are none.
    """
    item = field_v1(field)
    item["add_time"] = format_v1_datetime(field.add_time)
    item["update_time"] = format_v1_datetime(field.update_time)
    for key in ("options", "last_updated_by_user_id", "created_by_user_id"):
        if item[key] is None:
            del item[key]
    return item


def note_field_v1(field: Field) -> dict[str, Any]:
    """SPEC v1 ``GetNoteFieldsResponse`` items carry fewer properties than other field lists."""
    item: dict[str, Any] = {
        "id": field.id,
        "key": field.key,
        "name": field.name,
        "field_type": field.field_type,
        "active_flag": True,
        "edit_flag": field.is_custom,
        "bulk_edit_allowed": True,
        "mandatory_flag": field.mandatory,
    }
    if field.options is not None:  # a non-nullable array in this schema: left out when there are none
        item["options"] = [{"id": o.id, "label": o.label} for o in field.options]
    return item


def note_v1(note: Note, data: CompanyData, users: dict[int, User], viewer_id: int) -> dict[str, Any]:
    user = users.get(note.user_id)
    item: dict[str, Any] = {
        "id": note.id,
        "active_flag": note.active,
        "add_time": format_v1_datetime(note.add_time),
        "update_time": format_v1_datetime(note.update_time),
        "content": note.content,
        "user_id": note.user_id,
        "last_update_user_id": note.last_update_user_id or note.user_id,
        "pinned_to_deal_flag": False,
        "pinned_to_organization_flag": note.pinned_to_org,
        "pinned_to_person_flag": note.pinned_to_person,
        "pinned_to_project_flag": False,
        "pinned_to_task_flag": False,
        "user": {
            "email": user.email if user else "",
            "icon_url": f"https://sandbox.invalid/avatars/{note.user_id}.png",
            "is_you": note.user_id == viewer_id,
            "name": user.name if user else "",
        },
    }
    if note.org_id is not None:
        org = data.orgs.by_id.get(note.org_id)
        item["org_id"] = note.org_id
        item["organization"] = {"name": org.name if org else ""}
    if note.person_id is not None:
        person = data.persons.by_id.get(note.person_id)
        item["person_id"] = note.person_id
        item["person"] = {"name": person.name if person else ""}
    return item


def relationship_org(org: Org | None, org_id: int, data: CompanyData) -> dict[str, Any]:
    """The small org object v1 relationships embed (``rel_owner_org_id`` etc.)."""
    address = (org.address or {}).get("value") if org else None
    return {
        "name": org.name if org else "",
        "people_count": data.people_count(org_id),
        "owner_id": org.owner_id if org else 0,
        "address": address,
        "active_flag": bool(org and not org.is_deleted),
        "cc_email": f"{data.company.domain}+org{org_id}@pipedrivemail.com",
    }


def relationship_v1(rel: Relationship, perspective_org_id: int, data: CompanyData) -> dict[str, Any]:
    owner = data.orgs.by_id.get(rel.owner_org_id)
    linked = data.orgs.by_id.get(rel.linked_org_id)
    viewing_parent = perspective_org_id == rel.owner_org_id
    related_id = rel.linked_org_id if viewing_parent else rel.owner_org_id
    related = linked if viewing_parent else owner
    if rel.type == "parent":
        # calculated_type describes the *other* org as seen from org_id (SPEC example:
        # queried from the parent, the linked org is its "daughter").
        calculated = "daughter" if viewing_parent else "parent"
    else:
        calculated = "related"
    return {
        "id": rel.id,
        "type": rel.type,
        "rel_owner_org_id": {**relationship_org(owner, rel.owner_org_id, data), "value": rel.owner_org_id},
        "rel_linked_org_id": {**relationship_org(linked, rel.linked_org_id, data), "value": rel.linked_org_id},
        "add_time": format_v1_datetime(rel.add_time),
        "update_time": format_v1_datetime(rel.update_time),
        # SPEC v1 types this flag as a string ("true"), unlike most v1 flags.
        "active_flag": "true",
        "calculated_type": calculated,
        "calculated_related_org_id": related_id,
        "related_organization_name": related.name if related else "",
    }


def user_me(
    user: User,
    data: CompanyData,
    *,
    is_admin: bool,
    last_login: int,
    created_company: bool,
) -> dict[str, Any]:
    company = data.company

    def access(app: str, admin: bool) -> dict[str, Any]:
        return {
            "app": app,
            "admin": admin,
            "permission_set_id": f"{company.id:08x}-{user.id:04x}-4000-8000-{app.encode().hex()[:12]:0<12}",
        }

    return {
        "id": user.id,
        "name": user.name,
        "default_currency": user.default_currency,
        "locale": user.locale,
        "lang": user.lang,
        "email": user.email,
        "phone": user.phone,
        "activated": True,
        "last_login": format_v1_datetime(last_login),
        "created": format_v1_datetime(user.created),
        "modified": format_v1_datetime(last_login),
        "has_created_company": created_company,
        "access": [
            access("sales", is_admin),
            access("global", is_admin),
            *([access("account_settings", True)] if is_admin else []),
        ],
        "active_flag": True,
        "timezone_name": user.timezone_name,
        "timezone_offset": user.timezone_offset,
        "role_id": 1,
        "icon_url": None,
        "is_you": True,
        "is_deleted": False,
        # Legacy flag from the older docs (NOTES §2); absent from the current spec.
        "is_admin": 1 if is_admin else 0,
        "company_id": company.id,
        "company_name": company.name,
        "company_domain": company.domain,
        "company_country": company.country,
        "company_industry": company.industry,
        "language": {"language_code": user.locale.split("_")[0], "country_code": user.locale.split("_")[-1]},
    }


def webhook_v1(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "company_id": hook.company_id,
        "owner_id": hook.user_id,
        "user_id": hook.user_id,
        "event_action": hook.event_action,
        "event_object": hook.event_object,
        "subscription_url": hook.subscription_url,
        "version": hook.version,
        "is_active": 1,
        "add_time": format_rfc3339(hook.add_time),
        "remove_time": None,
        "type": hook.type,
        "http_auth_user": hook.http_auth_user,
        "http_auth_password": hook.http_auth_password,
        "remove_reason": None,
        "last_delivery_time": None,
        "last_http_status": None,
        "admin_id": hook.user_id,
        "name": hook.name,
    }
