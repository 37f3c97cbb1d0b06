"""The v1 field lists of deals, products, activities and notes, held to the official spec."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.testing import SandboxHandle
from tests.sandbox.spec_calls import call, page_v1

ACME, ALICE = 7001, 501

# path -> (documents start/limit, a scope it accepts, a scope it refuses, keys it must list). Scopes per
# SPEC v1 ``security``: deals:read/full, deal-fields:full, admin | products:read, product-fields:full,
# products:full | activities:read/full | deals:read/full, contacts:read/full.
ENDPOINTS: dict[str, tuple[bool, str, str, set[str]]] = {
    "/v1/dealFields": (
        True,
        "deal-fields:full",
        "contacts:full",
        {"title", "value", "currency", "stage_id", "status", "expected_close_date", "org_id", "person_id", "user_id"},
    ),
    "/v1/productFields": (True, "products:read", "admin", {"name", "code", "unit", "tax", "prices", "owner_id"}),
    "/v1/activityFields": (
        False,
        "activities:read",
        "contacts:full",
        {"subject", "type", "due_date", "due_time", "done", "note", "org_id", "person_id", "user_id"},
    ),
    "/v1/noteFields": (False, "contacts:read", "activities:full", {"content", "add_time", "org_id", "person_id"}),
}
# What tap-pipedrive 2.1.0's --discover asks, in its stream order, with the parameters it sends.
TAP_DISCOVERY = ("noteFields", "activityFields", "dealFields", "organizationFields", "personFields", "productFields")


def scoped(sb: SandboxHandle, scope: str) -> str:
    return sb.mint_token(ACME, ALICE, scopes=[scope])["access_token"]


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1"])
@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_entity_field_list(spec: Any, sb: SandboxHandle, tokens: dict[str, str], path: str, prefix: str) -> None:
    _, accepted, _, expected_keys = ENDPOINTS[path]
    url = prefix + path.removeprefix("/v1")
    body, headers = call(spec, sb, "GET", url, token=scoped(sb, accepted))
    fields = body["data"]
    keys = [f["key"] for f in fields]
    assert expected_keys <= set(keys) and len(set(keys)) == len(keys)
    assert len({f["id"] for f in fields}) == len(fields)
    assert all(f["options"] for f in fields if f["field_type"] in ("enum", "set"))
    assert body["additional_data"]["pagination"]["more_items_in_collection"] is False
    assert headers["x-daily-ratelimit-token-remaining"].isdigit()
    # Personal API tokens (query parameter or the spec's x-api-token header) see the same list.
    by_query, _ = call(spec, sb, "GET", url, api_token=tokens["api_token"])
    status, _, by_header = sb.request("GET", url, headers={"x-api-token": tokens["api_token"]})
    assert by_query == by_header == body and status == 200


def test_entity_field_details(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    deal = {f["key"]: f for f in call(spec, sb, "GET", "/v1/dealFields", token=tokens["admin"])[0]["data"]}
    assert [o["id"] for o in deal["status"]["options"]] == ["open", "won", "lost", "deleted"]
    assert deal["title"]["mandatory_flag"] is True and deal["title"]["edit_flag"] is False
    assert deal["add_time"]["add_visible_flag"] is False and deal["add_time"]["add_time"].endswith("Z")
    activity = {f["key"]: f for f in call(spec, sb, "GET", "/v1/activityFields", token=tokens["admin"])[0]["data"]}
    assert [s["key"] for s in activity["location"]["subfields"]][:2] == ["location_street_number", "location_route"]
    assert "call" in [o["id"] for o in activity["type"]["options"]]
    product = call(spec, sb, "GET", "/v1/productFields", api_token=tokens["api_token"])[0]["data"]
    by_key = {f["key"]: f for f in product}
    # ProductField times are plain strings; its non-nullable options are left out when there are none.
    assert by_key["name"]["add_time"] == "2020-01-01 00:00:00" and "options" not in by_key["name"]
    assert by_key["visible_to"]["field_type"] == "double" and len(by_key["visible_to"]["options"]) == 2
    notes = call(spec, sb, "GET", "/v1/noteFields", token=tokens["admin"])[0]["data"]
    assert set(notes[0]) == {"id", "key", "name", "field_type", "active_flag", "edit_flag", "bulk_edit_allowed"} | {
        "mandatory_flag"
    }
    assert notes[1]["options"] == [{"id": 1, "label": "Yes"}, {"id": 0, "label": "No"}]


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_entity_field_list_paging(spec: Any, sb: SandboxHandle, path: str) -> None:
    pages, accepted, _, _ = ENDPOINTS[path]
    token = scoped(sb, accepted)
    everything, _ = call(spec, sb, "GET", path, token=token)
    if pages:
        paged = page_v1(spec, sb, path, token, {"limit": 4})
        assert [f["key"] for f in paged] == [f["key"] for f in everything["data"]]
        tail, _ = call(spec, sb, "GET", path, token=token, params={"start": 4, "limit": 3})
        assert tail["data"] == everything["data"][4:7]
        assert tail["additional_data"]["pagination"] == {
            "start": 4,
            "limit": 3,
            "more_items_in_collection": True,
            "next_start": 7,
        }
        call(spec, sb, "GET", path, token=token, params={"limit": "x"}, expect=400)
        call(spec, sb, "GET", path, token=token, params={"start": -1}, expect=400)
    else:
        # No start/limit in the spec: every field comes at once and those parameters are ignored.
        same, _ = call(spec, sb, "GET", path, token=token, params={"start": 3, "limit": 2})
        assert same == everything and len(everything["data"]) > 2
        assert everything["additional_data"]["pagination"]["start"] == 0


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_entity_field_list_errors(spec: Any, sb: SandboxHandle, tokens: dict[str, str], path: str) -> None:
    _, _, refused, _ = ENDPOINTS[path]
    body, _ = call(spec, sb, "GET", path, expect=401)
    assert body["errorCode"] == 401
    call(spec, sb, "GET", path, token="v1u:nope", expect=401)
    call(spec, sb, "GET", path, api_token="0" * 40, expect=401)
    body, _ = call(spec, sb, "GET", path, token=tokens["base_only"], expect=403)
    assert body["error"] == "Scope and URL mismatch"
    call(spec, sb, "GET", path, token=scoped(sb, refused), expect=403)


def test_tap_discovery_calls_all_succeed(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    """tap-pipedrive's --discover: each stream's v1 field list with ?api_token=, start and limit 100, paged."""
    sb.reset_stats()
    for endpoint in TAP_DISCOVERY:
        start, more = 0, True
        while more:
            params = {"limit": 100, "start": start}
            body, _ = call(spec, sb, "GET", f"/v1/{endpoint}", api_token=tokens["api_token"], params=params)
            assert all(isinstance(f["key"], str) and isinstance(f["field_type"], str) for f in body["data"])
            pagination = body["additional_data"]["pagination"]
            more, start = pagination["more_items_in_collection"], pagination.get("next_start", start)
    endpoints = sb.stats()["companies"][str(ACME)]["endpoints"]
    assert {k: (v["statuses"], v["cost"]) for k, v in endpoints.items()} == {
        f"GET /v1/{e}": ({"200": 1}, 20) for e in TAP_DISCOVERY
    }
