"""Step 2 of connecting: which org field marks a customer, which values mean active and churned, and the
schedule. Also the preview of a configuration and the "create a Staircase AI Sync field" button.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from customers.models import CustomerAccount, DomainRules
from integrations.models import Connection, OrgRelationshipCheck, SyncConfig
from integrations.pipedrive import relationships
from integrations.pipedrive.client import PipedriveClient
from integrations.pipedrive.errors import ApiForbidden, PipedriveError
from integrations.pipedrive.selection import field_by_key, option_labels, org_record, picklist_fields
from staircase.exceptions import ApplicationError

STAIRCASE_FIELD_NAME = "Staircase AI Sync"
STAIRCASE_FIELD_OPTIONS = ("Active", "Churned")
FIELDS_CACHE_SECONDS = 120
GRACE_RANGE = range(1, 31)
INTERVALS = tuple(hours for hours, _ in SyncConfig.INTERVAL_CHOICES)
PREVIEW_SAMPLE = 12
PREVIEW_LOOKUP_BUDGET = 25  # parent look-ups a preview may spend (20 tokens each); the sync does the rest


def _fields_cache_key(connection: Connection) -> str:
    return f"pipedrive:org-fields:{connection.pk}:{connection.company_id}"


def organization_fields(*, connection: Connection, fresh: bool = False) -> list[dict]:
    """The company's org fields. Cached briefly: the settings page and its htmx requests ask repeatedly."""
    key = _fields_cache_key(connection)
    fields = None if fresh else cache.get(key)
    if fields is None:
        fields = PipedriveClient.for_connection(connection).organization_fields()
        cache.set(key, fields, FIELDS_CACHE_SECONDS)
    return fields


def status_field_choices(*, connection: Connection) -> list[dict]:
    return picklist_fields(organization_fields(connection=connection))


@dataclass
class ConfigInput:
    status_field_key: str
    active_option_ids: list[int]
    churn_option_ids: list[int]
    removal_grace_days: int
    sync_interval_hours: int
    mass_removal_threshold_pct: int = 30
    include_children: bool | None = None  # None: leave as is (only staff may change it)
    allow_domains: list[str] = field(default_factory=list)
    block_domains: list[str] = field(default_factory=list)
    min_secondary_contacts: int = 3


def validate(*, connection: Connection, data: ConfigInput) -> tuple[dict, dict[str, list[str]]]:
    """(the chosen field, errors by form field). Checks against the company's current fields."""
    errors: dict[str, list[str]] = {}
    fields = organization_fields(connection=connection)
    chosen = field_by_key(picklist_fields(fields), data.status_field_key)
    if chosen is None:
        errors["status_field_key"] = [
            "Choose a picklist field (single or multiple options) of Pipedrive organizations."
        ]
        return {}, errors
    known = {int(o["id"]) for o in chosen.get("options") or []}
    active, churn = set(data.active_option_ids), set(data.churn_option_ids)
    if not active:
        errors["active_option_ids"] = ["Choose at least one value that means an active customer."]
    if active - known or churn - known:
        errors.setdefault("active_option_ids", []).append(
            f"Some chosen values are not options of “{chosen['field_name']}”."
        )
    both = active & churn
    if both:
        labels = option_labels(chosen)
        names = ", ".join(sorted(labels.get(str(i), str(i)) for i in both))
        errors["churn_option_ids"] = [f"A value cannot mean both active and churned: {names}."]
    if data.removal_grace_days not in GRACE_RANGE:
        errors["removal_grace_days"] = ["The removal grace period is 1 to 30 days."]
    if data.sync_interval_hours not in INTERVALS:
        errors["sync_interval_hours"] = ["Choose one of the offered intervals."]
    if not 1 <= data.mass_removal_threshold_pct <= 100:
        errors["mass_removal_threshold_pct"] = ["The mass-removal guard is a percentage from 1 to 100."]
    if not 1 <= data.min_secondary_contacts <= 50:
        errors["min_secondary_contacts"] = ["A secondary domain needs between 1 and 50 contacts."]
    return chosen, errors


