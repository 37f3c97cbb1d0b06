"""Sandbox settings (CLI flags and constructor arguments map onto these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sandbox.tokens import DEFAULT_SCOPES

__all__ = ["SandboxConfig", "DEMO_FIXTURE", "DEFAULT_REDIRECT_URI"]

DEMO_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "demo.json"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/integrations/pipedrive/callback/"


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8100
    # Data: a fixture file, else generated data when ``orgs`` is set, else the demo fixture.
    fixture: str | None = None
    orgs: int | None = None
    persons_per_org: int = 4
    seed: int = 42
    # The registered OAuth app.
    client_id: str = "staircase-dev"
    client_secret: str = "staircase-dev-secret"
    redirect_uri: str = DEFAULT_REDIRECT_URI
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    app_name: str = "Staircase"
    access_token_ttl: int = 3600
    # Rate limits (NOTES §7); ``daily_budget`` None = 30,000 x plan multiplier x seats.
    burst_limit: int = 400
    burst_window: float = 2.0
    daily_budget: int | None = None
    # The origin handed out as ``api_domain``; None = http://<host>:<bound port>.
    public_url: str | None = None
    uninstall_timeout: float = 5.0
    quiet: bool = True
    extra_clients: list[dict[str, object]] = field(default_factory=list)
