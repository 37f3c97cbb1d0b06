"""Compact in-memory records.

Every record is a slotted dataclass (identity equality, as before: records are looked up by id, never
compared by value) and stores timestamps as epoch seconds, so that 100k organizations and 1M persons fit
well under 2 GB (measured in ``bench/bench_sandbox.py``). API dictionaries are rendered lazily, per
response, by ``sandbox.render``.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import Any

__all__ = [
    "Company",
    "User",
    "Membership",
    "FieldOption",
    "Field",
    "Org",
    "Person",
    "Relationship",
    "Activity",
    "Note",
    "Webhook",
]

record = dataclass(slots=True, eq=False)


class _DefaultsUpdateTime:
    """``update_time`` defaults to ``add_time`` for records that are created untouched."""

    __slots__ = ()

    def __post_init__(self) -> None:
        if self.update_time is None:
            self.update_time = self.add_time


@record
class Company:
    id: int
    name: str
    domain: str
    country: str = "US"
    industry: str = "Software"
    plan: str = "growth"
    daily_budget: int | None = None


@record
class User:
    id: int
    name: str
    email: str
    created: int
    locale: str = "en_US"
    lang: int = 1
    timezone_name: str = "Europe/London"
    timezone_offset: str = "+00:00"
    phone: str | None = None
    default_currency: str = "USD"


@record
class Membership:
    """A user's seat in one company. Personal API tokens are per user *and* company."""

    user_id: int
    company_id: int
    is_admin: bool
    api_token: str
    last_login: int


@record
class FieldOption(_DefaultsUpdateTime):
    id: int | str  # str for built-in choices keyed by code, e.g. a deal's status "open"
    label: str
    add_time: int
    color: str | None = None
    update_time: int | None = None


@record
class Field(_DefaultsUpdateTime):
    """An organization or person field; ``key`` is the v1 ``key`` / v2 ``field_code``."""

    id: int
    key: str
    name: str
    field_type: str
    add_time: int
    _: KW_ONLY
    options: list[FieldOption] | None = None
    is_custom: bool = False
    order_nr: int = 0
    update_time: int | None = None
    created_by: int | None = None
    mandatory: bool = False
    add_visible: bool = True
    details_visible: bool = True
    subfields: tuple[tuple[str, str, str], ...] | None = None
    # v2 settings given on creation: show_in_add_*_dialog, important_fields.
    ui_extra: dict[str, Any] | None = None

    def option(self, option_id: int) -> FieldOption | None:
        for opt in self.options or ():
            if opt.id == option_id:
                return opt
        return None


@record
class Org:
    id: int
    name: str
    owner_id: int
    add_time: int
    update_time: int
    _: KW_ONLY
    visible_to: int = 3
    address: dict[str, str] | None = None
    label_ids: tuple[int, ...] = ()
    website: str | None = None
    linkedin: str | None = None
    industry: int | None = None
    annual_revenue: int | None = None
    employee_count: int | None = None
    custom: dict[str, Any] | None = None
    is_deleted: bool = False


@record
class Person:
    id: int
    name: str
    first_name: str
    last_name: str
    owner_id: int
    org_id: int | None
    add_time: int
    update_time: int
    _: KW_ONLY
    emails: str = ""
    phones: str = ""
    visible_to: int = 3
    label_ids: tuple[int, ...] = ()
    custom: dict[str, Any] | None = None
    is_deleted: bool = False


@record
class Relationship(_DefaultsUpdateTime):
    """``type='parent'``: ``owner_org_id`` is the parent, ``linked_org_id`` the daughter."""

    id: int
    type: str
    owner_org_id: int
    linked_org_id: int
    add_time: int
    update_time: int | None = None


@record
class Activity:
    id: int
    subject: str
    type: str
    owner_id: int
    add_time: int
    update_time: int
    _: KW_ONLY
    org_id: int | None = None
    person_id: int | None = None
    done: bool = False
    due_date: str | None = None
    due_time: str | None = None
    duration: str | None = None
    marked_as_done_time: int | None = None
    note: str | None = None
    busy: bool = False
    public_description: str | None = None
    priority: int | None = None
    is_deleted: bool = False


@record
class Note:
    id: int
    content: str
    user_id: int
    add_time: int
    update_time: int
    _: KW_ONLY
    org_id: int | None = None
    person_id: int | None = None
    active: bool = True
    pinned_to_org: bool = False
    pinned_to_person: bool = False
    last_update_user_id: int | None = None


@record
class Webhook:
    id: int
    company_id: int
    user_id: int
    client_id: str | None
    event_action: str
    event_object: str
    subscription_url: str
    version: str
    name: str
    add_time: int
    http_auth_user: str | None = None
    http_auth_password: str | None = None
    type: str = field(init=False)

    def __post_init__(self) -> None:
        # App webhooks are invisible in the UI and die with the install
        # (https://pipedrive.readme.io/docs/webhooks-for-apps).
        self.type = "application" if self.client_id else "general"
