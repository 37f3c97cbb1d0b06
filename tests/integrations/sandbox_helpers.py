"""Helpers that act as a person in the sandbox's OAuth pages. The `sandbox` fixture is in tests/conftest.py."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import requests

ACME, GLOBEX = 7001, 7002
ALICE, BOB, CARLA = 501, 502, 503  # Alice: admin of both companies; Bob: not an admin


FLOW = re.compile(r'name="flow" value="([^"]+)"')


def consent(authorize_url: str, *, user_id: int, company_id: int, decision: str = "allow") -> str:
    """Walk the sandbox's sign-in → Choose account → consent pages; return where it redirects."""
    session = requests.Session()
    page = session.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    base = f"{urlsplit(authorize_url).scheme}://{urlsplit(authorize_url).netloc}"
    flow = FLOW.search(page.text).group(1)
    page = session.post(f"{base}/oauth/authorize/login", data={"flow": flow, "user_id": user_id}, timeout=10)
    flow = FLOW.search(page.text).group(1)
    page = session.post(f"{base}/oauth/authorize/account", data={"flow": flow, "company_id": company_id}, timeout=10)
    flow = FLOW.search(page.text).group(1)
    done = session.post(
        f"{base}/oauth/authorize/decision", data={"flow": flow, "decision": decision}, allow_redirects=False, timeout=10
    )
    assert done.status_code == 302, done.text
    return done.headers["Location"]


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def sandbox_calls(sb, company_id: int, key: str) -> int:
    endpoints = sb.stats()["companies"].get(str(company_id), {}).get("endpoints", {})
    return endpoints.get(key, {}).get("calls", 0)


def connected(sb, tenant, *, company_id: int = ACME, user_id: int = ALICE, user=None):
    """A live Connection of `tenant` to a sandbox company, with tokens minted headlessly."""
    from datetime import timedelta

    from django.utils import timezone

    from integrations.models import Connection

    tokens = sb.mint_token(company_id=company_id, user_id=user_id)
    company = next(c for c in sb.companies() if c["id"] == company_id)
    return Connection.objects.create(
        tenant=tenant,
        company_id=company_id,
        company_name=company["name"],
        company_domain=company.get("domain", ""),
        api_domain=tokens["api_domain"],
        external_user_id=user_id,
        scopes=tokens["scope"],
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_at=timezone.now() + timedelta(seconds=tokens["expires_in"]),
        connected_by=user,
    )


def status_field(sb, connection) -> tuple[str, dict[str, int]]:
    """(field key, option label → id) of the company's "Account Status" field."""
    from integrations.pipedrive.client import PipedriveClient

    fields = PipedriveClient.for_connection(connection).organization_fields()
    field = next(f for f in fields if f["field_name"] == "Account Status")
    return field["field_code"], {o["label"]: o["id"] for o in field["options"]}
