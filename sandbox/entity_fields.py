"""Built-in deal, product, activity and note fields, served by the v1 ``*Fields`` lists.

The sandbox has no deals or products and cannot create fields for these entities, so
each company sees the same static set, built once. Keys and names follow Pipedrive's
standard fields (and the SPEC v1 examples where they show one); types are limited to
what each operation's schema allows:

* dealFields, activityFields, noteFields: SPEC v1 ``field_type`` is the intersection of two
  enums (``allOf``), the same as ``V1_FIELD_TYPES``. Pipedrive's own ``stage``/``status``
  types fall outside it, so stage and status are ``enum`` fields whose options are the
  choices; fields whose only type is ``deal``, ``lead``, ``project`` or ``int`` (a note's
  ``deal_id``, counters) are left out, as ``id`` and ``people_count`` are for orgs.
* productFields: ``ProductField.field_type`` has no ``visible_to``; the SPEC example lists
  ``visible_to`` as a ``double`` with options, and so does the sandbox.
"""

from __future__ import annotations

from functools import cache

from sandbox.fields import V1_FIELD_TYPES, build_standard_fields
from sandbox.fixture import FIELDS_EPOCH
from sandbox.models import Field

__all__ = ["entity_fields"]

# SPEC v1 ProductField.field_type (intersected with the wide enum, which holds all of these).
PRODUCT_FIELD_TYPES = frozenset(
    {
        "varchar",
        "varchar_auto",
        "text",
        "double",
        "monetary",
        "date",
        "set",
        "enum",
        "user",
        "org",
        "people",
        "phone",
        "time",
        "timerange",
        "daterange",
        "address",
    }
)

_YES_NO = ((1, "Yes"), (0, "No"))  # a 0/1 flag as an enum, as in the SPEC v1 noteFields example
_DEAL_STATUS = (("open", "Open"), ("won", "Won"), ("lost", "Lost"), ("deleted", "Deleted"))
# The stages of the pipeline every new Pipedrive company starts with.
_DEFAULT_STAGES = (
    (1, "Qualified"),
    (2, "Contact Made"),
    (3, "Demo Scheduled"),
    (4, "Proposal Made"),
    (5, "Negotiations Started"),
)
_DEAL_LABELS = ((1, "Hot"), (2, "Warm"), (3, "Cold"))
# Option ids are the activity types' key strings: that is the value an activity's ``type`` holds.
_ACTIVITY_TYPES = (
    ("call", "Call"),
    ("meeting", "Meeting"),
    ("task", "Task"),
    ("deadline", "Deadline"),
    ("email", "Email"),
    ("lunch", "Lunch"),
)
_PRODUCT_VISIBLE_TO = ((1, "Owner & followers"), (3, "Entire company"))  # SPEC v1 productFields example

