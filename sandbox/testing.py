"""Run the sandbox in-process for tests: ``with running_sandbox(...) as sb:``.

::

    from sandbox.testing import running_sandbox

    with running_sandbox(orgs=120, persons_per_org=3, burst_limit=50) as sb:
        token = sb.mint_token(company_id=7001, user_id=501)["access_token"]
        status, headers, body = sb.api("GET", "/api/v2/organizations", token=token, params={"limit": 500})
        sb.set_fault(path="/api/v2/organizations", on_call=2, status=503)
        sb.advance_clock(3600)
        sb.mutate(7001, [{"op": "set_org_field", "id": 3, "field": "Account Status", "value": "Churned"}])
        assert sb.stats()["companies"]["7001"]["endpoints"]["GET /api/v2/organizations"]["calls"] == 1

Only the standard library is used, so any test package can reuse it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sandbox.config import SandboxConfig
from sandbox.fixture import load_fixture
from sandbox.generator import generate_world
from sandbox.server import SandboxServer, world_factory_for
from sandbox.store import World

__all__ = ["running_sandbox", "SandboxHandle", "ApiResult"]

ApiResult = tuple[int, dict[str, str], Any]


class SandboxHandle:
    """A running sandbox plus small helpers for its control API and its Pipedrive API."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def app(self) -> Any:
        return self.server.app

    @property
    def config(self) -> SandboxConfig:
        return self.server.config

    # -- raw HTTP ---------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> ApiResult:
        """One HTTP call; returns ``(status, headers, parsed JSON or text)``; never raises on 4xx/5xx."""
        url = self.url + path
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
        hdrs = dict(headers or {})
        body = data
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(url, data=body, headers=hdrs, method=method)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(req, timeout=timeout) as resp:
                return resp.status, _lower(resp.headers), _decode(resp.read(), resp.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, _lower(exc.headers), _decode(exc.read(), exc.headers)

    def api(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        api_token: str | None = None,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        timeout: float = 10.0,
    ) -> ApiResult:
        """Call the Pipedrive API with a Bearer token or a personal ``api_token``."""
        params = dict(params or {})
        if api_token:
            params["api_token"] = api_token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.request(method, path, params=params, json_body=json_body, headers=headers, timeout=timeout)

    def control(self, method: str, path: str, payload: Any = None) -> Any:
        """Call ``/_sandbox/<path>``; raises ``AssertionError`` unless it answers 2xx."""
        status, _, body = self.request(method, "/_sandbox/" + path.lstrip("/"), json_body=payload)
        if not 200 <= status < 300:
            raise AssertionError(f"control {method} {path} -> {status}: {body}")
        return body

    # -- control shortcuts ------------------------------------------------------------
    def companies(self) -> list[dict[str, Any]]:
        return self.control("GET", "companies")["companies"]

    def api_token(self, company_id: int, user_id: int) -> str:
        for company in self.companies():
            for user in company["users"]:
                if company["id"] == company_id and user["id"] == user_id:
                    return user["api_token"]
        raise KeyError((company_id, user_id))

    def mint_token(
        self, company_id: int, user_id: int, *, client_id: str | None = None, scopes: list[str] | None = None
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"company_id": company_id, "user_id": user_id}
        if client_id:
            payload["client_id"] = client_id
        if scopes is not None:
            payload["scopes"] = scopes
        return self.control("POST", "tokens", payload)

    def set_fault(self, **rule: Any) -> dict[str, Any]:
        return self.control("POST", "faults", rule)["rules"][0]

    def faults(self) -> list[dict[str, Any]]:
        return self.control("GET", "faults")["rules"]

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self.control("POST", "clock", {"seconds": seconds})

    def stats(self, *, reset: bool = False) -> dict[str, Any]:
        return self.control("GET", "stats?reset=1" if reset else "stats")

    def reset_stats(self) -> None:
        self.control("POST", "stats/reset")

    def reset(self, *, keep_tokens: bool = False) -> None:
        self.control("POST", "reset", {"keep_tokens": keep_tokens})

    def mutate(self, company_id: int, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.control("POST", "mutate", {"company_id": company_id, "operations": operations})["results"]

    def uninstall(self, company_id: int, user_id: int) -> dict[str, Any]:
        return self.control("POST", "uninstall", {"company_id": company_id, "user_id": user_id})

    def grants(self) -> list[dict[str, Any]]:
        return self.control("GET", "grants")["grants"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers else {}


def _decode(raw: bytes, headers: Any) -> Any:
    if "json" in (headers.get("Content-Type") or ""):
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode(errors="replace")
    return raw.decode(errors="replace")


@contextmanager
def running_sandbox(
    *,
    fixture: str | Path | dict[str, Any] | None = None,
    orgs: int | None = None,
    persons_per_org: int = 4,
    seed: int = 42,
    world: World | None = None,
    **options: Any,
) -> Iterator[SandboxHandle]:
    """Start a sandbox on ``127.0.0.1`` and an ephemeral port; stop it on exit.

    Data: ``fixture`` (path or an already-parsed document), else ``orgs`` generated
    data, else the demo fixture. ``options`` are :class:`SandboxConfig` fields, e.g.
    ``scopes=("base", "contacts:read")``, ``access_token_ttl=60``, ``burst_limit=5``,
    ``daily_budget=100``.
    """
    config = replace(SandboxConfig(), host="127.0.0.1", port=0, persons_per_org=persons_per_org, seed=seed, **options)
    factory = None
    if isinstance(fixture, dict):
        document = fixture
        factory = lambda: load_fixture(document)  # noqa: E731
    elif fixture is not None:
        config.fixture = str(fixture)
    elif orgs is not None:
        factory = lambda: generate_world(orgs, persons_per_org, seed)  # noqa: E731
    if world is not None:
        factory = lambda: world  # noqa: E731 - reset() then keeps the given (mutated) world
    server = SandboxServer(config, world_factory=factory or world_factory_for(config)).start()
    try:
        yield SandboxHandle(server)
    finally:
        server.stop()
