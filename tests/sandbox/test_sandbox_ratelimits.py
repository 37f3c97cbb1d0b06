"""Token-cost accounting, the daily budget and the burst window (NOTES §7)."""

from __future__ import annotations

from typing import Any

ACME, GLOBEX = 7001, 7002
ALICE = 501


def test_headers_on_every_api_response(make_sandbox: Any) -> None:
    sb = make_sandbox()
    token = sb.mint_token(ACME, ALICE)["access_token"]
    _, first, _ = sb.api("GET", "/api/v2/organizations", token=token)
    _, second, _ = sb.api("GET", "/v1/users/me", token=token)
    for headers in (first, second):
        for name in (
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-daily-ratelimit-token-limit",
            "x-daily-ratelimit-token-remaining",
        ):
            assert headers[name].isdigit(), name
    assert int(second["x-ratelimit-remaining"]) == int(first["x-ratelimit-remaining"]) - 1
    # 30,000 x growth multiplier 2 x 2 seats; GET orgs costs 10, users/me 2.
    assert first["x-daily-ratelimit-token-limit"] == "120000"
    assert int(first["x-daily-ratelimit-token-remaining"]) - int(second["x-daily-ratelimit-token-remaining"]) == 2


def test_costs_follow_x_token_cost(make_sandbox: Any) -> None:
    sb = make_sandbox()
    # The app's default scopes plus products:read, which productFields needs.
    scopes = ["contacts:full", "activities:read", "contact-fields:full", "admin", "products:read"]
    token = sb.mint_token(ACME, ALICE, scopes=scopes)["access_token"]
    calls = [
        ("GET", "/api/v2/organizations", 10),
        ("GET", "/api/v2/organizations/1", 1),
        ("GET", "/v1/organizationRelationships?org_id=1", 20),
        ("GET", "/v1/users/me", 2),
        ("GET", "/v1/notes", 20),
        ("GET", "/api/v2/persons", 10),
        ("GET", "/api/v2/activities", 10),
        ("GET", "/v1/organizationFields", 20),
        ("GET", "/v1/personFields", 20),
        ("GET", "/v1/dealFields", 20),
        ("GET", "/v1/productFields", 20),
        ("GET", "/v1/activityFields", 20),
        ("GET", "/v1/noteFields", 20),
        ("GET", "/api/v2/organizationFields", 10),
    ]
    for method, path, _ in calls:
        assert sb.api(method, path, token=token)[0] == 200
    assert sb.api("PATCH", "/api/v2/organizations/1", token=token, json_body={"name": "New"})[0] == 200
    stats = sb.stats()["companies"][str(ACME)]
    for method, path, cost in calls:
        template = path.split("?")[0].replace("/organizations/1", "/organizations/{id}")
        assert stats["endpoints"][f"{method} {template}"]["cost"] == cost
    assert stats["endpoints"]["PATCH /api/v2/organizations/{id}"] == {"calls": 1, "cost": 5, "statuses": {"200": 1}}
    assert stats["cost"] == sum(c for *_, c in calls) + 5
    assert sb.stats()["daily_tokens_spent"][str(ACME)] == stats["cost"]


def test_daily_budget_exhaustion_and_midnight_reset(make_sandbox: Any) -> None:
    sb = make_sandbox(daily_budget=25)
    token = sb.mint_token(ACME, ALICE)["access_token"]
    statuses = [sb.api("GET", "/api/v2/organizations", token=token)[0] for _ in range(3)]
    assert statuses == [200, 200, 200]  # 10 + 10 + the last 5 tokens (overdraw clamps to 0)
    status, headers, body = sb.api("GET", "/v1/users/me", token=token)
    assert status == 429 and headers["x-daily-ratelimit-token-remaining"] == "0"
    assert body["success"] is False and body["data"] is None and "retry-after" not in headers
    # Another company's budget is its own.
    other = sb.mint_token(GLOBEX, ALICE)["access_token"]
    assert sb.api("GET", "/v1/users/me", token=other)[0] == 200
    now = sb.control("GET", "clock")["now"]
    seconds_to_midnight = 86_400 - sum(int(x) * m for x, m in zip(now[11:19].split(":"), (3600, 60, 1), strict=True))
    sb.advance_clock(seconds_to_midnight + 1)
    status, headers, _ = sb.api("GET", "/v1/users/me", api_token=sb.api_token(ACME, ALICE))
    assert status == 200 and headers["x-daily-ratelimit-token-remaining"] == "23"


def test_burst_window(make_sandbox: Any) -> None:
    sb = make_sandbox(burst_limit=3)
    token = sb.mint_token(ACME, ALICE)["access_token"]
    results = [sb.api("GET", "/v1/users/me", token=token) for _ in range(4)]
    assert [r[0] for r in results] == [200, 200, 200, 429]
    status, headers, body = results[-1]
    assert headers["x-ratelimit-remaining"] == "0" and int(headers["x-ratelimit-reset"]) in (1, 2)
    assert "retry-after" not in headers and body["error"] == "Request over limit"
    # The window is per token: a second token of the same user is not limited.
    assert sb.api("GET", "/v1/users/me", token=sb.mint_token(ACME, ALICE)["access_token"])[0] == 200
    sb.advance_clock(2.1)
    assert sb.api("GET", "/v1/users/me", token=token)[0] == 200
    # Refused calls are not charged.
    assert sb.stats()["companies"][str(ACME)]["endpoints"]["GET /v1/users/me"]["statuses"]["429"] == 1


def test_api_token_calls_are_limited_too(make_sandbox: Any) -> None:
    sb = make_sandbox(burst_limit=1)
    api_token = sb.api_token(ACME, ALICE)
    assert [sb.api("GET", "/v1/users/me", api_token=api_token)[0] for _ in range(2)] == [200, 429]