# (key, name, type, options, mandatory[, add_visible[, details_visible]]); mandatory = needed to create one.
# Read-only system fields (timestamps, counters' dates) are hidden from the add and details views.
_DEAL = (
    ("title", "Title", "varchar", None, True),
    ("creator_user_id", "Creator", "user", None, False, False, False),
    ("user_id", "Owner", "user", None, True),
    ("value", "Value", "monetary", None, False),
    ("currency", "Currency", "varchar", None, False),
    ("weighted_value", "Weighted value", "monetary", None, False, False, False),
    ("probability", "Probability", "double", None, False),
    ("org_id", "Organization", "org", None, False),
    ("person_id", "Contact person", "people", None, False),
    ("stage_id", "Stage", "enum", _DEFAULT_STAGES, True),
    ("status", "Status", "enum", _DEAL_STATUS, False, False),
    ("label_ids", "Label", "set", _DEAL_LABELS, False),
    ("expected_close_date", "Expected close date", "date", None, False),
    ("add_time", "Deal created", "date", None, False, False, False),
    ("update_time", "Update time", "date", None, False, False, False),
    ("stage_change_time", "Last stage change", "date", None, False, False, False),
    ("next_activity_date", "Next activity date", "date", None, False, False, False),
    ("last_activity_date", "Last activity date", "date", None, False, False, False),
    ("won_time", "Won time", "date", None, False, False, False),
    ("lost_time", "Lost time", "date", None, False, False, False),
    ("close_time", "Deal closed on", "date", None, False, False, False),
    ("lost_reason", "Lost reason", "varchar", None, False, False),
    ("visible_to", "Visible to", "visible_to", None, True),
)
_PRODUCT = (
    ("name", "Name", "varchar", None, True, True, False),  # flags as in the SPEC example
    ("code", "Product code", "varchar", None, False),
    ("unit", "Unit", "varchar", None, False),
    ("tax", "Tax", "double", None, False),
    ("visible_to", "Visible to", "double", _PRODUCT_VISIBLE_TO, True, False, True),  # as in the SPEC example
    ("owner_id", "Owner", "user", None, True),
    ("prices", "Unit price", "monetary", None, False),
    ("description", "Description", "text", None, False),
    ("active_flag", "Active", "enum", _YES_NO, False),
    ("selectable", "Selectable", "enum", _YES_NO, False),
    ("add_time", "Product created", "date", None, False, False, False),
    ("update_time", "Update time", "date", None, False, False, False),
)
_ACTIVITY = (
    ("subject", "Subject", "varchar", None, True),
    ("type", "Type", "enum", _ACTIVITY_TYPES, True),
    ("due_date", "Due date", "date", None, False),
    ("due_time", "Due time", "time", None, False),
    ("duration", "Duration", "time", None, False),
    ("busy_flag", "Free/busy", "enum", ((1, "Busy"), (0, "Free")), False),
    ("done", "Done", "enum", ((1, "Done"), (0, "To do")), False),
    ("user_id", "Assigned to user", "user", None, True),
    ("person_id", "Contact person", "people", None, False),
    ("org_id", "Organization", "org", None, False),
    ("location", "Location", "address", None, False),
    ("note", "Note", "text", None, False),
    ("public_description", "Public description", "text", None, False),
    ("created_by_user_id", "Creator", "user", None, False, False, False),
    ("add_time", "Add time", "date", None, False, False, False),
    ("update_time", "Update time", "date", None, False, False, False),
    ("marked_as_done_time", "Marked as done time", "date", None, False, False, False),
)
_NOTE = (  # content and pinned_to_deal_flag named, typed and mandatory as in the SPEC v1 example
    ("content", "Content", "text", None, True),
    ("pinned_to_deal_flag", "Note is pinned to deal", "enum", _YES_NO, True),
    ("pinned_to_organization_flag", "Note is pinned to organization", "enum", _YES_NO, True),
    ("pinned_to_person_flag", "Note is pinned to person", "enum", _YES_NO, True),
    ("pinned_to_lead_flag", "Note is pinned to lead", "enum", _YES_NO, True),
    ("user_id", "User", "user", None, False),
    ("org_id", "Organization", "org", None, False),
    ("person_id", "Person", "people", None, False),
    ("add_time", "Add time", "date", None, False),
    ("update_time", "Update time", "date", None, False),
)

# entity -> (rows, first id, the field types its SPEC v1 list allows). Field ids are unique within a
# Pipedrive company; these ranges sit above the org (1-) and person (101-) fields and the custom ones.
_ENTITIES = {
    "deal": (_DEAL, 1001, V1_FIELD_TYPES),
    "product": (_PRODUCT, 2001, PRODUCT_FIELD_TYPES),
    "activity": (_ACTIVITY, 3001, V1_FIELD_TYPES),
    "note": (_NOTE, 4001, V1_FIELD_TYPES),
}


@cache
def entity_fields(entity: str) -> tuple[Field, ...]:
    """The standard fields of ``deal``, ``product``, ``activity`` or ``note`` (shared, read-only)."""
    rows, first_id, types = _ENTITIES[entity]
    fields = tuple(build_standard_fields(rows, first_id, FIELDS_EPOCH))
    assert all(f.field_type in types for f in fields), entity  # a type the spec would reject is a bug
    return fields