@transaction.atomic
def sync_config_save(*, connection: Connection, user: User, data: ConfigInput) -> SyncConfig:
    chosen, errors = validate(connection=connection, data=data)
    if errors:
        raise ApplicationError("The Pipedrive settings were not saved.", extra={"errors": errors})
    config = (
        SyncConfig.objects.for_tenant(connection.tenant_id).select_for_update().filter(connection=connection).first()
    )
    config = config or SyncConfig(tenant_id=connection.tenant_id, connection=connection)
    before = {
        k: getattr(config, k)
        for k in (
            "status_field_key",
            "active_option_ids",
            "churn_option_ids",
            "removal_grace_days",
            "sync_interval_hours",
            "include_children",
        )
    }
    first_time = not config.is_configured
    config.status_field_key = data.status_field_key
    config.status_field_name = str(chosen.get("field_name") or "")[:255]
    config.status_field_type = chosen.get("field_type") or ""
    config.active_option_ids = sorted(set(data.active_option_ids))
    config.churn_option_ids = sorted(set(data.churn_option_ids))
    config.option_labels = option_labels(chosen)
    config.removal_grace_days = data.removal_grace_days
    config.sync_interval_hours = data.sync_interval_hours
    config.mass_removal_threshold_pct = data.mass_removal_threshold_pct
    if data.include_children is not None:
        if not user.is_staff:
            raise ApplicationError("Only Staircase staff can change whether child organizations are included.")
        config.include_children = data.include_children
    config.configured_at = timezone.now()
    config.configured_by = user
    if first_time or before["status_field_key"] != config.status_field_key:
        config.next_sync_at = timezone.now()  # sync soon with the new selection
        config.sync_requested_at = timezone.now()
    config.full_clean()
    config.save()
    rules, _ = DomainRules.objects.for_tenant(connection.tenant_id).get_or_create(tenant_id=connection.tenant_id)
    new_rules = (sorted(data.allow_domains), sorted(data.block_domains), data.min_secondary_contacts)
    if (sorted(rules.allow), sorted(rules.block), rules.min_secondary_contacts) != new_rules:
        rules.allow, rules.block, rules.min_secondary_contacts = new_rules
        rules.updated_at = timezone.now()
        rules.save()
        from customers.tasks import refresh_domains

        tenant_id = connection.tenant_id
        transaction.on_commit(lambda: refresh_domains.delay(tenant_id))
    after = {k: getattr(config, k) for k in before}
    audit_record(
        tenant=connection.tenant,
        actor=user,
        action="sync_config.saved",
        target=config,
        target_label=connection.label,
        details={k: v for k, v in after.items() if before[k] != v} | {"field": config.status_field_name},
    )
    return config


def configuration_reset(*, connection: Connection) -> None:
    """Forget settings that only make sense for the previous Pipedrive company (field keys, caches)."""
    SyncConfig.objects.for_tenant(connection.tenant_id).filter(connection=connection).update(
        status_field_key="",
        status_field_name="",
        active_option_ids=[],
        churn_option_ids=[],
        option_labels={},
        orgs_high_water=None,
        persons_high_water=None,
        last_full_sync_at=None,
        next_sync_at=None,
    )
    OrgRelationshipCheck.objects.for_tenant(connection.tenant_id).filter(connection=connection).delete()
    cache.delete(_fields_cache_key(connection))


