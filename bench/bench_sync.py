"""Benchmark one sync case against a running sandbox; prints one JSON line.

    python bench/bench_sync.py --sandbox-url http://127.0.0.1:8200 --case full --tenant bench-2k
    python bench/bench_sync.py --sandbox-url ... --case incremental --tenant bench-2k --change-pct 1
    python bench/bench_sync.py --sandbox-url ... --case domains --tenant bench-20k
    python bench/bench_sync.py --sandbox-url ... --case accounts_page --tenant bench-20k

Each case runs in its own process (so peak RSS is the case's own) against the database in DATABASE_URL
(PostgreSQL for `make bench`). The sandbox runs in another process, started by bench/__main__.py or
bench/compare_tap.py.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staircase.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")

from bench.common import COMPANY, USER, control, emit, peak_rss_mb, sandbox_company  # noqa: E402

ACTIVE = ("Active", "Live", "Onboarding", "Tier 1", "Tier 2", "New")
CHURNED = ("Churned", "Inactive")


def setup_tenant(url: str, slug: str):
    """A tenant connected to the sandbox company with the status selection saved. Idempotent."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from accounts.models import Tenant
    from integrations.models import Connection, SyncConfig
    from integrations.pipedrive.client import PipedriveClient

    settings.PIPEDRIVE_OAUTH_BASE_URL = url
    settings.PIPEDRIVE_ALLOWED_API_ORIGINS = [url]
    tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": slug})
    # Every bench sandbox is "company 7001": only one tenant may hold it live at a time.
    Connection.objects.unscoped().filter(company_id=COMPANY).exclude(tenant=tenant).update(
        status=Connection.Status.DISCONNECTED
    )
    tokens = control(url, "POST", "tokens", {"company_id": COMPANY, "user_id": USER})
    connection = Connection.objects.for_tenant(tenant).filter(provider="pipedrive").first() or Connection(tenant=tenant)
    connection.company_id, connection.company_name, connection.api_domain = (
        COMPANY,
        "Acme Analytics",
        tokens["api_domain"],
    )
    connection.external_user_id, connection.scopes = USER, tokens["scope"]
    connection.access_token, connection.refresh_token = tokens["access_token"], tokens["refresh_token"]
    connection.expires_at = timezone.now() + timedelta(seconds=tokens["expires_in"])
    connection.status = Connection.Status.CONNECTED
    connection.save()
    config = SyncConfig.objects.for_tenant(tenant).filter(connection=connection).first()
    if config is None:
        fields = PipedriveClient.for_connection(connection).organization_fields()
        field = next(f for f in fields if f["field_name"] == "Account Status")
        ids = {o["label"]: o["id"] for o in field["options"]}
        config = SyncConfig.objects.create(
            tenant=tenant,
            connection=connection,
            status_field_key=field["field_code"],
            status_field_name="Account Status",
            status_field_type="enum",
            active_option_ids=[ids[x] for x in ACTIVE],
            churn_option_ids=[ids[x] for x in CHURNED],
            mass_removal_threshold_pct=100,
        )
    return tenant, connection, config


def list_call_target(orgs: int, persons: int) -> int:
    return math.floor(1.1 * (math.ceil(orgs / 500) + math.ceil(persons / 500)) + 10)


