"""Bad input gets a 4xx in the envelope, never a 500."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

ACME, ALICE = 7001, 501


def _cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


BAD_CURSORS = [
    "x",
    _cursor([1]),
    _cursor({"field": "id"}),
    _cursor({"field": "id", "fieldValue": 1, "sortDirection": "asc", "id": "a"}),
    _cursor({"field": "update_time", "fieldValue": 5, "sortDirection": "asc", "id": 1}),
    _cursor({"field": "due_date", "fieldValue": [1], "sortDirection": "asc", "id": 1}),
]


@pytest.mark.parametrize(
    "path", ["/api/v2/organizations", "/api/v2/persons", "/api/v2/activities", "/api/v2/organizationFields"]
)
def test_bad_cursors(sandbox: Any, admin_token: str, path: str) -> None:
    for sort_by in ("id", "update_time", "due_date"):
        for cursor in BAD_CURSORS:
            status, _, body = sandbox.api("GET", path, token=admin_token, params={"cursor": cursor, "sort_by": sort_by})
            assert status == 400 and body["success"] is False, (sort_by, cursor, body)


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("PATCH", "/api/v2/organizations/1", []),
        ("PATCH", "/api/v2/organizations/1", {"custom_fields": None}),
        ("PATCH", "/api/v2/organizations/1", {"label_ids": [99]}),
        ("PATCH", "/api/v2/organizations/1", {"address": {"value": 1}}),
        ("PATCH", "/api/v2/organizations/1", {"visible_to": 2}),
        ("PATCH", "/api/v2/organizations/1", {"bogus": 1}),
        ("POST", "/api/v2/organizationFields", {"field_name": "x", "field_type": "set", "options": [1]}),
        ("POST", "/v1/organizationFields", {"name": 5, "field_type": "enum"}),
        (
            "POST",
            "/v1/webhooks",
            {
                "subscription_url": "https://x.invalid",
                "event_action": "*",
                "event_object": "*",
                "name": "n",
                "user_id": "abc",
            },
        ),
    ],
)
def test_bad_bodies(sandbox: Any, admin_token: str, method: str, path: str, body: Any) -> None:
    status, _, answer = sandbox.api(method, path, token=admin_token, json_body=body)
    assert status == 400 and answer["success"] is False


def test_malformed_json_body(sandbox: Any, admin_token: str) -> None:
    status, _, body = sandbox.request(
        "PATCH",
        "/api/v2/organizations/1",
        data=b"{bad",
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
    )
    assert status == 400 and body["error"] == "Request body is not valid JSON"


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "create_org"},
        {"op": "update_org", "id": "x"},
        {"op": "create_person", "name": "a", "org_id": "x"},
        {"op": "add_relationship", "parent_org_id": 1, "child_org_id": 1},
        {"op": "create_activity", "subject": "x", "org_id": [1]},
        {"op": "create_activity", "subject": "x", "due_date": 5},
        {"op": "set_org_field", "id": 1, "field": "Tier", "value": "Tier 1"},
        {"op": "delete_relationship", "id": [1]},
        {"op": "explode"},
        {"op": "touch_org", "id": 1, "user_id": 999},
    ],
)
def test_bad_mutations(sandbox: Any, operation: dict[str, Any]) -> None:
    status, _, body = sandbox.request(
        "POST", "/_sandbox/mutate", json_body={"company_id": ACME, "operations": [operation]}
    )
    assert status in (400, 404) and body["success"] is False
