"""The customer accounts a tenant follows, their contacts and their inferred web domains."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.tenancy import TenantManager, TenantOwnedModel, TenantQuerySet


class AccountQuerySet(TenantQuerySet):
    def visible(self) -> AccountQuerySet:
        return self.filter(removed_at__isnull=True)


AccountManager = TenantManager.from_queryset(AccountQuerySet)


class CustomerAccount(TenantOwnedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CHURNED = "churned", "Churned"

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    source_connection = models.ForeignKey(
        "integrations.Connection", null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    source_company_id = models.BigIntegerField(help_text="Pipedrive company the org belongs to")
    external_id = models.BigIntegerField(help_text="Pipedrive organization id")
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices)
    status_option_ids = models.JSONField(default=list, blank=True)
    owner_external_id = models.BigIntegerField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    parent_external_id = models.BigIntegerField(null=True, blank=True)
    website = models.CharField(max_length=500, blank=True)
    source_people_count = models.PositiveIntegerField(default=0, help_text="Persons of the org in Pipedrive")
    contact_count = models.PositiveIntegerField(default=0, help_text="Contacts in Staircase; kept by the sync")
    source_updated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    pending_removal_since = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = AccountManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "source_company_id", "external_id"], name="account_unique_external"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "removed_at", "status"]),
            models.Index(fields=["tenant", "removed_at", "name"]),
            models.Index(fields=["tenant", "removed_at", "contact_count"]),
            models.Index(fields=["source_connection", "removed_at"]),
            models.Index(fields=["tenant", "pending_removal_since"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_status(self) -> str:
        if self.removed_at:
            return "removed"
        if self.pending_removal_since:
            return "pending_removal"
        return self.status


class Contact(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="contacts")
    source_company_id = models.BigIntegerField()
    external_id = models.BigIntegerField(help_text="Pipedrive person id")
    name = models.CharField(max_length=255, blank=True)
    emails = models.JSONField(default=list, blank=True, help_text="E-mail addresses, primary first")
    primary_email = models.CharField(max_length=320, blank=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "source_company_id", "external_id"], name="contact_unique_external"
            ),
        ]
        indexes = [models.Index(fields=["account", "name"])]

    def __str__(self) -> str:
        return self.name or self.primary_email or f"Person {self.external_id}"


class AccountDomain(TenantOwnedModel):
    """A corporate e-mail domain used by an account's contacts, and what the inference made of it.

    Rows of kind `other` are the per-account domain counts the inference works from; keeping them lets an
    incremental sync recompute only the accounts whose contacts changed and those sharing their domains.
    """

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        OTHER = "other", "Other"

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    contacts = models.PositiveIntegerField(default=0, help_text="Contacts with an address at this domain")
    primary_contacts = models.PositiveIntegerField(default=0, help_text="…whose primary address is at it")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "domain"], name="account_domain_unique")]
        indexes = [models.Index(fields=["tenant", "domain"]), models.Index(fields=["account", "kind"])]

    def __str__(self) -> str:
        return f"{self.domain} ({self.kind})"


class DomainRules(TenantOwnedModel):
    """A tenant's adjustments to domain inference, edited on the Pipedrive settings page."""

    tenant = models.OneToOneField("accounts.Tenant", on_delete=models.CASCADE, related_name="domain_rules")
    allow = models.JSONField(default=list, blank=True, help_text="Free-mail domains that are real customers")
    block = models.JSONField(default=list, blank=True, help_text="Domains that never count (your own, agencies)")
    min_secondary_contacts = models.PositiveSmallIntegerField(default=3)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "domain rules"

    def __str__(self) -> str:
        return f"Domain rules of {self.tenant}"
