"""Reads on customer accounts and contacts. Every one takes the tenant explicitly."""

from __future__ import annotations

from django.db.models import Count, Q

from customers.models import CustomerAccount


def account_counts_for_connection(*, connection) -> dict[str, int]:
    qs = CustomerAccount.objects.for_tenant(connection.tenant_id).filter(
        source_connection=connection, source_company_id=connection.company_id
    )
    return qs.aggregate(
        total=Count("pk", filter=Q(removed_at__isnull=True)),
        active=Count("pk", filter=Q(removed_at__isnull=True, status=CustomerAccount.Status.ACTIVE)),
        churned=Count("pk", filter=Q(removed_at__isnull=True, status=CustomerAccount.Status.CHURNED)),
        pending_removal=Count("pk", filter=Q(removed_at__isnull=True, pending_removal_since__isnull=False)),
    )


SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "status": ("status", "name", "pk"),
    "-status": ("-status", "name", "pk"),
    "last_seen": ("last_seen_at", "pk"),
    "-last_seen": ("-last_seen_at", "-pk"),
    "contacts": ("contact_count", "name", "pk"),
    "-contacts": ("-contact_count", "name", "pk"),
}
STATUS_FILTERS = ("active", "churned", "pending_removal")


def accounts_for_tenant(*, tenant, status: str = "", search: str = "", sort: str = "name"):
    """Visible accounts with their contact count; domains are prefetched by the caller's page slice."""
    from django.db.models import Prefetch

    from customers.models import AccountDomain

    qs = CustomerAccount.objects.for_tenant(tenant).visible()
    if status == "pending_removal":
        qs = qs.filter(pending_removal_since__isnull=False)
    elif status in ("active", "churned"):
        qs = qs.filter(status=status, pending_removal_since__isnull=True)
    if search:
        # A plain (uncorrelated) IN lets PostgreSQL hash the matching ids once instead of probing per account.
        domain_match = (
            AccountDomain.objects.for_tenant(tenant)
            .filter(domain__icontains=search.lower().lstrip("@"))
            .exclude(kind=AccountDomain.Kind.OTHER)
            .values("account_id")
        )
        qs = qs.filter(Q(name__icontains=search) | Q(pk__in=domain_match))
    domains = AccountDomain.objects.for_tenant(tenant).exclude(kind=AccountDomain.Kind.OTHER).order_by("kind", "domain")
    qs = qs.prefetch_related(Prefetch("domains", queryset=domains, to_attr="shown_domains"))
    return qs.select_related("source_connection").order_by(*SORTS.get(sort, SORTS["name"]))


def account_get(*, tenant, pk: int) -> CustomerAccount:
    return CustomerAccount.objects.for_tenant(tenant).visible().select_related("source_connection", "parent").get(pk=pk)


def account_status_counts(*, tenant) -> dict[str, int]:
    qs = CustomerAccount.objects.for_tenant(tenant).visible()
    return qs.aggregate(
        all=Count("pk"),
        active=Count("pk", filter=Q(status=CustomerAccount.Status.ACTIVE, pending_removal_since__isnull=True)),
        churned=Count("pk", filter=Q(status=CustomerAccount.Status.CHURNED, pending_removal_since__isnull=True)),
        pending_removal=Count("pk", filter=Q(pending_removal_since__isnull=False)),
    )