def create_staircase_field(*, connection: Connection, user: User) -> dict:
    """Create the enum org field "Staircase AI Sync" (Active, Churned) in Pipedrive and return it."""
    existing = next(
        (
            f
            for f in organization_fields(connection=connection, fresh=True)
            if f.get("field_name") == STAIRCASE_FIELD_NAME and f.get("field_type") == "enum"
        ),
        None,
    )
    if existing is not None:  # clicking twice must not create a second field
        return existing
    client = PipedriveClient.for_connection(connection)
    try:
        created = client.create_organization_field(
            name=STAIRCASE_FIELD_NAME, field_type="enum", options=list(STAIRCASE_FIELD_OPTIONS)
        )
    except ApiForbidden as exc:
        raise ApplicationError(
            "Pipedrive did not let Staircase create the field. The app needs the “contact-fields:full” (or “admin”) "
            "scope, and the connecting Pipedrive user must be allowed to add custom fields. Ask a Pipedrive admin "
            "to reconnect, or create the field in Pipedrive yourself and choose it here."
        ) from exc
    except PipedriveError as exc:
        raise ApplicationError(f"Pipedrive could not create the field: {exc.message}") from exc
    cache.delete(_fields_cache_key(connection))
    audit_record(
        tenant=connection.tenant,
        actor=user,
        action="sync_config.field_created",
        target=connection,
        target_label=connection.label,
        details={"field": STAIRCASE_FIELD_NAME, "key": created.get("field_code")},
    )
    return created


@dataclass
class Preview:
    active: int = 0
    churned: int = 0
    children_excluded: int = 0
    children_unchecked: int = 0
    orgs_listed: int = 0
    sample: list[dict] = field(default_factory=list)
    would_start_removal: list[CustomerAccount] = field(default_factory=list)
    would_start_removal_count: int = 0
    api_calls: int = 0


def preview(*, connection: Connection, data: ConfigInput, include_children: bool) -> Preview:
    """What a sync with this configuration would pull, without writing any account."""
    chosen, errors = validate(connection=connection, data=data)
    if errors:
        raise ApplicationError("Fix the settings before previewing.", extra={"errors": errors})
    client = PipedriveClient.for_connection(connection)
    active, churned = set(data.active_option_ids), set(data.churn_option_ids)
    result = Preview()
    kept: dict[int, object] = {}
    params = {"custom_fields": data.status_field_key, "sort_by": "id", "sort_direction": "asc"}
    for page in client.iter_v2_pages("/api/v2/organizations", params):
        result.orgs_listed += len(page)
        for org in page:
            record = org_record(org, field_key=data.status_field_key, active=active, churned=churned)
            if record is not None:
                kept[record.id] = record
    if not include_children:
        cache_rows = relationships.cached_parents(connection=connection, org_ids=list(kept))
        now = timezone.now()
        unchecked = [
            (i, r.update_time)
            for i, r in kept.items()
            if relationships.needs_lookup(cache_rows.get(i), r.update_time, now)
        ]
        looked = relationships.look_up(
            client=client,
            connection=connection,
            wanted=unchecked,
            budget_tokens=PREVIEW_LOOKUP_BUDGET * relationships.LOOKUP_COST,
        )
        parents = {i: entry[0] for i, entry in cache_rows.items()} | looked.parent_by_org
        children = {i for i in kept if parents.get(i) is not None}
        result.children_excluded = len(children)
        result.children_unchecked = looked.deferred
        for i in children:
            kept.pop(i)
    for record in kept.values():
        if record.status == "active":
            result.active += 1
        else:
            result.churned += 1
    result.sample = [
        {"id": r.id, "name": r.name, "status": r.status}
        for r in sorted(kept.values(), key=lambda r: r.name.lower())[:PREVIEW_SAMPLE]
    ]
    live = CustomerAccount.objects.for_tenant(connection.tenant_id).filter(
        source_connection=connection,
        source_company_id=connection.company_id,
        removed_at__isnull=True,
        pending_removal_since__isnull=True,
    )
    leaving = live.exclude(external_id__in=list(kept)) if len(kept) < 50_000 else live.none()
    result.would_start_removal_count = leaving.count()
    result.would_start_removal = list(leaving.order_by("name")[:50])
    result.api_calls = client.stats.calls
    return result
