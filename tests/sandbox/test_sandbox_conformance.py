"""Every endpoint's success and error responses validate against the official specs."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from sandbox.testing import SandboxHandle, running_sandbox
from tests.sandbox.spec_calls import call, page_v1, page_v2

ACME, GLOBEX = 7001, 7002
ALICE, BOB, DEV = 501, 502, 504


# -- v1 ---------------------------------------------------------------------------------
def test_users_me(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    me, _ = call(spec, sb, "GET", "/v1/users/me", token=tokens["admin"])
    assert me["data"]["company_id"] == ACME and me["data"]["is_admin"] == 1
    assert {"app": "global", "admin": True} in [{k: a[k] for k in ("app", "admin")} for a in me["data"]["access"]]
    member, _ = call(spec, sb, "GET", "/api/v1/users/me", token=tokens["member"])
    assert member["data"]["is_admin"] == 0
    assert [a["admin"] for a in member["data"]["access"] if a["app"] == "global"] == [False]
    other, _ = call(spec, sb, "GET", "/v1/users/me", token=tokens["globex"])
    assert other["data"]["company_name"] == "Globex Partners"
    call(spec, sb, "GET", "/v1/users/me", api_token=tokens["api_token"])
    call(spec, sb, "GET", "/v1/users/me", expect=401)
    body, _ = call(spec, sb, "GET", "/v1/users/me", token="v1u:nope", expect=401)
    assert body["errorCode"] == 401


@pytest.mark.parametrize("path", ["/v1/organizationFields", "/v1/personFields", "/api/v1/organizationFields"])
def test_v1_field_lists_page(spec: Any, sb: SandboxHandle, tokens: dict[str, str], path: str) -> None:
    everything, _ = call(spec, sb, "GET", path, token=tokens["admin"])
    paged = page_v1(spec, sb, path, tokens["admin"], {"limit": 4})
    assert [f["key"] for f in paged] == [f["key"] for f in everything["data"]]
    call(spec, sb, "GET", path, token=tokens["admin"], params={"limit": "x"}, expect=400)
    call(spec, sb, "GET", path, token=tokens["base_only"], expect=403)


def test_v1_org_field_create(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    for field_type, options in (
        ("enum", [{"label": "A"}, {"label": "B"}]),
        ("set", [{"label": "X"}]),
        ("double", None),
        ("varchar", None),
        ("date", None),
    ):
        payload = {"name": f"V1 {field_type}", "field_type": field_type, **({"options": options} if options else {})}
        body, _ = call(spec, sb, "POST", "/v1/organizationFields", token=tokens["admin"], body=payload)
        assert len(body["data"]["key"]) == 40 and body["data"]["edit_flag"] is True
    call(
        spec,
        sb,
        "POST",
        "/v1/organizationFields",
        token=tokens["admin"],
        body={"name": "Bad", "field_type": "int"},
        expect=400,
    )
    call(
        spec,
        sb,
        "POST",
        "/v1/organizationFields",
        token=tokens["member"],
        body={"name": "Nope", "field_type": "double"},
        expect=403,
    )


def test_v1_relationships(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    seen_types = set()
    for org_id in range(1, 51):
        body, _ = call(
            spec, sb, "GET", "/v1/organizationRelationships", token=tokens["admin"], params={"org_id": org_id}
        )
        for rel in body["data"]:
            seen_types.add((rel["type"], rel["calculated_type"]))
            assert org_id in (rel["rel_owner_org_id"]["value"], rel["rel_linked_org_id"]["value"])
    assert ("parent", "daughter") in seen_types and ("parent", "parent") in seen_types
    call(spec, sb, "GET", "/v1/organizationRelationships", token=tokens["admin"], expect=400)
    call(spec, sb, "GET", "/v1/organizationRelationships", token=tokens["admin"], params={"org_id": 99999}, expect=404)


def test_v1_notes(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    notes = page_v1(spec, sb, "/v1/notes", tokens["admin"], {"limit": 7})
    assert len(notes) == len({n["id"] for n in notes}) > 20
    org_notes = page_v1(spec, sb, "/v1/notes", tokens["admin"], {"org_id": notes[0]["org_id"], "limit": 2})
    assert org_notes and all(n["org_id"] == notes[0]["org_id"] for n in org_notes)
    recent = page_v1(
        spec, sb, "/v1/notes", tokens["admin"], {"updated_since": "2025-01-01T00:00:00Z", "sort": "update_time DESC"}
    )
    assert all(n["update_time"] >= "2025-01-01" for n in recent)
    call(spec, sb, "GET", "/v1/notes", token=tokens["admin"], params={"updated_since": "yesterday"}, expect=400)
    call(spec, sb, "GET", "/v1/notes", token=tokens["admin"], params={"sort": "nope ASC"}, expect=400)


def test_v1_webhooks(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    hook = {
        "subscription_url": "https://example.invalid/hook",
        "event_action": "*",
        "event_object": "organization",
        "name": "Sync",
    }
    created, _ = call(spec, sb, "POST", "/v1/webhooks", token=tokens["admin"], body=hook, expect=201)
    assert created["data"]["type"] == "application"
    listed, _ = call(spec, sb, "GET", "/v1/webhooks", token=tokens["admin"])
    assert [h["id"] for h in listed["data"]] == [created["data"]["id"]]
    bad, _ = call(
        spec,
        sb,
        "POST",
        "/v1/webhooks",
        token=tokens["admin"],
        body={**hook, "subscription_url": "not a url"},
        expect=400,
    )
    assert "subscription_url" in bad["errors"]
    call(spec, sb, "DELETE", f"/v1/webhooks/{created['data']['id']}", token=tokens["admin"])
    call(spec, sb, "DELETE", f"/v1/webhooks/{created['data']['id']}", token=tokens["admin"], expect=404)
    call(spec, sb, "GET", "/v1/webhooks", expect=401)
    call(spec, sb, "GET", "/v1/webhooks", token=tokens["base_only"], expect=403)


# -- v2 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"limit": 7},
        {"limit": 500},
        {"limit": 9, "sort_by": "update_time", "sort_direction": "asc", "updated_since": "2024-06-01T00:00:00Z"},
        {"limit": 6, "sort_by": "update_time", "sort_direction": "desc", "updated_until": "2025-01-01T00:00:00Z"},
        {"limit": 8, "sort_by": "add_time", "sort_direction": "desc"},
        {
            "limit": 5,
            "custom_fields": "",
            "include_fields": "people_count,notes_count,activities_count,"
            "next_activity_id,last_activity_id,smart_bcc_email",
        },
        {"limit": 10, "include_option_labels": "true", "include_labels": "true"},
        {"limit": 3, "ids": "1,2,3,4,5,49,999"},
        {"limit": 10, "owner_id": BOB},
    ],
)
def test_v2_organizations_page(spec: Any, sb: SandboxHandle, tokens: dict[str, str], params: dict[str, Any]) -> None:
    orgs = page_v2(spec, sb, "/api/v2/organizations", tokens["admin"], params)
    ids = [o["id"] for o in orgs]
    assert len(ids) == len(set(ids)) and ids
    if params.get("sort_by") == "update_time":
        times = [o["update_time"] for o in orgs]
        assert times == sorted(times, reverse=params["sort_direction"] == "desc")
    if "ids" in params:
        assert ids == [1, 2, 3, 4, 5, 49]
    if "owner_id" in params:
        assert all(o["owner_id"] == BOB for o in orgs)


def test_v2_organizations_custom_fields_param(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    fields, _ = call(spec, sb, "GET", "/api/v2/organizationFields", token=tokens["admin"], params={"limit": 500})
    status = next(f for f in fields["data"] if f["field_name"] == "Account Status")
    orgs = page_v2(
        spec, sb, "/api/v2/organizations", tokens["admin"], {"limit": 500, "custom_fields": status["field_code"]}
    )
    assert all(list(o["custom_fields"]) == [status["field_code"]] for o in orgs)
    option_ids = {o["id"] for o in status["options"]}
    assert {o["custom_fields"][status["field_code"]] for o in orgs} - {None} <= option_ids


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 501},
        {"limit": 0},
        {"sort_by": "name"},
        {"sort_direction": "up"},
        {"cursor": "%%%"},
        {"updated_since": "2024-13-01"},
        {"include_fields": "bogus"},
        {"ids": "a,b"},
        {"custom_fields": ",".join(f"k{i}" for i in range(16))},
        {"include_option_labels": "yes"},
    ],
)
def test_v2_organizations_bad_params(
    spec: Any, sb: SandboxHandle, tokens: dict[str, str], params: dict[str, Any]
) -> None:
    call(spec, sb, "GET", "/api/v2/organizations", token=tokens["admin"], params=params, expect=400)


def test_v2_errors_auth_scope(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    call(spec, sb, "GET", "/api/v2/organizations", expect=401)
    call(spec, sb, "GET", "/api/v2/organizations", token=tokens["base_only"], expect=403)
    call(spec, sb, "GET", "/api/v2/persons", token=tokens["base_only"], expect=403)
    call(spec, sb, "GET", "/api/v2/activities", token=tokens["base_only"], expect=403)
    call(spec, sb, "GET", "/api/v2/organizations", api_token="0" * 40, expect=401)
    call(spec, sb, "GET", "/api/v2/organizations", api_token=tokens["api_token"], params={"limit": 2})


def test_v2_organization_get_patch(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    admin = tokens["admin"]
    fields, _ = call(spec, sb, "GET", "/api/v2/organizationFields", token=admin, params={"limit": 100})
    by_name = {f["field_name"]: f for f in fields["data"]}
    status_field, tier, health = by_name["Account Status"], by_name["Tier"], by_name["Health Score"]
    before, _ = call(
        spec,
        sb,
        "GET",
        "/api/v2/organizations/7",
        token=admin,
        params={"include_fields": "people_count", "include_option_labels": "true"},
    )
    sb.advance_clock(5)
    patch = {
        "custom_fields": {
            status_field["field_code"]: status_field["options"][6]["id"],
            tier["field_code"]: [tier["options"][0]["id"], tier["options"][3]["id"]],
            health["field_code"]: 72.5,
        },
        "name": "Renamed Org",
        "employee_count": 12,
    }
    after, _ = call(spec, sb, "PATCH", "/api/v2/organizations/7", token=admin, body=patch)
    assert after["data"]["update_time"] > before["data"]["update_time"]
    assert after["data"]["custom_fields"][tier["field_code"]] == [tier["options"][0]["id"], tier["options"][3]["id"]]
    for bad in (
        {status_field["field_code"]: "Churned"},
        {tier["field_code"]: tier["options"][0]["id"]},
        {tier["field_code"]: []},
        {health["field_code"]: "72.5"},
        {"0" * 40: 1},
        {status_field["field_code"]: 99999},
    ):
        call(spec, sb, "PATCH", "/api/v2/organizations/7", token=admin, body={"custom_fields": bad}, expect=400)
    call(spec, sb, "PATCH", "/api/v2/organizations/7", token=admin, body={"owner_id": "501"}, expect=400)
    call(spec, sb, "PATCH", "/api/v2/organizations/99999", token=admin, body={"name": "x"}, expect=404)
    call(spec, sb, "GET", "/api/v2/organizations/99999", token=admin, expect=404)
    call(spec, sb, "GET", "/api/v2/organizations/1", token=tokens["globex"])


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 500},
        {"limit": 13, "org_id": 3},
        {"limit": 40, "sort_by": "update_time", "updated_since": "2024-09-01T00:00:00Z"},
        {"limit": 11, "sort_direction": "desc", "include_fields": "activities_count,notes_count"},
        {"limit": 50, "include_option_labels": "true", "include_labels": "true"},
        {"deal_id": 1},
    ],
)
def test_v2_persons_page(spec: Any, sb: SandboxHandle, tokens: dict[str, str], params: dict[str, Any]) -> None:
    persons = page_v2(spec, sb, "/api/v2/persons", tokens["admin"], params)
    if "org_id" in params:
        assert persons and all(p["org_id"] == 3 for p in persons)
    if "deal_id" in params:
        assert persons == []


def test_v2_person_get(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    body, _ = call(spec, sb, "GET", "/api/v2/persons/1", token=tokens["admin"])
    assert body["data"]["emails"][0]["primary"] is True
    call(spec, sb, "GET", "/api/v2/persons/999999", token=tokens["admin"], expect=404)
    call(spec, sb, "GET", "/api/v2/persons", token=tokens["admin"], params={"org_id": "x"}, expect=400)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 10},
        {"limit": 3, "org_id": 2},
        {"limit": 10, "done": "true"},
        {"done": "false", "limit": 500},
        {"limit": 7, "sort_by": "due_date", "sort_direction": "desc", "include_fields": "attendees"},
        {"limit": 20, "sort_by": "update_time", "updated_since": "2024-01-01T00:00:00Z"},
    ],
)
def test_v2_activities_page(spec: Any, sb: SandboxHandle, tokens: dict[str, str], params: dict[str, Any]) -> None:
    activities = page_v2(spec, sb, "/api/v2/activities", tokens["admin"], params)
    if "done" in params:
        assert all(a["done"] is (params["done"] == "true") for a in activities)
    if "org_id" in params:
        assert all(a["org_id"] == 2 for a in activities)
    call(spec, sb, "GET", "/api/v2/activities", token=tokens["admin"], params={"done": "maybe"}, expect=400)


def test_v2_fields(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    admin = tokens["admin"]
    fields = page_v2(
        spec,
        sb,
        "/api/v2/organizationFields",
        admin,
        {"limit": 4, "include_fields": "ui_visibility,important_fields,required_fields"},
    )
    assert any(f["field_type"] == "set" and f["field_name"] == "Tier" for f in fields)
    page_v2(spec, sb, "/api/v2/personFields", admin, {"limit": 5})
    created, _ = call(
        spec,
        sb,
        "POST",
        "/api/v2/organizationFields",
        token=admin,
        body={
            "field_name": "Sentiment",
            "field_type": "enum",
            "options": [{"label": "Positive"}, {"label": "Negative"}],
        },
    )
    code = created["data"]["field_code"]
    assert all(isinstance(o["id"], int) for o in created["data"]["options"])
    call(spec, sb, "GET", f"/api/v2/organizationFields/{code}", token=admin)
    call(spec, sb, "POST", f"/api/v2/organizationFields/{code}/options", token=admin, body=[{"label": "Neutral"}])
    call(spec, sb, "GET", "/api/v2/organizationFields/nope", token=admin, expect=404)
    call(
        spec,
        sb,
        "POST",
        "/api/v2/organizationFields",
        token=admin,
        body={"field_name": "X", "field_type": "enum"},
        expect=400,
    )
    call(
        spec,
        sb,
        "POST",
        "/api/v2/organizationFields",
        token=tokens["member"],
        body={"field_name": "Score", "field_type": "double"},
        expect=403,
    )
    call(
        spec,
        sb,
        "POST",
        "/api/v2/organizationFields",
        token=tokens["base_only"],
        body={"field_name": "Score", "field_type": "double"},
        expect=403,
    )


def test_v2_delete_org_leaves_lists(spec: Any, tokens: dict[str, str]) -> None:
    with running_sandbox() as fresh:
        token = fresh.mint_token(ACME, ALICE)["access_token"]
        call(spec, fresh, "DELETE", "/api/v2/organizations/5", token=token)
        ids = [o["id"] for o in page_v2(spec, fresh, "/api/v2/organizations", token, {"limit": 500})]
        assert 5 not in ids and len(ids) == 49
        call(spec, fresh, "GET", "/api/v2/organizations/5", token=token, expect=404)


def test_rate_limit_responses_conform(spec: Any) -> None:
    with running_sandbox(burst_limit=2) as small:
        token = small.mint_token(ACME, ALICE)["access_token"]
        for _ in range(2):
            call(spec, small, "GET", "/api/v2/organizations", token=token)
        body, headers = call(spec, small, "GET", "/api/v2/organizations", token=token, expect=429)
        assert headers["x-ratelimit-remaining"] == "0"


def test_token_responses_conform(spec: Any, sb: SandboxHandle) -> None:
    minted = sb.mint_token(ACME, ALICE)
    spec.validate_oauth_token("/oauth/token", 200, minted)
    status, _, refreshed = sb.request(
        "POST",
        "/oauth/token/",
        data=f"grant_type=refresh_token&refresh_token={minted['refresh_token']}".encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "Basic " + base64.b64encode(b"staircase-dev:staircase-dev-secret").decode(),
        },
    )
    assert status == 200
    spec.validate_oauth_token("/oauth/token/", 200, refreshed)
    assert isinstance(refreshed["expires_in"], int) and refreshed["token_type"] == "Bearer"


# -- regressions from the independent spec-conformance run ------------------------------
def test_api_key_header_authenticates(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    # SPEC securitySchemes.api_key is the header ``x-api-token`` (not only ``?api_token=``).
    for path in ("/api/v2/organizations", "/v1/users/me"):
        status, headers, body = sb.request("GET", path, headers={"x-api-token": tokens["api_token"]})
        assert status == 200, body
        spec.validate("GET", path, None, status, body)
        assert "x-daily-ratelimit-token-remaining" in headers
    status, _, body = sb.request("GET", "/api/v2/organizations", headers={"x-api-token": "0" * 40})
    assert status == 401
    spec.validate("GET", "/api/v2/organizations", None, status, body)


def test_v1_notes_lead_and_pin_filters_match_nothing(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    # The sandbox has no leads, deals, projects or tasks: such filters must not return every note.
    for params in (
        {"lead_id": "adf21080-0e10-11eb-879b-05d71fb426ec"},
        {"pinned_to_deal_flag": 1},
        {"pinned_to_lead_flag": 1},
        {"pinned_to_project_flag": 1},
        {"pinned_to_task_flag": 1},
    ):
        body, _ = call(spec, sb, "GET", "/v1/notes", token=tokens["admin"], params=params)
        assert body["data"] == [], params
    everything, _ = call(spec, sb, "GET", "/v1/notes", token=tokens["admin"], params={"limit": 500})
    unpinned, _ = call(
        spec, sb, "GET", "/v1/notes", token=tokens["admin"], params={"limit": 500, "pinned_to_deal_flag": 0}
    )
    assert len(unpinned["data"]) == len(everything["data"])
    call(spec, sb, "GET", "/v1/notes", token=tokens["admin"], params={"pinned_to_person_flag": 2}, expect=400)


def test_v1_webhook_rejects_non_string_auth_and_foreign_user(
    spec: Any, sb: SandboxHandle, tokens: dict[str, str]
) -> None:
    hook = {
        "subscription_url": "https://example.invalid/hook",
        "event_action": "*",
        "event_object": "*",
        "name": "Typed",
    }
    for extra in ({"http_auth_user": 5}, {"http_auth_password": ["x"]}, {"user_id": 503}):
        bad, _ = call(spec, sb, "POST", "/v1/webhooks", token=tokens["admin"], body={**hook, **extra}, expect=400)
        assert set(extra) <= set(bad["errors"])
    listed, _ = call(spec, sb, "GET", "/v1/webhooks", token=tokens["admin"])
    assert all(h["http_auth_user"] is None or isinstance(h["http_auth_user"], str) for h in listed["data"])


def test_v2_field_create_settings_and_defaults(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    admin = tokens["admin"]
    plain, _ = call(
        spec,
        sb,
        "POST",
        "/api/v2/organizationFields",
        token=admin,
        body={"field_name": "Plain score", "field_type": "double"},
    )
    # SPEC v2 defaults: add_visible_flag false, details_visible_flag true, not required or important.
    assert plain["data"]["ui_visibility"]["add_visible_flag"] is False
    assert plain["data"]["ui_visibility"]["details_visible_flag"] is True
    assert plain["data"]["required_fields"] == {"enabled": False}
    assert plain["data"]["important_fields"] == {"enabled": False, "stage_ids": []}
    settings = {
        "ui_visibility": {
            "add_visible_flag": True,
            "details_visible_flag": False,
            "show_in_add_person_dialog": {"show": True, "order": 2},
        },
        "required_fields": {"enabled": True},
        "important_fields": {"enabled": True, "stage_ids": [3]},
    }
    made, _ = call(
        spec,
        sb,
        "POST",
        "/api/v2/organizationFields",
        token=admin,
        body={"field_name": "Set score", "field_type": "double", **settings},
    )
    data = made["data"]
    assert data["ui_visibility"]["add_visible_flag"] is True and data["ui_visibility"]["details_visible_flag"] is False
    assert data["ui_visibility"]["show_in_add_person_dialog"] == {"show": True, "order": 2}
    assert data["required_fields"] == {"enabled": True}
    assert data["important_fields"] == {"enabled": True, "stage_ids": [3]}
    again, _ = call(
        spec,
        sb,
        "GET",
        f"/api/v2/organizationFields/{data['field_code']}",
        token=admin,
        params={"include_fields": "ui_visibility,important_fields,required_fields"},
    )
    assert again["data"] == data
    v1 = {f["key"]: f for f in page_v1(spec, sb, "/v1/organizationFields", admin, {"limit": 500})}
    assert v1[data["field_code"]]["mandatory_flag"] is True and v1[data["field_code"]]["add_visible_flag"] is True
    for bad in (
        {"ui_visibility": {"add_visible_flag": "yes"}},
        {"required_fields": []},
        {"important_fields": {"stage_ids": ["a"]}},
        {"field_type": "enum", "options": [{"label": "x" * 256}]},
    ):
        call(
            spec,
            sb,
            "POST",
            "/api/v2/organizationFields",
            token=admin,
            body={"field_name": "Bad", "field_type": "double", **bad},
            expect=400,
        )
    hidden, _ = call(
        spec,
        sb,
        "POST",
        "/v1/organizationFields",
        token=admin,
        body={"name": "Hidden v1", "field_type": "varchar", "add_visible_flag": False},
    )
    shown, _ = call(
        spec, sb, "POST", "/v1/organizationFields", token=admin, body={"name": "Shown v1", "field_type": "varchar"}
    )
    assert hidden["data"]["add_visible_flag"] is False and shown["data"]["add_visible_flag"] is True  # v1 default


def test_v2_person_field_ui_visibility_has_person_shape(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    body, _ = call(
        spec, sb, "GET", "/api/v2/personFields", token=tokens["admin"], params={"include_fields": "ui_visibility"}
    )
    for field in body["data"]:  # SPEC v2 personFields: no org/person/deal detail flags
        assert set(field["ui_visibility"]) == {"add_visible_flag", "details_visible_flag", "show_in_add_deal_dialog"}


def test_v2_patch_rejects_impossible_dates_and_times(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    admin = tokens["admin"]
    fields = {f["field_name"]: f["field_code"] for f in page_v2(spec, sb, "/api/v2/organizationFields", admin, {})}
    time_field, _ = call(
        spec,
        sb,
        "POST",
        "/api/v2/organizationFields",
        token=admin,
        body={"field_name": "Call slot", "field_type": "time"},
    )
    before, _ = call(spec, sb, "GET", "/api/v2/organizations/2", token=admin)
    for custom in (
        {fields["Renewal Date"]: "2026-02-30"},
        {fields["Renewal Date"]: "2026-13-01"},
        {time_field["data"]["field_code"]: "25:61:00"},
    ):
        call(spec, sb, "PATCH", "/api/v2/organizations/2", token=admin, body={"custom_fields": custom}, expect=400)
    after, _ = call(spec, sb, "GET", "/api/v2/organizations/2", token=admin)
    assert after == before
    call(
        spec,
        sb,
        "PATCH",
        "/api/v2/organizations/2",
        token=admin,
        body={"custom_fields": {fields["Renewal Date"]: "2028-02-29", time_field["data"]["field_code"]: "23:59:00"}},
    )


def test_v2_person_counters_match_linked_records(spec: Any, sb: SandboxHandle, tokens: dict[str, str]) -> None:
    admin = tokens["admin"]
    activities = page_v2(spec, sb, "/api/v2/activities", admin, {"limit": 500})
    notes = page_v1(spec, sb, "/v1/notes", admin, {"limit": 500})
    person_ids = sorted({a["person_id"] for a in activities if a.get("person_id")})[:10]
    person_ids += sorted({n["person_id"] for n in notes if n.get("person_id")})[:5]
    counters = "activities_count,done_activities_count,undone_activities_count,notes_count,last_activity_id"
    for person_id in person_ids:
        body, _ = call(
            spec, sb, "GET", f"/api/v2/persons/{person_id}", token=admin, params={"include_fields": counters}
        )
        mine = [a for a in activities if a.get("person_id") == person_id]
        listed, _ = call(spec, sb, "GET", "/api/v2/activities", token=admin, params={"person_id": person_id})
        assert sorted(a["id"] for a in listed["data"]) == sorted(a["id"] for a in mine)
        data = body["data"]
        assert data["activities_count"] == len(mine)
        assert data["done_activities_count"] == sum(a["done"] for a in mine)
        assert data["undone_activities_count"] == sum(not a["done"] for a in mine)
        assert data["notes_count"] == sum(1 for n in notes if n.get("person_id") == person_id)
        done = [a["id"] for a in mine if a["done"]]
        assert data["last_activity_id"] in done if done else data["last_activity_id"] is None
