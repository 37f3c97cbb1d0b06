"""``python -m sandbox``: run the fake Pipedrive in the foreground."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from sandbox.config import DEFAULT_REDIRECT_URI, SandboxConfig
from sandbox.server import SandboxServer
from sandbox.tokens import DEFAULT_SCOPES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="A fake Pipedrive (see sandbox/README.md).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    data = parser.add_mutually_exclusive_group()
    data.add_argument("--fixture", help="fixture JSON file (default: sandbox/fixtures/demo.json)")
    data.add_argument("--orgs", type=int, help="generate this many organizations instead of loading a fixture")
    parser.add_argument("--persons-per-org", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--client-id", default="staircase-dev")
    parser.add_argument("--client-secret", default="staircase-dev-secret")
    parser.add_argument("--redirect-uri", default=DEFAULT_REDIRECT_URI)
    parser.add_argument("--scopes", default=",".join(DEFAULT_SCOPES), help="comma-separated app scopes")
    parser.add_argument("--app-name", default="Staircase")
    parser.add_argument("--token-ttl", type=int, default=3600, help="access token lifetime in seconds")
    parser.add_argument("--burst-limit", type=int, default=400, help="requests per token per burst window")
    parser.add_argument("--burst-window", type=float, default=2.0, help="burst window in seconds")
    parser.add_argument("--daily-budget", type=int, help="daily token budget per company (default: by plan)")
    parser.add_argument("--public-url", help="origin returned as api_domain (default http://HOST:PORT)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        host=args.host,
        port=args.port,
        fixture=args.fixture,
        orgs=args.orgs,
        persons_per_org=args.persons_per_org,
        seed=args.seed,
        client_id=args.client_id,
        client_secret=args.client_secret,
        redirect_uri=args.redirect_uri,
        scopes=tuple(s.strip() for s in args.scopes.split(",") if s.strip()),
        app_name=args.app_name,
        access_token_ttl=args.token_ttl,
        burst_limit=args.burst_limit,
        burst_window=args.burst_window,
        daily_budget=args.daily_budget,
        public_url=args.public_url,
        quiet=not args.verbose,
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sandbox %(levelname)s %(message)s")
    server = SandboxServer(config_from_args(args))
    signal.signal(signal.SIGTERM, _interrupt)
    counts = ", ".join(
        f"{c['name']} ({c['id']}): {c['counts']['organizations']} orgs" for c in server.app.world.describe()
    )
    print(f"Pipedrive sandbox on {server.url} — {counts}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
