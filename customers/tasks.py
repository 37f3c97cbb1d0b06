from __future__ import annotations

from celery import shared_task

from accounts.models import Tenant
from customers.domain_sync import domains_refresh


@shared_task(acks_late=True)
def refresh_domains(tenant_id: int) -> None:
    """After the tenant's domain rules changed: recompute every account's domains."""
    if Tenant.objects.filter(pk=tenant_id).exists():
        domains_refresh(tenant_id=tenant_id)
