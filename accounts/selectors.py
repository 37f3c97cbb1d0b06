"""Reads on memberships, invitations and the audit log. Every one takes the tenant explicitly."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import AuditEvent, Invitation, Membership, Tenant


def memberships_for_tenant(*, tenant: Tenant) -> QuerySet[Membership]:
    return Membership.objects.for_tenant(tenant).select_related("user").order_by("user__email")


def membership_get(*, tenant: Tenant, pk: int) -> Membership:
    """Raises Membership.DoesNotExist for a missing id and for another tenant's id alike."""
    return Membership.objects.for_tenant(tenant).select_related("user").get(pk=pk)


def invitations_pending(*, tenant: Tenant) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_tenant(tenant)
        .filter(status=Invitation.Status.PENDING)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_get(*, tenant: Tenant, pk: int) -> Invitation:
    return Invitation.objects.for_tenant(tenant).get(pk=pk)


def audit_events_for_tenant(*, tenant: Tenant, action_prefix: str = "") -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.for_tenant(tenant).select_related("actor")
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix)
    return qs.order_by("-created_at", "-id")