def case_sync(url: str, slug: str, kind: str, change_pct: float) -> dict:
    from integrations.pipedrive.runs import sync_connection_run

    tenant, connection, config = setup_tenant(url, slug)
    company = sandbox_company(url)
    orgs, persons = company["counts"]["organizations"], company["counts"]["persons"]
    if kind == "incremental":
        from customers.models import CustomerAccount

        changed = max(1, int(orgs * change_pct / 100))
        ids = list(
            CustomerAccount.objects.for_tenant(tenant)
            .visible()
            .order_by("?")
            .values_list("external_id", flat=True)[:changed]
        )
        control(url, "POST", "clock", {"seconds": 120})
        control(
            url,
            "POST",
            "mutate",
            {
                "company_id": COMPANY,
                "operations": [{"op": "update_org", "id": org_id, "name": f"Changed {org_id}"} for org_id in ids],
            },
        )
    control(url, "POST", "stats/reset")
    started = time.perf_counter()
    run = sync_connection_run(connection_id=connection.pk, force_full=kind == "full")
    seconds = time.perf_counter() - started
    by_endpoint = run.details.get("by_endpoint", {})
    lookups = by_endpoint.get("GET /api/v1/organizationRelationships", 0)
    list_calls = run.api_calls - lookups
    line = {
        "case": f"sync_{kind}",
        "tenant": slug,
        "orgs": orgs,
        "persons": persons,
        "outcome": run.outcome,
        "records": run.orgs_seen + run.contacts_upserted,
        "accounts": run.orgs_kept,
        "contacts": run.contacts_upserted,
        "api_calls": run.api_calls,
        "list_calls": list_calls,
        "relationship_lookups": lookups,
        "token_cost": run.token_cost,
        "list_token_cost": run.token_cost - 20 * lookups,
        "seconds": round(seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
        "persons_strategy": run.details.get("persons_strategy"),
        "domains_added": run.domains_added,
        "error": run.error_message or None,
    }
    if kind == "full":
        line["list_call_target"] = list_call_target(orgs, persons)
    else:
        line["changed_orgs"] = changed
    return line


def case_domains(url: str, slug: str) -> dict:
    """Domain inference plus storage from scratch for every account of the tenant."""
    from customers.domain_sync import domains_refresh
    from customers.models import AccountDomain, Contact, CustomerAccount

    tenant, _, _ = setup_tenant(url, slug)
    AccountDomain.objects.for_tenant(tenant).delete()
    accounts = CustomerAccount.objects.for_tenant(tenant).visible().count()
    contacts = Contact.objects.for_tenant(tenant).count()
    started = time.perf_counter()
    change = domains_refresh(tenant_id=tenant.pk)
    seconds = time.perf_counter() - started
    stored = AccountDomain.objects.for_tenant(tenant).count()
    return {
        "case": "domains_infer_and_store",
        "tenant": slug,
        "accounts": accounts,
        "contacts": contacts,
        "records": contacts,
        "rows_stored": stored,
        "domains_shown": change.added,
        "seconds": round(seconds, 2),
        "peak_rss_mb": peak_rss_mb(),
    }


def case_accounts_page(url: str, slug: str) -> dict:
    """The Accounts list as an admin sees it: time and queries of one page (search, filter, sort)."""
    from django.db import connection as db
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Membership, Role, User
    from customers.models import CustomerAccount

    tenant, _, _ = setup_tenant(url, slug)
    user, _ = User.objects.get_or_create(email=f"bench@{slug}.test")
    Membership.objects.for_tenant(tenant).get_or_create(tenant=tenant, user=user, defaults={"role": Role.ADMIN})
    from django.test.utils import override_settings

    # The page, not static-file hashing, is measured: serve assets without a collected manifest.
    plain = override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )
    plain.enable()
    client = Client()
    client.force_login(user)
    timings, queries = [], []
    for params in ({}, {"status": "churned"}, {"sort": "-contacts"}, {"q": "a", "page": 3}):
        with CaptureQueriesContext(db) as captured:
            started = time.perf_counter()
            assert client.get("/accounts/", params, HTTP_HOST="127.0.0.1").status_code == 200
            timings.append(time.perf_counter() - started)
        queries.append(len(captured))
    return {
        "case": "accounts_list_page",
        "tenant": slug,
        "accounts": CustomerAccount.objects.for_tenant(tenant).visible().count(),
        "records": 50,
        "queries": queries,
        "seconds_max": round(max(timings), 3),
        "seconds": round(sum(timings) / len(timings), 3),
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sandbox-url", required=True)
    parser.add_argument("--case", choices=("full", "incremental", "domains", "accounts_page"), required=True)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--change-pct", type=float, default=1.0)
    args = parser.parse_args()
    import django

    django.setup()
    url = args.sandbox_url.rstrip("/")
    if args.case in ("full", "incremental"):
        line = case_sync(url, args.tenant, args.case, args.change_pct)
    elif args.case == "domains":
        line = case_domains(url, args.tenant)
    else:
        line = case_accounts_page(url, args.tenant)
    emit(line)


if __name__ == "__main__":
    main()
