"""Sandbox benchmarks: page latency and the memory of a big generated world.

Run from the repository root::

    python bench/bench_sandbox.py              # 100k orgs, 1M persons (about a minute)
    python bench/bench_sandbox.py --orgs 20000 --persons-per-org 5

Prints one JSON object per line (``case``, ``records``, ``seconds_p50``/``p95``, ...).
The target: a 500-record v2 page in <= 50 ms; 100k orgs + 1M persons under 2 GB RSS.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import COMPANY, USER, emit, peak_rss_mb  # noqa: E402
from sandbox.config import SandboxConfig  # noqa: E402
from sandbox.generator import generate_world  # noqa: E402
from sandbox.server import SandboxServer  # noqa: E402


class Client:
    """One keep-alive connection, like a ``requests.Session``."""

    def __init__(self, url: str, token: str) -> None:
        host, port = url.split("//", 1)[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, params: dict[str, Any]) -> tuple[dict[str, Any], float, int]:
        started = time.perf_counter()
        self.conn.request("GET", f"{path}?{urlencode(params)}", headers=self.headers)
        response = self.conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        assert response.status == 200, raw[:300]
        return json.loads(raw), elapsed, len(raw)


def page_case(client: Client, case: str, path: str, params: dict[str, Any], pages: int) -> None:
    timings, sizes, records, calls = [], [], 0, 0
    cursor = None
    for _ in range(pages):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body, elapsed, size = client.get(path, query)
        calls += 1
        timings.append(elapsed)
        sizes.append(size)
        records += len(body["data"])
        cursor = body["additional_data"].get("next_cursor")
        if not cursor:
            cursor = None
    timings.sort()
    emit(
        dict(
            case=case,
            records=records,
            api_calls=calls,
            token_cost=calls * 10,
            records_per_page=params.get("limit"),
            seconds_p50=round(statistics.median(timings), 4),
            seconds_p95=round(timings[max(0, int(len(timings) * 0.95) - 1)], 4),
            seconds_max=round(timings[-1], 4),
            bytes_per_page=int(statistics.mean(sizes)),
            peak_rss_mb=peak_rss_mb(),
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--persons-per-org", type=int, default=10)
    parser.add_argument("--pages", type=int, default=60, help="pages timed per case")
    args = parser.parse_args()

    rss_before = peak_rss_mb()
    started = time.perf_counter()
    world = generate_world(args.orgs, args.persons_per_org, seed=1)
    acme = world.companies[COMPANY]
    emit(
        dict(
            case="sandbox_generate_world",
            records=len(acme.orgs) + len(acme.persons),
            orgs=len(acme.orgs),
            persons=len(acme.persons),
            activities=len(acme.activities),
            notes=len(acme.notes),
            seconds=round(time.perf_counter() - started, 2),
            peak_rss_mb=peak_rss_mb(),
            rss_before_mb=rss_before,
        )
    )

    server = SandboxServer(
        SandboxConfig(port=0, daily_budget=10**9, burst_limit=10**6), world_factory=lambda: world
    ).start()
    try:
        token = server.app.tokens.issue_access_token(
            server.app.tokens.mint(server.app.tokens.clients["staircase-dev"], COMPANY, USER)
        )
        client = Client(server.url, token)
        status_key = next(f.key for f in acme.custom_fields() if f.name == "Account Status")
        page_case(client, "sandbox_v2_org_page_500", "/api/v2/organizations", {"limit": 500}, args.pages)
        page_case(
            client,
            "sandbox_v2_org_page_500_status_field",
            "/api/v2/organizations",
            {"limit": 500, "custom_fields": status_key},
            args.pages,
        )
        page_case(
            client,
            "sandbox_v2_org_page_500_updated_since",
            "/api/v2/organizations",
            {"limit": 500, "sort_by": "update_time", "updated_since": "2024-06-01T00:00:00Z"},
            args.pages,
        )
        page_case(client, "sandbox_v2_person_page_500", "/api/v2/persons", {"limit": 500}, args.pages)
        page_case(
            client,
            "sandbox_v2_person_page_by_org",
            "/api/v2/persons",
            {"limit": 500, "org_id": args.orgs // 2},
            args.pages,
        )
    finally:
        server.stop()
    emit(
        dict(
            case="sandbox_peak_rss",
            records=args.orgs * (1 + args.persons_per_org),
            peak_rss_mb=peak_rss_mb(),
            limit_mb=2048,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
