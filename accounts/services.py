"""Writes on users, tenants, memberships and invitations. Views parse input and call one of these."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import audit_record
from accounts.models import Invitation, Membership, Role, Tenant, User
from staircase.exceptions import ApplicationError

INVITATION_SALT = "staircase.invitation"


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Tenant.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def tenant_create(*, name: str, owner: User) -> Tenant:
    name = name.strip()
    if not name:
        raise ApplicationError("A company name is required.")
    tenant = Tenant(name=name, slug=_unique_slug(name))
    tenant.full_clean()
    tenant.save()
    Membership.objects.create(tenant=tenant, user=owner, role=Role.ADMIN)
    audit_record(tenant=tenant, actor=owner, action="tenant.created", target=tenant)
    return tenant


def _lock_tenant(tenant: Tenant) -> None:
    """Serialise membership changes of one tenant, so two admins cannot demote each other at once."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()


def _other_admins_exist(*, tenant: Tenant, excluding: Membership) -> bool:
    return Membership.objects.for_tenant(tenant).filter(role=Role.ADMIN).exclude(pk=excluding.pk).exists()


@transaction.atomic
def membership_change_role(*, tenant: Tenant, actor: User, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ApplicationError(f"Unknown role “{role}”.")
    _lock_tenant(tenant)
    membership = Membership.objects.for_tenant(tenant).get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == Role.ADMIN and not _other_admins_exist(tenant=tenant, excluding=membership):
        raise ApplicationError(
            f"{membership.user.email} is the last admin of {tenant.name}. Make someone else an admin first."
        )
    old = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="membership.role_changed",
        target=membership,
        target_label=membership.user.email,
        details={"from": old, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, tenant: Tenant, actor: User, membership: Membership) -> None:
    _lock_tenant(tenant)
    membership = Membership.objects.for_tenant(tenant).get(pk=membership.pk)
    if membership.role == Role.ADMIN and not _other_admins_exist(tenant=tenant, excluding=membership):
        raise ApplicationError(f"{membership.user.email} is the last admin of {tenant.name} and cannot be removed.")
    audit_record(
        tenant=tenant,
        actor=actor,
        action="membership.removed",
        target=membership,
        target_label=membership.user.email,
        details={"role": membership.role},
    )
    membership.delete()


# --- invitations ----------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "t": invitation.tenant_id}, salt=INVITATION_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:invitation_accept", args=[invitation_token(invitation)])


@transaction.atomic
def invitation_create(*, tenant: Tenant, actor: User, email: str, role: str) -> Invitation:
    email = User.objects.normalize_email(email.strip()).lower()
    if role not in Role.values:
        raise ApplicationError(f"Unknown role “{role}”.")
    if Membership.objects.for_tenant(tenant).filter(user__email__iexact=email).exists():
        raise ApplicationError(f"{email} is already a member of {tenant.name}.")
    invitation = Invitation.objects.for_tenant(tenant).filter(email=email, status=Invitation.Status.PENDING).first()
    if invitation is None:
        invitation = Invitation(tenant=tenant, email=email, role=role, invited_by=actor)
    else:
        # Inviting again refreshes the link and the role instead of piling up duplicates.
        invitation.role, invitation.invited_by, invitation.created_at = role, actor, timezone.now()
    invitation.full_clean()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as exc:
        raise ApplicationError(f"An invitation for {email} is already pending.") from exc
    audit_record(
        tenant=tenant,
        actor=actor,
        action="invitation.sent",
        target=invitation,
        target_label=email,
        details={"role": role},
    )
    from accounts.tasks import deliver_invitation

    transaction.on_commit(lambda: deliver_invitation.delay(invitation.pk))
    return invitation


def invitation_deliver(*, invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "url": invitation_url(invitation),
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
    }
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}You are invited to {invitation.tenant.name}",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link points at, or ApplicationError saying why the link is no good."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ApplicationError("This invitation link has expired. Ask an admin to invite you again.") from exc
    except signing.BadSignature as exc:
        raise ApplicationError("This invitation link is not valid.") from exc
    try:
        invitation = Invitation.objects.unscoped().select_related("tenant").get(pk=payload["i"], tenant_id=payload["t"])
    except (Invitation.DoesNotExist, KeyError, TypeError) as exc:
        raise ApplicationError("This invitation link is not valid.") from exc
    if invitation.status != Invitation.Status.PENDING:
        raise ApplicationError("This invitation has already been used or was withdrawn.")
    if invitation.created_at < timezone.now() - max_age:
        raise ApplicationError("This invitation link has expired. Ask an admin to invite you again.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.unscoped().select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ApplicationError("This invitation has already been used or was withdrawn.")
    if invitation.email.lower() != user.email.lower():
        raise ApplicationError(f"This invitation is for {invitation.email}, but you are signed in as {user.email}.")
    tenant = invitation.tenant
    membership, created = Membership.objects.for_tenant(tenant).get_or_create(
        tenant=tenant, user=user, defaults={"role": invitation.role}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_at"])
    audit_record(
        tenant=tenant,
        actor=user,
        action="invitation.accepted",
        target=membership,
        target_label=user.email,
        details={"role": membership.role, "new_member": created},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, tenant: Tenant, actor: User, invitation: Invitation) -> None:
    invitation = Invitation.objects.for_tenant(tenant).select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ApplicationError("Only a pending invitation can be withdrawn.")
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    audit_record(
        tenant=tenant, actor=actor, action="invitation.revoked", target=invitation, target_label=invitation.email
    )


def invitations_purge_expired() -> int:
    """Delete pending invitations whose links can no longer work. Crosses tenants: beat housekeeping."""
    cutoff = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    deleted, _ = Invitation.objects.unscoped().filter(status=Invitation.Status.PENDING, created_at__lt=cutoff).delete()
    return deleted
