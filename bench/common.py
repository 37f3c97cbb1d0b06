"""What the benchmark scripts share: paths, logging, JSON lines, the database, sandbox processes.

Standard library and psycopg only; nothing here imports Django (bench/bench_sync.py sets Django up itself).
Scripts run as ``python bench/<script>.py`` put the repository root on sys.path before importing this as
``bench.common``.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
WORK = ROOT / "var" / "bench"  # logs, the tap's venv, STAIRCASE_VAR_DIR of the synced tenants
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/staircase_bench"
COMPANY, USER = 7001, 501  # Acme Analytics, Alice (admin) in generated sandbox worlds
SANDBOX_SEED = 42


# -- output: progress on stderr, results as JSON lines on stdout ----------------------------------------
def logger(name: str) -> Callable[[str], None]:
    """A ``log(message)`` that prints ``[name] message`` to stderr."""

    def log(message: str) -> None:
        print(f"[{name}] {message}", file=sys.stderr, flush=True)

    return log


def emit(line: dict) -> None:
    """One result: a JSON object on its own line on stdout."""
    print(json.dumps(line), flush=True)


def json_lines(stdout: str) -> list[dict]:
    """The result lines (those starting with ``{``) of a benchmark script's stdout."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def peak_rss_mb() -> float:
    """This process's peak RSS in MB (ru_maxrss is kB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# -- PostgreSQL --------------------------------------------------------------------------------------------
def _split_db_url(url: str) -> tuple[str, str, str]:
    """``postgres://host/name?query`` -> (``postgres://host``, ``name``, ``?query`` or "")."""
    server, _, rest = url.rpartition("/")
    name, _, query = rest.partition("?")
    return server, name, f"?{query}" if query else ""


def database_url(name: str | None = None) -> str:
    """BENCH_DATABASE_URL (default: staircase_bench on 127.0.0.1), with the database ``name`` if given."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    if name is None:
        return url
    server, _, query = _split_db_url(url)
    return f"{server}/{name}{query}"


def fresh_database(url: str) -> None:
    """Drop and recreate the database of ``url``, then migrate it (manage.py with DATABASE_URL from env)."""
    import psycopg

    server, name, query = _split_db_url(url)
    with psycopg.connect(f"{server}/postgres{query}", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env=os.environ)


def use_fresh_database(url: str, log: Callable[[str], None]) -> None:
    """Point this process and its children at ``url`` (recreated and migrated), without Redis."""
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("STAIRCASE_VAR_DIR", str(WORK))
    os.environ.pop("REDIS_URL", None)
    log(f"database {url} (recreated)")
    fresh_database(url)


# -- sandbox processes and their control API --------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sandbox(
    orgs: int,
    persons_per_org: int,
    log: Callable[[str], None],
    *,
    seed: int = SANDBOX_SEED,
    output: Path | None = None,
    start_timeout: float = 300,
) -> Iterator[str]:
    """A ``python -m sandbox`` process with a generated world; yields its URL once /_sandbox/health answers.

    Its stdout and stderr go to ``output`` (a log file) or nowhere. Terminated (killed after 30 s) on exit.
    """
    port = free_port()
    log(f"starting a sandbox with {orgs} orgs x {persons_per_org} persons on :{port}")
    sink = open(output, "wb") if output else subprocess.DEVNULL
    command = ["-m", "sandbox", "--port", str(port), "--orgs", str(orgs), "--persons-per-org", str(persons_per_org)]
    proc = subprocess.Popen([PY, *command, "--seed", str(seed)], cwd=ROOT, stdout=sink, stderr=sink)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, url, start_timeout, output)
        yield url
    finally:
        if proc.poll() is not None:
            log(f"the sandbox had already exited (code {proc.returncode}; SIGTERM from elsewhere shows as 0)")
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if output:
            sink.close()


def _wait_healthy(proc: subprocess.Popen, url: str, timeout: float, output: Path | None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{url}/_sandbox/health", timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the sandbox did not start" + (f" (see {output})" if output else "")) from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not answer /_sandbox/health within {timeout:g} s") from None
            time.sleep(0.25)


def control(url: str, method: str, path: str, payload=None, *, timeout: float = 300):
    """Call the sandbox control API, ``{method} {url}/_sandbox/{path}`` with a JSON body; returns its JSON."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(
        f"{url}/_sandbox/{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def sandbox_company(url: str, company_id: int = COMPANY) -> dict:
    """The sandbox's description of one company: ``counts``, ``users`` (with their API tokens), ..."""
    return next(c for c in control(url, "GET", "companies")["companies"] if str(c["id"]) == str(company_id))


def company_stats(url: str, company_id: int = COMPANY) -> dict:
    """Calls and token cost the sandbox counted for a company since its stats were last reset."""
    stats = control(url, "GET", "stats")
    endpoints = stats.get("companies", {}).get(str(company_id), {}).get("endpoints", {})
    result = {
        "api_calls": sum(e.get("calls", 0) for e in endpoints.values()),
        "token_cost": sum(e.get("cost", 0) for e in endpoints.values()),
        "by_endpoint": endpoints,
    }
    if stats.get("unauthenticated"):
        result["unauthenticated"] = stats["unauthenticated"]
    return result


# -- running the other scripts -------------------------------------------------------------------------------
def run_bench_sync(url: str, case: str, tenant: str, *extra: str, stderr_log: Path | None = None) -> dict:
    """One ``bench/bench_sync.py`` case in its own process (DATABASE_URL from env); returns its JSON line.

    Its stderr is saved to ``stderr_log`` if given; on failure it (or its last 5000 characters, when saved)
    is copied to our stderr and the run stops with SystemExit.
    """
    out = subprocess.run(
        [PY, "bench/bench_sync.py", "--sandbox-url", url, "--case", case, "--tenant", tenant, *extra],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
    )
    if stderr_log:
        stderr_log.write_text(out.stderr)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-5000:] if stderr_log else out.stderr)
        raise SystemExit(f"bench/bench_sync.py --case {case} --tenant {tenant} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])
