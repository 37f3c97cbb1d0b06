"""Compare Staircase's full sync with Stitch's Singer tap `tap-pipedrive==2.1.0` on the same sandbox data.

Run from the repository root::

    python bench/compare_tap.py                       # 20k orgs x 10 persons
    python bench/compare_tap.py --orgs 2000           # what `make bench --quick` runs
    python bench/compare_tap.py --no-keep-venv        # delete the tap's venv afterwards

Steps:

1. Recreate and migrate our own database `staircase_bench_tap` (same server as BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/staircase_bench), independent of bench/__main__.py's database.
2. Install tap-pipedrive 2.1.0 into its own venv, var/bench/tap-venv (created if missing, reused if it
   already has that version).
3. Start one sandbox (`python -m sandbox --orgs N --persons-per-org M --seed 42`).
4. Run the tap's full `--discover` (it asks the v1 field list of every stream with custom fields), probe
   those field endpoints once more to report their statuses (`sandbox_gaps`), select `organizations` and
   `persons`, reset the sandbox stats, run the tap with start_date 2000-01-01 (everything), count its
   RECORD messages per stream and read the sandbox stats (calls and token cost, per endpoint).
5. Reset the sandbox (same seed, so the same data; fresh stats and daily budget), run our full sync through
   bench/bench_sync.py in a subprocess.
6. Print JSON lines: the tap's, ours, and a comparison. Progress goes to stderr.

The tap has no option for the API origin, so it runs through a generated wrapper,
var/bench/tap_pipedrive_runner.py, that replaces the module global `tap_pipedrive.tap.BASE_URL` before
calling the tap's own CLI `main()`; see RUNNER in bench/tap.py, which holds everything about the tap. The
installed package files are not modified.

A failure on the tap's side (install, discovery, extraction, timeout) is reported in the JSON
(`tap_error`, `stderr_tail`) and the exit code stays 0; the exit code is non-zero only when our side
(database, sandbox, our sync) fails.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python bench/compare_tap.py`
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    USER,
    WORK,
    company_stats,
    control,
    database_url,
    emit,
    logger,
    run_bench_sync,
    sandbox,
    sandbox_company,
    use_fresh_database,
)
from bench.tap import TAP_PAGE_SIZE, VENV, TapFailure, base_line, ensure_tap_venv, tap_case  # noqa: E402

TAP_DB_NAME = "staircase_bench_tap"

log = logger("compare_tap")


def our_case(url: str, tenant: str) -> dict:
    log(f"our full sync (bench/bench_sync.py --case full --tenant {tenant})")
    line = run_bench_sync(url, "full", tenant, stderr_log=WORK / "compare_tap-staircase.log")
    try:  # a cross-check: what the sandbox counted for our run (bench_sync.py resets the stats first)
        seen = company_stats(url)
        counted = {"api_calls": seen["api_calls"], "token_cost": seen["token_cost"]}
    except OSError as exc:
        counted = {"error": f"could not read the sandbox stats after our sync: {exc}"}
        log(counted["error"])
    return {"case": "staircase_full_sync", **{k: v for k, v in line.items() if k != "case"}, "sandbox_counted": counted}


def compare(tap: dict, ours: dict, orgs: int, persons: int) -> dict:
    lookups = ours["relationship_lookups"]
    strategy = ours.get("persons_strategy")
    scope = {
        "all": "Staircase paged all persons of the company too (cheaper than per org here), but stores only the "
        "contacts of the accounts it kept",
        "per_org": "Staircase paged only the persons of the orgs it kept (/api/v2/persons?org_id=, cheaper here)",
    }.get(strategy, f"Staircase's persons strategy was {strategy!r}")
    note = (
        f"Staircase also looked up parent relationships: {lookups} calls to /api/v1/organizationRelationships "
        f"at 20 tokens each ({20 * lookups} tokens), counted in its api_calls/token_cost but reported separately "
        f"(relationship_lookups; list_calls and list_token_cost leave them out); the tap fetches no relationships. "
        f"The tap extracts every org and every person with all fields ({TAP_PAGE_SIZE} per page, hardcoded, "
        f"plus one v1 field list per stream); Staircase lists every org (500 per page) with only the status "
        f"field and people_count and keeps the active non-daughter ones. {scope}. Tap seconds include its "
        f"interpreter start and JSON output; ours include writing to PostgreSQL. The tap's discovery calls are "
        f"not in its totals (see its discover field)."
    )
    line = {
        "case": "compare_tap",
        "orgs": orgs,
        "persons": persons,
        "tap": {k: tap.get(k) for k in ("api_calls", "token_cost", "seconds")},
        "staircase": {
            k: ours.get(k)
            for k in ("api_calls", "list_calls", "relationship_lookups", "token_cost", "list_token_cost", "seconds")
        },
        "ratio_calls": None,
        "ratio_list_tokens": None,
        "note": note,
    }
    finished = not tap.get("tap_error")  # no ratios from a partial run
    if finished and tap.get("api_calls") is not None and ours.get("list_calls"):
        line["ratio_calls"] = round(tap["api_calls"] / ours["list_calls"], 2)
    if finished and tap.get("token_cost") is not None and ours.get("list_token_cost"):
        line["ratio_list_tokens"] = round(tap["token_cost"] / ours["list_token_cost"], 2)
    if tap.get("tap_error"):
        line["tap_error"] = tap["tap_error"]
        line["note"] = "The tap did not finish, so its numbers are partial or missing. " + note
    # The v1 field lists the tap's --discover asks for that the sandbox did not answer with 200: [] when
    # there are none, None when it was not measured (the tap failed before discovering).
    line["sandbox_gaps"] = (tap.get("discover") or {}).get("sandbox_gaps")
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=20_000)
    parser.add_argument("--persons-per-org", type=int, default=10)
    parser.add_argument(
        "--keep-venv",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep var/bench/tap-venv for the next run (default); --no-keep-venv deletes it after",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per tap run (default 900)")
    parser.add_argument("--tenant", default="bench-tap", help="tenant slug for our sync (default bench-tap)")
    args = parser.parse_args()

    use_fresh_database(database_url(TAP_DB_NAME), log)

    install_error: TapFailure | None = None
    install_seconds = None
    try:
        install_seconds = ensure_tap_venv()
    except TapFailure as exc:
        install_error = exc

    try:
        with sandbox(args.orgs, args.persons_per_org, log, output=WORK / "compare_tap-sandbox.log") as url:
            company = sandbox_company(url)
            orgs, persons = company["counts"]["organizations"], company["counts"]["persons"]
            api_token = next(u["api_token"] for u in company["users"] if u["id"] == USER)
            try:
                if install_error:
                    raise install_error
                tap = tap_case(url, orgs, persons, api_token, args.timeout, install_seconds)
            except TapFailure as exc:
                log(f"tap failed: {exc}")
                tap = {
                    **base_line(orgs, persons),
                    **exc.partial,
                    "tap_error": str(exc),
                    "stderr_tail": exc.stderr_tail,
                    "log": str(exc.log.relative_to(ROOT)) if exc.log else None,
                }
            emit(tap)

            # Same seed, so the same data; also clears stats and the daily budget the tap spent.
            control(url, "POST", "reset", {"keep_tokens": True})
            ours = our_case(url, args.tenant)
            emit(ours)
            emit(compare(tap, ours, orgs, persons))
    finally:
        if not args.keep_venv and VENV.exists():
            log(f"removing {VENV.relative_to(ROOT)} (--no-keep-venv)")
            shutil.rmtree(VENV, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
