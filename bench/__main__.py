"""`make bench`: every benchmark, one JSON line per case on stdout (progress on stderr).

Sync cases run against sandbox processes with generated data, on the PostgreSQL database in
BENCH_DATABASE_URL (default: a fresh `staircase_bench` on 127.0.0.1). A final line checks the targets
the issues set; the exit code is non-zero when one is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/__main__.py`
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    PY,
    database_url,
    emit,
    json_lines,
    logger,
    run_bench_sync,
    sandbox,
    use_fresh_database,
)

log = logger("bench")


def run_case(url: str, case: str, tenant: str, *extra: str) -> dict:
    line = run_bench_sync(url, case, tenant, *extra)
    emit(line)
    return line


def run_script(script: str, *args: str) -> list[dict]:
    out = subprocess.run([PY, script, *args], cwd=ROOT, capture_output=True, text=True, env=os.environ)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{script} failed")
    lines = json_lines(out.stdout)
    for line in lines:
        emit(line)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the 2k case (for a fast look)")
    parser.add_argument("--skip-tap", action="store_true", help="skip the tap-pipedrive comparison")
    args = parser.parse_args()
    use_fresh_database(database_url(), log)
    checks: dict[str, bool] = {}

    sizes = [(2_000, 10, "bench-2k")] + ([] if args.quick else [(20_000, 10, "bench-20k")])
    for orgs, per_org, slug in sizes:
        with sandbox(orgs, per_org, log) as url:
            full = run_case(url, "full", slug)
            incremental = run_case(url, "incremental", slug, "--change-pct", "1")
            checks[f"{slug}: full sync list calls <= target"] = full["list_calls"] <= full["list_call_target"]
            checks[f"{slug}: incremental calls <= 10% of full"] = incremental["api_calls"] <= 0.1 * full["api_calls"]
            checks[f"{slug}: incremental time <= 10% of full"] = incremental["seconds"] <= 0.1 * full["seconds"]
            if orgs == 20_000:
                checks[f"{slug}: full sync <= 120 s"] = full["seconds"] <= 120
                checks[f"{slug}: full sync <= 400 MB"] = full["peak_rss_mb"] <= 400
                domains = run_case(url, "domains", slug)
                checks[f"{slug}: domain inference + storage <= 20 s"] = domains["seconds"] <= 20
                page = run_case(url, "accounts_page", slug)
                checks[f"{slug}: accounts list queries constant"] = len(set(page["queries"][:3])) == 1

    sandbox_lines = run_script("bench/bench_sandbox.py", *(["--orgs", "10000"] if args.quick else []))
    for line in sandbox_lines:
        if line.get("case", "").endswith("page_500") or "p50" in json.dumps(line):
            p95 = line.get("seconds_p95")
            if p95 is not None:
                checks[f"sandbox: {line['case']} p95 <= 50 ms"] = p95 <= 0.05
    run_script("bench/bench_domains.py")
    if not args.skip_tap and (ROOT / "bench" / "compare_tap.py").exists():
        run_script("bench/compare_tap.py", *(["--orgs", "2000"] if args.quick else []))

    emit({"case": "targets", "all_met": all(checks.values()), "checks": checks})
    if not all(checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
