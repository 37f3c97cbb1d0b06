"""Compact in-memory records.

Every record class uses ``__slots__`` and stores timestamps as epoch seconds, so that
100k organizations and 1M persons fit well under 2 GB (measured in
``bench/bench_sandbox.py``). API dictionaries are rendered lazily, per response, by
``sandbox.render``.
"""

from __future__ import annotations

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


class Company:
    __slots__ = ("id", "name", "domain", "country", "industry", "plan", "daily_budget")

    def __init__(
        self,
        id: int,
        name: str,
        domain: str,
        country: str = "US",
        industry: str = "Software",
        plan: str = "growth",
        daily_budget: int | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.domain = domain
        self.country = country
        self.industry = industry
        self.plan = plan
        self.daily_budget = daily_budget


class User:
    __slots__ = (
        "id",
        "name",
        "email",
        "locale",
        "lang",
        "timezone_name",
        "timezone_offset",
        "phone",
        "created",
        "default_currency",
    )

    def __init__(
        self,
        id: int,
        name: str,
        email: str,
        created: int,
        locale: str = "en_US",
        lang: int = 1,
        timezone_name: str = "Europe/London",
        timezone_offset: str = "+00:00",
        phone: str | None = None,
        default_currency: str = "USD",
    ) -> None:
        self.id = id
        self.name = name
        self.email = email
        self.created = created
        self.locale = locale
        self.lang = lang
        self.timezone_name = timezone_name
        self.timezone_offset = timezone_offset
        self.phone = phone
        self.default_currency = default_currency


class Membership:
    """A user's seat in one company. Personal API tokens are per user *and* company."""

    __slots__ = ("user_id", "company_id", "is_admin", "api_token", "last_login")

    def __init__(self, user_id: int, company_id: int, is_admin: bool, api_token: str, last_login: int) -> None:
        self.user_id = user_id
        self.company_id = company_id
        self.is_admin = is_admin
        self.api_token = api_token
        self.last_login = last_login


class FieldOption:
    __slots__ = ("id", "label", "color", "add_time", "update_time")

    def __init__(
        self,
        id: int | str,  # str for built-in choices keyed by code, e.g. a deal's status "open"
        label: str,
        add_time: int,
        color: str | None = None,
        update_time: int | None = None,
    ) -> None:
        self.id = id
        self.label = label
        self.color = color
        self.add_time = add_time
        self.update_time = update_time if update_time is not None else add_time


class Field:
    """An organization or person field; ``key`` is the v1 ``key`` / v2 ``field_code``."""

    __slots__ = (
        "id",
        "key",
        "name",
        "field_type",
        "options",
        "is_custom",
        "order_nr",
        "add_time",
        "update_time",
        "created_by",
        "mandatory",
        "add_visible",
        "details_visible",
        "subfields",
        "ui_extra",
    )

    def __init__(
        self,
        id: int,
        key: str,
        name: str,
        field_type: str,
        add_time: int,
        *,
        options: list[FieldOption] | None = None,
        is_custom: bool = False,
        order_nr: int = 0,
        update_time: int | None = None,
        created_by: int | None = None,
        mandatory: bool = False,
        add_visible: bool = True,
        details_visible: bool = True,
        subfields: tuple[tuple[str, str, str], ...] | None = None,
        ui_extra: dict[str, Any] | None = None,
    ) -> None:
        self.id = id
        self.key = key
        self.name = name
        self.field_type = field_type
        self.options = options
        self.is_custom = is_custom
        self.order_nr = order_nr
        self.add_time = add_time
        self.update_time = update_time if update_time is not None else add_time
        self.created_by = created_by
        self.mandatory = mandatory
        self.add_visible = add_visible
        self.details_visible = details_visible
        self.subfields = subfields
        # v2 settings given on creation: show_in_add_*_dialog, important_fields.
        self.ui_extra = ui_extra

    def option(self, option_id: int) -> FieldOption | None:
        for opt in self.options or ():
            if opt.id == option_id:
                return opt
        return None


class Org:
    __slots__ = (
        "id",
        "name",
        "owner_id",
        "add_time",
        "update_time",
        "visible_to",
        "address",
        "label_ids",
        "website",
        "linkedin",
        "industry",
        "annual_revenue",
        "employee_count",
        "custom",
        "is_deleted",
    )

    def __init__(
        self,
        id: int,
        name: str,
        owner_id: int,
        add_time: int,
        update_time: int,
        *,
        visible_to: int = 3,
        address: dict[str, str] | None = None,
        label_ids: tuple[int, ...] = (),
        website: str | None = None,
        linkedin: str | None = None,
        industry: int | None = None,
        annual_revenue: int | None = None,
        employee_count: int | None = None,
        custom: dict[str, Any] | None = None,
        is_deleted: bool = False,
    ) -> None:
        self.id = id
        self.name = name
        self.owner_id = owner_id
        self.add_time = add_time
        self.update_time = update_time
        self.visible_to = visible_to
        self.address = address
        self.label_ids = label_ids
        self.website = website
        self.linkedin = linkedin
        self.industry = industry
        self.annual_revenue = annual_revenue
        self.employee_count = employee_count
        self.custom = custom
        self.is_deleted = is_deleted


class Person:
    __slots__ = (
        "id",
        "name",
        "first_name",
        "last_name",
        "owner_id",
        "org_id",
        "add_time",
        "update_time",
        "emails",
        "phones",
        "visible_to",
        "label_ids",
        "custom",
        "is_deleted",
    )

    def __init__(
        self,
        id: int,
        name: str,
        first_name: str,
        last_name: str,
        owner_id: int,
        org_id: int | None,
        add_time: int,
        update_time: int,
        *,
        emails: str = "",
        phones: str = "",
        visible_to: int = 3,
        label_ids: tuple[int, ...] = (),
        custom: dict[str, Any] | None = None,
        is_deleted: bool = False,
    ) -> None:
        self.id = id
        self.name = name
        self.first_name = first_name
        self.last_name = last_name
        self.owner_id = owner_id
        self.org_id = org_id
        self.add_time = add_time
        self.update_time = update_time
        self.emails = emails
        self.phones = phones
        self.visible_to = visible_to
        self.label_ids = label_ids
        self.custom = custom
        self.is_deleted = is_deleted


class Relationship:
    """``type='parent'``: ``owner_org_id`` is the parent, ``linked_org_id`` the daughter."""

    __slots__ = ("id", "type", "owner_org_id", "linked_org_id", "add_time", "update_time")

    def __init__(
        self,
        id: int,
        type: str,
        owner_org_id: int,
        linked_org_id: int,
        add_time: int,
        update_time: int | None = None,
    ) -> None:
        self.id = id
        self.type = type
        self.owner_org_id = owner_org_id
        self.linked_org_id = linked_org_id
        self.add_time = add_time
        self.update_time = update_time if update_time is not None else add_time


class Activity:
    __slots__ = (
        "id",
        "subject",
        "type",
        "owner_id",
        "org_id",
        "person_id",
        "done",
        "due_date",
        "due_time",
        "duration",
        "add_time",
        "update_time",
        "marked_as_done_time",
        "note",
        "busy",
        "public_description",
        "priority",
        "is_deleted",
    )

    def __init__(
        self,
        id: int,
        subject: str,
        type: str,
        owner_id: int,
        add_time: int,
        update_time: int,
        *,
        org_id: int | None = None,
        person_id: int | None = None,
        done: bool = False,
        due_date: str | None = None,
        due_time: str | None = None,
        duration: str | None = None,
        marked_as_done_time: int | None = None,
        note: str | None = None,
        busy: bool = False,
        public_description: str | None = None,
        priority: int | None = None,
        is_deleted: bool = False,
    ) -> None:
        self.id = id
        self.subject = subject
        self.type = type
        self.owner_id = owner_id
        self.org_id = org_id
        self.person_id = person_id
        self.done = done
        self.due_date = due_date
        self.due_time = due_time
        self.duration = duration
        self.add_time = add_time
        self.update_time = update_time
        self.marked_as_done_time = marked_as_done_time
        self.note = note
        self.busy = busy
        self.public_description = public_description
        self.priority = priority
        self.is_deleted = is_deleted


class Note:
    __slots__ = (
        "id",
        "content",
        "user_id",
        "org_id",
        "person_id",
        "add_time",
        "update_time",
        "active",
        "pinned_to_org",
        "pinned_to_person",
        "last_update_user_id",
    )

    def __init__(
        self,
        id: int,
        content: str,
        user_id: int,
        add_time: int,
        update_time: int,
        *,
        org_id: int | None = None,
        person_id: int | None = None,
        active: bool = True,
        pinned_to_org: bool = False,
        pinned_to_person: bool = False,
        last_update_user_id: int | None = None,
    ) -> None:
        self.id = id
        self.content = content
        self.user_id = user_id
        self.org_id = org_id
        self.person_id = person_id
        self.add_time = add_time
        self.update_time = update_time
        self.active = active
        self.pinned_to_org = pinned_to_org
        self.pinned_to_person = pinned_to_person
        self.last_update_user_id = last_update_user_id


class Webhook:
    __slots__ = (
        "id",
        "company_id",
        "user_id",
        "client_id",
        "event_action",
        "event_object",
        "subscription_url",
        "version",
        "name",
        "http_auth_user",
        "http_auth_password",
        "add_time",
        "type",
    )

    def __init__(
        self,
        id: int,
        company_id: int,
        user_id: int,
        client_id: str | None,
        event_action: str,
        event_object: str,
        subscription_url: str,
        version: str,
        name: str,
        add_time: int,
        http_auth_user: str | None = None,
        http_auth_password: str | None = None,
    ) -> None:
        self.id = id
        self.company_id = company_id
        self.user_id = user_id
        self.client_id = client_id
        self.event_action = event_action
        self.event_object = event_object
        self.subscription_url = subscription_url
        self.version = version
        self.name = name
        self.add_time = add_time
        self.http_auth_user = http_auth_user
        self.http_auth_password = http_auth_password
        # App webhooks are invisible in the UI and die with the install
        # (https://pipedrive.readme.io/docs/webhooks-for-apps).
        self.type = "application" if client_id else "general"
