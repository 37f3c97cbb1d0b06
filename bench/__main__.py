"""`make bench`: every benchmark, one JSON line per case on stdout (progress on stderr).

Sync cases run against sandbox processes with generated data, on the PostgreSQL database in
BENCH_DATABASE_URL (default: a fresh `staircase_bench` on 127.0.0.1). A final line checks the targets
the issues set; the exit code is non-zero when one is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/staircase_bench"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sandbox(orgs: int, persons_per_org: int, seed: int = 42):
    port = free_port()
    log(f"starting a sandbox with {orgs} orgs x {persons_per_org} persons on :{port}")
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "sandbox",
            "--port",
            str(port),
            "--orgs",
            str(orgs),
            "--persons-per-org",
            str(persons_per_org),
            "--seed",
            str(seed),
        ],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{url}/_sandbox/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def fresh_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env=os.environ)


def run_case(url: str, case: str, tenant: str, *extra: str) -> dict:
    out = subprocess.run(
        [PY, "bench/bench_sync.py", "--sandbox-url", url, "--case", case, "--tenant", tenant, *extra],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"bench case {case} failed")
    line = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(line), flush=True)
    return line


def run_script(script: str, *args: str) -> list[dict]:
    out = subprocess.run([PY, script, *args], cwd=ROOT, capture_output=True, text=True, env=os.environ)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{script} failed")
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    for line in lines:
        print(json.dumps(line), flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the 2k case (for a fast look)")
    parser.add_argument("--skip-tap", action="store_true", help="skip the tap-pipedrive comparison")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("STAIRCASE_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.pop("REDIS_URL", None)
    log(f"database {os.environ['DATABASE_URL']} (recreated)")
    fresh_database(os.environ["DATABASE_URL"])
    checks: dict[str, bool] = {}

    sizes = [(2_000, 10, "bench-2k")] + ([] if args.quick else [(20_000, 10, "bench-20k")])
    for orgs, per_org, slug in sizes:
        with sandbox(orgs, per_org) as url:
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

    print(json.dumps({"case": "targets", "all_met": all(checks.values()), "checks": checks}), flush=True)
    if not all(checks.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
