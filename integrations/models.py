"""A tenant's link to its CRM and what hangs off it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.tenancy import TenantOwnedModel
from staircase.crypto import EncryptedTextField


class Connection(TenantOwnedModel):
    """One tenant's Pipedrive install: which company, whose grant, and the (encrypted) tokens."""

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_REAUTH = "needs_reauth", "Needs re-authorization"
        DISCONNECTED = "disconnected", "Disconnected"

    class Purge(models.TextChoices):
        NONE = "", "—"
        RUNNING = "running", "Deleting"
        DONE = "done", "Deleted"
        FAILED = "failed", "Failed"

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="connections")
    provider = models.CharField(max_length=32, default="pipedrive")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONNECTED)

    company_id = models.BigIntegerField()
    company_name = models.CharField(max_length=255, blank=True)
    company_domain = models.CharField(max_length=255, blank=True)
    api_domain = models.URLField(max_length=255)
    external_user_id = models.BigIntegerField()
    external_user_name = models.CharField(max_length=255, blank=True)
    external_user_email = models.CharField(max_length=254, blank=True)
    scopes = models.CharField(max_length=1000, blank=True)

    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=500, blank=True)

    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    disconnected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_pending = models.BooleanField(default=False, help_text="A revoke at Pipedrive still has to succeed")

    purge_status = models.CharField(max_length=16, choices=Purge.choices, blank=True, default="")
    purge_total = models.PositiveIntegerField(default=0)
    purge_done = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "provider"], name="connection_one_per_provider"),
            # A Pipedrive company feeds at most one live connection, whichever tenant holds it.
            models.UniqueConstraint(
                fields=["provider", "company_id"],
                condition=~models.Q(status="disconnected"),
                name="connection_company_unique_live",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} · {self.company_name or self.company_id} ({self.status})"

    def __repr__(self) -> str:
        return f"<Connection {self.pk} tenant={self.tenant_id} company={self.company_id} {self.status}>"

    def get_provider_display(self) -> str:
        return self.provider.capitalize()

    @property
    def label(self) -> str:
        return f"Pipedrive · {self.company_name or self.company_id}"

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.CONNECTED

    @property
    def company_url(self) -> str:
        return f"https://{self.company_domain}.pipedrive.com" if self.company_domain else self.api_domain

    @property
    def purge_percent(self) -> int:
        return 100 if not self.purge_total else min(100, round(100 * self.purge_done / self.purge_total))


class SyncConfig(TenantOwnedModel):
    """What to pull from one connection and how often. Written by the Pipedrive settings page."""

    INTERVAL_CHOICES = [
        (1, "Every hour"),
        (2, "Every 2 hours"),
        (4, "Every 4 hours"),
        (6, "Every 6 hours"),
        (12, "Every 12 hours"),
    ]

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="sync_config")

    status_field_key = models.CharField(max_length=64, blank=True)
    status_field_name = models.CharField(max_length=255, blank=True)
    status_field_type = models.CharField(
        max_length=8, blank=True, choices=[("enum", "Single option"), ("set", "Multiple options")]
    )
    active_option_ids = models.JSONField(default=list, blank=True)
    churn_option_ids = models.JSONField(default=list, blank=True)
    option_labels = models.JSONField(default=dict, blank=True, help_text="Option id → label when last saved")
    removal_grace_days = models.PositiveSmallIntegerField(default=3)
    sync_interval_hours = models.PositiveSmallIntegerField(default=2, choices=INTERVAL_CHOICES)
    include_children = models.BooleanField(
        "include child organizations",
        default=False,
        help_text="Pull child organizations too. Staff only: it costs Pipedrive API tokens.",
    )
    mass_removal_threshold_pct = models.PositiveSmallIntegerField(default=30)
    relationship_budget_pct = models.PositiveSmallIntegerField(
        default=10, help_text="Share of the company's daily API budget one run may spend on parent look-ups"
    )
    configured_at = models.DateTimeField(null=True, blank=True)
    configured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Scheduling and incremental state, written only by the sync engine.
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sync_requested_at = models.DateTimeField(null=True, blank=True, help_text="Last Sync now / settings save")
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    orgs_high_water = models.DateTimeField(null=True, blank=True)
    persons_high_water = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Sync settings of {self.connection}"

    @property
    def is_configured(self) -> bool:
        return bool(self.status_field_key and self.active_option_ids)

    def is_queued(self, latest_run: SyncRun | None) -> bool:
        """A sync was asked for and no run has started since: the history keeps polling."""
        if self.sync_requested_at is None:
            return False
        return latest_run is None or latest_run.started_at < self.sync_requested_at

    @property
    def selected_option_ids(self) -> set[int]:
        return {int(i) for i in self.active_option_ids} | {int(i) for i in self.churn_option_ids}


class SyncRun(TenantOwnedModel):
    class Kind(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        HALTED = "halted", "Halted"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Sync now"
        CONNECT = "connect", "First sync"
        COMMAND = "command", "Command line"

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.SCHEDULE)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    step = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    orgs_seen = models.PositiveIntegerField(default=0)
    orgs_kept = models.PositiveIntegerField(default=0)
    children_excluded = models.PositiveIntegerField(default=0)
    accounts_added = models.PositiveIntegerField(default=0)
    accounts_updated = models.PositiveIntegerField(default=0)
    accounts_restored = models.PositiveIntegerField(default=0)
    accounts_pending_removal = models.PositiveIntegerField(default=0)
    accounts_removed = models.PositiveIntegerField(default=0)
    contacts_upserted = models.PositiveIntegerField(default=0)
    domains_added = models.PositiveIntegerField(default=0)
    domains_removed = models.PositiveIntegerField(default=0)
    relationship_lookups = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    token_cost = models.PositiveIntegerField(default=0)
    removals_held = models.BooleanField(default=False)
    held_removal_ids = models.JSONField(default=list, blank=True)
    error_message = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["connection", "-started_at"]), models.Index(fields=["tenant", "outcome"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sync {self.started_at:%Y-%m-%d %H:%M} ({self.outcome})"

    @property
    def duration(self):
        end = self.finished_at or timezone.now()
        return end - self.started_at


class OrgRelationshipCheck(TenantOwnedModel):
    """The last parent look-up of one Pipedrive org (20 tokens each, NOTES §3.5), reused for a week."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="+")
    org_id = models.BigIntegerField()
    parent_org_id = models.BigIntegerField(null=True, blank=True)
    org_update_time = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "org_id"], name="relcheck_unique_org")]
