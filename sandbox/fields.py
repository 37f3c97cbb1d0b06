"""Standard organization/person fields and v2-strict custom-field values.

Field types follow SPEC v1 ``GetField.field_type``, which is the *intersection* of two
enums (``allOf``); types outside it (e.g. ``int``) are listed only by v2, whose enum is
wider. Custom field keys are 40-hex hashes generated on creation (SPEC v1 ``key``).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from typing import Any

from sandbox.clock import parse_date
from sandbox.errors import ApiError
from sandbox.models import Field, FieldOption

__all__ = [
    "V1_FIELD_TYPES",
    "V2_CREATABLE_TYPES",
    "V1_CREATABLE_TYPES",
    "build_standard_fields",
    "standard_org_fields",
    "standard_person_fields",
    "custom_field_key",
    "validate_custom_value",
    "INDUSTRY_OPTIONS",
    "ORG_LABEL_OPTIONS",
    "PERSON_LABEL_OPTIONS",
]

V1_FIELD_TYPES = frozenset(
    {
        "address",
        "date",
        "daterange",
        "double",
        "enum",
        "monetary",
        "org",
        "people",
        "phone",
        "set",
        "text",
        "time",
        "timerange",
        "user",
        "varchar",
        "varchar_auto",
        "visible_to",
    }
)
V1_CREATABLE_TYPES = V1_FIELD_TYPES
V2_CREATABLE_TYPES = frozenset(
    {
        "varchar",
        "text",
        "double",
        "phone",
        "date",
        "daterange",
        "time",
        "timerange",
        "set",
        "enum",
        "varchar_auto",
        "address",
        "monetary",
        "org",
        "people",
        "user",
    }
)

INDUSTRY_OPTIONS = (
    (1, "Technology"),
    (2, "Finance"),
    (3, "Healthcare"),
    (4, "Manufacturing"),
    (5, "Retail"),
    (6, "Education"),
    (7, "Logistics"),
    (8, "Media"),
)
ORG_LABEL_OPTIONS = ((1, "Customer"), (2, "Hot lead"), (3, "Warm lead"), (4, "Cold lead"))
PERSON_LABEL_OPTIONS = ((5, "Decision maker"), (6, "Champion"), (7, "Influencer"))

_ADDRESS_SUBFIELDS = (
    ("value", "Address value", "varchar"),
    ("street_number", "House number", "varchar"),
    ("route", "Street/road name", "varchar"),
    ("subpremise", "Apartment/suite", "varchar"),
    ("locality", "District", "varchar"),
    ("admin_area_level_1", "State/province", "varchar"),
    ("admin_area_level_2", "County", "varchar"),
    ("country", "Country", "varchar"),
    ("postal_code", "Postal code", "varchar"),
    ("formatted_address", "Formatted address", "varchar"),
)

# (key, name, type, option pairs or None, mandatory). ``int`` fields appear in v2 only.
_ORG_STANDARD = (
    ("id", "ID", "int", None, False),
    ("name", "Name", "varchar", None, True),
    ("label_ids", "Labels", "set", ORG_LABEL_OPTIONS, False),
    ("owner_id", "Owner", "user", None, True),
    ("visible_to", "Visible to", "visible_to", None, True),
    ("address", "Address", "address", None, False),
    ("website", "Website", "varchar", None, False),
    ("linkedin", "LinkedIn profile", "varchar", None, False),
    ("industry", "Industry", "enum", INDUSTRY_OPTIONS, False),
    ("annual_revenue", "Annual revenue", "double", None, False),
    ("employee_count", "Number of employees", "double", None, False),
    ("people_count", "People", "int", None, False),
    ("add_time", "Organization created", "date", None, False),
    ("update_time", "Update time", "date", None, False),
)
_PERSON_STANDARD = (
    ("id", "ID", "int", None, False),
    ("name", "Name", "varchar", None, True),
    ("first_name", "First name", "varchar", None, False),
    ("last_name", "Last name", "varchar", None, False),
    ("label_ids", "Labels", "set", PERSON_LABEL_OPTIONS, False),
    ("org_id", "Organization", "org", None, False),
    ("owner_id", "Owner", "user", None, True),
    ("email", "Email", "varchar", None, False),
    ("phone", "Phone", "phone", None, False),
    ("visible_to", "Visible to", "visible_to", None, True),
    ("add_time", "Person created", "date", None, False),
    ("update_time", "Update time", "date", None, False),
)


def build_standard_fields(specs: Sequence[tuple[Any, ...]], first_id: int, add_time: int) -> list[Field]:
    """Built-in fields from ``(key, name, type, options, mandatory[, add_visible[, details_visible]])`` rows.

    Ids are consecutive from ``first_id`` in row order; ``order_nr`` is the row index.
    """
    fields = []
    for order, (key, name, ftype, options, mandatory, *visibility) in enumerate(specs):
        add_visible, details_visible = (*visibility, True, True)[:2]
        fields.append(
            Field(
                id=first_id + order,
                key=key,
                name=name,
                field_type=ftype,
                add_time=add_time,
                options=[FieldOption(i, label, add_time) for i, label in options] if options else None,
                order_nr=order,
                mandatory=mandatory,
                add_visible=add_visible,
                details_visible=details_visible,
                subfields=_ADDRESS_SUBFIELDS if ftype == "address" else None,
            )
        )
    return fields


def standard_org_fields(add_time: int) -> list[Field]:
    return build_standard_fields(_ORG_STANDARD, 1, add_time)


def standard_person_fields(add_time: int) -> list[Field]:
    return build_standard_fields(_PERSON_STANDARD, 101, add_time)


def custom_field_key(company_id: int, field_id: int, name: str) -> str:
    """A stable 40-hex key, like the SHA-1 hashes Pipedrive generates."""
    return hashlib.sha1(f"{company_id}:{field_id}:{name}".encode()).hexdigest()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and not (
        isinstance(value, float) and (math.isnan(value) or math.isinf(value))
    )


_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


def _is_date(value: str) -> bool:
    return parse_date(value) is not None  # a real calendar date, e.g. not 2026-02-30


def validate_custom_value(field: Field, value: Any) -> Any:
    """Check a v2 custom-field value; return the stored form or raise 400.

    v2 does not coerce (NOTES §5.3, §6): enum is an option id (int), set a non-empty
    list of option ids, double a JSON number; ``null`` clears the field.
    """
    if value is None:
        return None
    ftype = field.field_type

    def bad(expected: str) -> ApiError:
        return ApiError(400, f"Invalid value for custom field '{field.key}' ({field.name}): expected {expected}")

    if ftype in ("varchar", "varchar_auto", "text", "phone"):
        if not isinstance(value, str):
            raise bad("a string")
        if ftype != "text" and len(value) > 255:
            raise bad("at most 255 characters")
        return value
    if ftype == "double":
        if not _is_number(value):
            raise bad("a number")
        return value
    if ftype == "enum":
        if not _is_int(value) or field.option(value) is None:
            raise bad("the integer id of one of the field's options")
        return value
    if ftype == "set":
        if not isinstance(value, list) or not value:
            raise bad("a non-empty array of option ids (use null to clear)")
        if any(not _is_int(v) or field.option(v) is None for v in value):
            raise bad("an array of the field's option ids (integers)")
        return tuple(dict.fromkeys(value))
    if ftype in ("user", "org", "people"):
        if not _is_int(value):
            raise bad("an integer id")
        return value
    if ftype == "date":
        if not isinstance(value, str) or not _is_date(value):
            raise bad("a date string YYYY-MM-DD")
        return value
    if ftype == "time":
        if not isinstance(value, str) or not _TIME.match(value):
            raise bad("a time string HH:MM:SS")
        return value
    if ftype == "monetary":
        if (
            not isinstance(value, dict)
            or not _is_number(value.get("value"))
            or not isinstance(value.get("currency"), str)
        ):
            raise bad("an object {value: number, currency: string}")
        return {"value": value["value"], "currency": value["currency"]}
    if ftype in ("daterange", "timerange"):
        valid = _is_date if ftype == "daterange" else _TIME.match
        if not isinstance(value, dict) or not all(
            isinstance(value.get(k), str) and valid(value[k]) for k in ("value", "until")
        ):
            raise bad("an object {value, until}")
        return dict(value)
    if ftype == "address":
        if not isinstance(value, dict) or not isinstance(value.get("value"), str):
            raise bad("an object {value: string, ...}")
        return {k: v for k, v in value.items() if isinstance(v, str)}
    raise bad("a supported value")
