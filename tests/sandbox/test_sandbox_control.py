"""The control API, incremental listing, the CLI and the HTTP layer."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ACME, GLOBEX = 7001, 7002
ALICE, BOB = 501, 502
REPO = Path(__file__).resolve().parents[2]


def all_orgs(sb: Any, token: str, **params: Any) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        query = {"limit": 500, **params, **({"cursor": cursor} if cursor else {})}
        status, _, body = sb.api("GET", "/api/v2/organizations", token=token, params=query)
        assert status == 200, body
        items += body["data"]
        cursor = body["additional_data"].get("next_cursor")
        if not cursor:
            return items


def test_companies_lists_users_admin_flags_and_api_tokens(sandbox: Any) -> None:
    companies = {c["id"]: c for c in sandbox.companies()}
    assert companies[ACME]["counts"]["organizations"] == 50
    users = {u["id"]: u for u in companies[ACME]["users"]}
    assert users[ALICE]["is_admin"] is True and users[BOB]["is_admin"] is False
    assert re.fullmatch(r"[0-9a-f]{40}", users[ALICE]["api_token"])


def test_mutations_and_incremental_listing(sandbox: Any, admin_token: str) -> None:
    sandbox.advance_clock(60)
    mark = sandbox.control("GET", "clock")["now"]
    results = sandbox.mutate(
        ACME,
        [
            {
                "op": "create_org",
                "name": "Fresh Customer Ltd",
                "fields": {"Account Status": "Active", "Tier": ["Tier 1"]},
            },
            {"op": "set_org_field", "id": 3, "field": "Account Status", "value": "Churned"},
            {"op": "delete_org", "id": 4},
            {"op": "create_person", "name": "Nia New", "org_id": 3, "emails": ["nia@fresh.example"]},
            {"op": "add_relationship", "type": "parent", "parent_org_id": 3, "child_org_id": 2},
            {"op": "create_note", "org_id": 3, "content": "Great call, they love it."},
            {"op": "create_activity", "org_id": 3, "subject": "Kickoff", "done": True},
        ],
    )
    new_org = results[0]["id"]
    assert new_org == 51 and [r["op"] for r in results][1] == "set_org_field"
    changed = all_orgs(sandbox, admin_token, updated_since=mark, sort_by="update_time")
    assert sorted(o["id"] for o in changed) == [3, new_org]
    ids = {o["id"] for o in all_orgs(sandbox, admin_token)}
    assert 4 not in ids and new_org in ids and len(ids) == 50
    status, _, body = sandbox.api("GET", "/v1/organizationRelationships", token=admin_token, params={"org_id": 2})
    assert any(r["rel_owner_org_id"]["value"] == 3 and r["calculated_type"] == "parent" for r in body["data"])
    status, _, persons = sandbox.api("GET", "/api/v2/persons", token=admin_token, params={"org_id": 3, "limit": 500})
    assert "nia@fresh.example" in [e["value"] for p in persons["data"] for e in p["emails"]]
    status, _, body = sandbox.request(
        "POST",
        "/_sandbox/mutate",
        json_body={
            "company_id": ACME,
            "operations": [{"op": "set_org_field", "id": 3, "field": "Account Status", "value": "Nope"}],
        },
    )
    assert status == 400 and "operations[0]" in body["error"]


def test_reset_restores_data_and_clears_tokens(sandbox: Any, admin_token: str) -> None:
    sandbox.mutate(ACME, [{"op": "delete_org", "id": 1}])
    sandbox.set_fault(path="/api/v2/organizations", count=None, status=500)
    sandbox.reset()
    assert sandbox.api("GET", "/v1/users/me", token=admin_token)[0] == 401
    token = sandbox.mint_token(ACME, ALICE)["access_token"]
    assert len(all_orgs(sandbox, token)) == 50
    assert sandbox.faults() == [] and sandbox.stats()["companies"][str(ACME)]["calls"] == 1


def test_stats_by_company_and_reset_flag(sandbox: Any, admin_token: str) -> None:
    globex = sandbox.mint_token(GLOBEX, ALICE)["access_token"]
    sandbox.api("GET", "/api/v2/organizations", token=admin_token)
    sandbox.api("GET", "/api/v2/organizations", token=globex)
    sandbox.api("GET", "/api/v2/organizations")
    stats = sandbox.stats(reset=True)
    assert stats["companies"][str(ACME)]["endpoints"]["GET /api/v2/organizations"]["calls"] == 1
    assert stats["companies"][str(GLOBEX)]["cost"] == 10
    assert stats["unauthenticated"]["GET /api/v2/organizations"]["statuses"] == {"401": 1}
    assert sandbox.stats()["companies"] == {}


def test_keep_alive_and_content_length(sandbox: Any, admin_token: str) -> None:
    parts = urlsplit(sandbox.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    sockets = set()
    try:
        for path in ("/v1/users/me", "/api/v2/organizations?limit=3", "/nope", "/_sandbox/health"):
            conn.request("GET", path, headers={"Authorization": f"Bearer {admin_token}"})
            sockets.add(id(conn.sock))
            resp = conn.getresponse()
            body = resp.read()
            assert resp.version == 11 and int(resp.getheader("Content-Length")) == len(body)
            if path == "/nope":
                assert resp.status == 404 and json.loads(body)["success"] is False
    finally:
        conn.close()
    assert len(sockets) == 1


def test_unknown_method_is_405_in_the_envelope(sandbox: Any, admin_token: str) -> None:
    status, _, body = sandbox.api("PUT", "/api/v2/organizations", token=admin_token)
    assert status == 405 and body["success"] is False


def test_cli_starts_and_serves() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            "0",
            "--orgs",
            "12",
            "--seed",
            "5",
            "--client-id",
            "cli-app",
            "--client-secret",
            "cli-secret",
            "--redirect-uri",
            "http://127.0.0.1:1/cb",
            "--scopes",
            "base,contacts:read",
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url, line
        parts = urlsplit(url.group(0))
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        conn.request("POST", "/_sandbox/tokens", body=json.dumps({"company_id": ACME, "user_id": ALICE}))
        tokens = json.loads(conn.getresponse().read())
        assert tokens["scope"] == "base,contacts:read" and tokens["api_domain"] == url.group(0)
        conn.request(
            "GET", "/api/v2/organizations?limit=500", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert len(json.loads(conn.getresponse().read())["data"]) == 12
        conn.close()
    finally:
        process.terminate()
        started = time.monotonic()
        process.wait(timeout=10)
        assert time.monotonic() - started < 10


def test_webhooks_are_delivered_for_changes(make_sandbox: Any) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[tuple[str | None, dict[str, Any]]] = []
    arrived = threading.Event()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("Authorization"), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            arrived.set()

        def log_message(self, *args: Any) -> None:
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        sb = make_sandbox()
        token = sb.mint_token(ACME, ALICE)["access_token"]
        hook = {
            "subscription_url": f"http://127.0.0.1:{receiver.server_address[1]}/hooks",
            "event_action": "change",
            "event_object": "organization",
            "name": "orgs",
            "http_auth_user": "u",
            "http_auth_password": "p",
        }
        assert sb.api("POST", "/v1/webhooks", token=token, json_body=hook)[0] == 201
        sb.mutate(
            ACME,
            [
                {"op": "set_org_field", "id": 2, "field": "Account Status", "value": "Churned"},
                {"op": "create_person", "name": "Not Org", "org_id": 2},
            ],
        )
        assert arrived.wait(5)
    finally:
        receiver.shutdown()
        receiver.server_close()
    auth, payload = received[0]
    assert auth == "Basic dTpw" and len(received) == 1
    assert payload["meta"]["action"] == "change" and payload["meta"]["entity"] == "organization"
    assert payload["meta"]["entity_id"] == "2" and payload["data"]["id"] == 2 and payload["meta"]["version"] == "2.0"


def test_clients_can_be_changed_at_run_time(sandbox: Any) -> None:
    sandbox.control("POST", "clients", {"client_id": "staircase-dev", "scopes": ["contacts:read"]})
    tokens = sandbox.mint_token(ACME, ALICE)
    assert tokens["scope"] == "base,contacts:read"
    assert sandbox.api("POST", "/v1/webhooks", token=tokens["access_token"], json_body={})[0] == 403
