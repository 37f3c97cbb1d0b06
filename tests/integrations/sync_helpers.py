"""Set-up shared by the sync tests: a connected tenant with a saved configuration."""

from __future__ import annotations

from customers.models import Contact, CustomerAccount
from integrations.models import SyncConfig
from integrations.pipedrive.client import PipedriveClient
from tests.integrations.sandbox_helpers import ACME, ALICE, connected

ACTIVE = ("Active", "Live", "Onboarding", "Tier 1", "Tier 2")
CHURNED = ("Churned",)


def field_of(connection, name: str) -> dict:
    fields = PipedriveClient.for_connection(connection).organization_fields()
    return next(f for f in fields if f["field_name"] == name)


def configure(sb, tenant, *, field: str = "Account Status", active=ACTIVE, churned=CHURNED, **options):
    connection = connected(sb, tenant, company_id=ACME, user_id=ALICE)
    chosen = field_of(connection, field)
    ids = {o["label"]: o["id"] for o in chosen["options"]}
    config = SyncConfig.objects.create(
        tenant=tenant,
        connection=connection,
        status_field_key=chosen["field_code"],
        status_field_name=field,
        status_field_type=chosen["field_type"],
        active_option_ids=[ids[x] for x in active],
        churn_option_ids=[ids[x] for x in churned],
        **options,
    )
    return connection, config, chosen


def all_orgs(sb, company_id: int = ACME) -> list[dict]:
    """Every org of the company as the API shows it, read with a personal API token (not via the app)."""
    token = sb.api_token(company_id, ALICE)
    orgs, cursor = [], None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        _, _, body = sb.api("GET", "/api/v2/organizations", api_token=token, params=params)
        orgs += body["data"]
        cursor = (body.get("additional_data") or {}).get("next_cursor")
        if not cursor:
            return orgs


def parents(sb, org_ids, company_id: int = ACME) -> dict[int, int]:
    token = sb.api_token(company_id, ALICE)
    found = {}
    for org_id in org_ids:
        _, _, body = sb.api("GET", "/v1/organizationRelationships", api_token=token, params={"org_id": org_id})
        for rel in body.get("data") or []:
            if rel["type"] == "parent" and rel["rel_linked_org_id"]["value"] == org_id:
                found[org_id] = rel["rel_owner_org_id"]["value"]
    return found


def qualifying(sb, chosen: dict, active_labels=ACTIVE, churned_labels=CHURNED) -> dict[int, str]:
    """org id → "active"/"churned" by the field's values (enum id or set of ids)."""
    labels = {o["id"]: o["label"] for o in chosen["options"]}
    out = {}
    for org in all_orgs(sb):
        value = (org.get("custom_fields") or {}).get(chosen["field_code"])
        chosen_labels = {labels.get(v) for v in (value if isinstance(value, list) else [value])}
        if chosen_labels & set(active_labels):
            out[org["id"]] = "active"
        elif chosen_labels & set(churned_labels):
            out[org["id"]] = "churned"
    return out


def live_accounts(tenant) -> dict[int, str]:
    return dict(CustomerAccount.objects.for_tenant(tenant).visible().values_list("external_id", "status"))


def contact_count(tenant) -> int:
    return Contact.objects.for_tenant(tenant).count()
