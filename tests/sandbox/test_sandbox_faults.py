"""Fault injection: statuses, delays, time-outs, malformed JSON and connection resets."""

from __future__ import annotations

import http.client
import json
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import pytest

ACME, ALICE = 7001, 501
ORGS = "/api/v2/organizations"


@pytest.fixture
def setup(make_sandbox: Any) -> tuple[Any, str]:
    sb = make_sandbox()
    return sb, sb.mint_token(ACME, ALICE)["access_token"]


def statuses(sb: Any, token: str, n: int, path: str = ORGS) -> list[int]:
    return [sb.api("GET", path, token=token)[0] for _ in range(n)]


def test_status_on_nth_page(setup: tuple[Any, str]) -> None:
    sb, token = setup
    rule = sb.set_fault(path=ORGS, method="GET", on_call=2, status=503)
    assert statuses(sb, token, 3) == [200, 503, 200]
    described = sb.faults()[0]
    assert rule["after"] == 1 and (described["seen"], described["fired"]) == (2, 1)  # exhausted rules stop counting
    status, _, body = sb.api("GET", ORGS, token=token)
    assert status == 200


def test_after_and_count_and_template_match(setup: tuple[Any, str]) -> None:
    sb, token = setup
    sb.set_fault(path="/api/v2/organizations/{id}", after=1, count=2, status=500)
    codes = [sb.api("GET", f"{ORGS}/{i}", token=token)[0] for i in (1, 2, 3, 4)]
    assert codes == [200, 500, 500, 200]
    _, _, body = sb.api("GET", ORGS, token=token)
    assert body["success"] is True  # the list route is another template


def test_forever_by_prefix_and_clear(setup: tuple[Any, str]) -> None:
    sb, token = setup
    sb.set_fault(prefix="/api/v2/", count=None, status=429)
    status, headers, body = sb.api("GET", "/api/v2/persons", token=token)
    assert status == 429 and headers["x-ratelimit-remaining"] == "0" and body["success"] is False
    assert sb.api("GET", "/v1/users/me", token=token)[0] == 200
    assert statuses(sb, token, 2) == [429, 429]
    sb.clear_faults()
    assert statuses(sb, token, 1) == [200]


def test_probability_is_seeded(make_sandbox: Any) -> None:
    runs = []
    for _ in range(2):
        sb = make_sandbox()
        token = sb.mint_token(ACME, ALICE)["access_token"]
        sb.set_fault(path=ORGS, probability=0.5, count=None, seed=7, status=502)
        runs.append(statuses(sb, token, 12))
    assert runs[0] == runs[1] and {200, 502} == set(runs[0])


def test_delay(setup: tuple[Any, str]) -> None:
    sb, token = setup
    sb.set_fault(path=ORGS, action="delay", seconds=0.4)
    started = time.monotonic()
    assert sb.api("GET", ORGS, token=token)[0] == 200
    assert time.monotonic() - started >= 0.4


def test_timeout(setup: tuple[Any, str]) -> None:
    sb, token = setup
    sb.set_fault(path=ORGS, action="timeout", seconds=1.5)
    with pytest.raises((socket.timeout, TimeoutError)):
        sb.api("GET", ORGS, token=token, timeout=0.3)
    assert sb.api("GET", ORGS, token=token)[0] == 200


def _raw(sb: Any, token: str, path: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(sb.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_malformed_json(setup: tuple[Any, str]) -> None:
    sb, token = setup
    sb.set_fault(path=ORGS, action="malformed_json")
    status, headers, raw = _raw(sb, token, ORGS + "?limit=5")
    assert status == 200 and headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(raw)
    with pytest.raises(ValueError):
        json.loads(raw)
    assert json.loads(_raw(sb, token, ORGS)[2])["success"] is True


def test_connection_reset(setup: tuple[Any, str]) -> None:
    sb, token = setup
    sb.set_fault(path=ORGS, action="reset")
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected, ConnectionAbortedError)):
        _raw(sb, token, ORGS)
    assert _raw(sb, token, ORGS)[0] == 200


def test_fault_on_oauth_token_endpoint(setup: tuple[Any, str]) -> None:
    sb, _ = setup
    sb.set_fault(path="/oauth/token", method="POST", status=503)
    status, _, _ = sb.request(
        "POST",
        "/oauth/token",
        data=b"grant_type=refresh_token",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 503
    assert sb.stats()["oauth"]["POST /oauth/token"]["statuses"] == {"503": 1}


def test_bad_rules_are_refused(setup: tuple[Any, str]) -> None:
    sb, _ = setup
    for rule in (
        {"action": "explode", "path": ORGS},
        {"status": 503},
        {"path": ORGS, "probability": 2},
        {"path": ORGS, "on_call": 0},
    ):
        assert sb.request("POST", "/_sandbox/faults", json_body=rule)[0] == 400
