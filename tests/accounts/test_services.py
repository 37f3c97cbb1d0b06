import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, Invitation, Membership, Role
from staircase.exceptions import ApplicationError
from tests.factories import InvitationFactory, MembershipFactory, UserFactory


def actions(tenant):
    return list(AuditEvent.objects.for_tenant(tenant).order_by("id").values_list("action", flat=True))


def test_tenant_create_makes_owner_admin(db):
    owner = UserFactory()
    tenant = services.tenant_create(name="  Initech  ", owner=owner)
    assert tenant.name == "Initech" and tenant.slug == "initech"
    assert Membership.objects.for_tenant(tenant).get(user=owner).role == Role.ADMIN
    assert actions(tenant) == ["tenant.created"]


def test_tenant_slug_is_unique(db):
    a = services.tenant_create(name="Initech", owner=UserFactory())
    b = services.tenant_create(name="Initech", owner=UserFactory())
    assert a.slug != b.slug


def test_tenant_create_rejects_blank_name(db):
    with pytest.raises(ApplicationError):
        services.tenant_create(name="   ", owner=UserFactory())


def test_invite_sends_signed_link_and_accept_creates_membership(tenant, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            tenant=tenant, actor=admin_user, email="New@Person.test", role=Role.MEMBER
        )
    assert invitation.email == "new@person.test"
    assert len(mail.outbox) == 1
    match = re.search(r"http://127\.0\.0\.1:8000/invitations/([^/\s]+)/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    token = match.group(1)
    invitee = UserFactory(email="new@person.test")
    membership = services.invitation_accept(token=token, user=invitee)
    assert membership.tenant == tenant and membership.role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.sent_at is not None
    assert actions(tenant)[-2:] == ["invitation.sent", "invitation.accepted"]


def test_invitation_link_is_single_use(tenant, admin_user):
    invitation = services.invitation_create(tenant=tenant, actor=admin_user, email="a@b.test", role=Role.MEMBER)
    token = services.invitation_token(invitation)
    user = UserFactory(email="a@b.test")
    services.invitation_accept(token=token, user=user)
    with pytest.raises(ApplicationError, match="already been used"):
        services.invitation_accept(token=token, user=user)


def test_invitation_link_expires(tenant, admin_user, settings):
    invitation = services.invitation_create(tenant=tenant, actor=admin_user, email="late@b.test", role=Role.MEMBER)
    token = services.invitation_token(invitation)
    Invitation.objects.for_tenant(tenant).filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS + 1)
    )
    with pytest.raises(ApplicationError, match="expired"):
        services.invitation_accept(token=token, user=UserFactory(email="late@b.test"))


def test_signature_expiry_is_enforced(tenant, admin_user, settings, monkeypatch):
    invitation = services.invitation_create(tenant=tenant, actor=admin_user, email="sig@b.test", role=Role.MEMBER)
    token = services.invitation_token(invitation)
    later = timezone.now().timestamp() + (settings.INVITATION_MAX_AGE_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(ApplicationError, match="expired"):
        services.invitation_from_token(token)


@pytest.mark.parametrize("token", ["", "garbage", "eyJpIjoxfQ:1tampered:sig"])
def test_tampered_invitation_token_is_rejected(db, token):
    with pytest.raises(ApplicationError, match="not valid"):
        services.invitation_from_token(token)


def test_invitation_for_someone_else_is_refused(tenant, admin_user):
    invitation = services.invitation_create(tenant=tenant, actor=admin_user, email="right@b.test", role=Role.MEMBER)
    with pytest.raises(ApplicationError, match="is for right@b.test"):
        services.invitation_accept(token=services.invitation_token(invitation), user=UserFactory(email="wrong@b.test"))
    assert not Membership.objects.for_tenant(tenant).filter(user__email="wrong@b.test").exists()


def test_inviting_an_existing_member_is_refused(tenant, admin_user, member_user):
    with pytest.raises(ApplicationError, match="already a member"):
        services.invitation_create(tenant=tenant, actor=admin_user, email=member_user.email.upper(), role=Role.ADMIN)


def test_inviting_twice_refreshes_one_invitation(tenant, admin_user):
    first = services.invitation_create(tenant=tenant, actor=admin_user, email="twice@b.test", role=Role.MEMBER)
    second = services.invitation_create(tenant=tenant, actor=admin_user, email="twice@b.test", role=Role.ADMIN)
    assert first.pk == second.pk and second.role == Role.ADMIN
    assert Invitation.objects.for_tenant(tenant).count() == 1


def test_invalid_role_is_refused(tenant, admin_user, member_user):
    with pytest.raises(ApplicationError):
        services.invitation_create(tenant=tenant, actor=admin_user, email="x@b.test", role="owner")
    membership = Membership.objects.for_tenant(tenant).get(user=member_user)
    with pytest.raises(ApplicationError):
        services.membership_change_role(tenant=tenant, actor=admin_user, membership=membership, role="god")


def test_last_admin_cannot_be_demoted_or_removed(tenant, admin_user, member_user):
    admin_membership = Membership.objects.for_tenant(tenant).get(user=admin_user)
    with pytest.raises(ApplicationError, match="last admin"):
        services.membership_change_role(tenant=tenant, actor=admin_user, membership=admin_membership, role=Role.MEMBER)
    with pytest.raises(ApplicationError, match="last admin"):
        services.membership_remove(tenant=tenant, actor=admin_user, membership=admin_membership)
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN


def test_role_change_and_removal_with_a_second_admin(tenant, admin_user, member_user):
    membership = Membership.objects.for_tenant(tenant).get(user=member_user)
    services.membership_change_role(tenant=tenant, actor=admin_user, membership=membership, role=Role.ADMIN)
    admin_membership = Membership.objects.for_tenant(tenant).get(user=admin_user)
    services.membership_change_role(tenant=tenant, actor=member_user, membership=admin_membership, role=Role.MEMBER)
    services.membership_remove(tenant=tenant, actor=member_user, membership=admin_membership)
    assert list(Membership.objects.for_tenant(tenant).values_list("user__email", flat=True)) == [member_user.email]
    event = AuditEvent.objects.for_tenant(tenant).filter(action="membership.role_changed").first()
    assert event.details == {"from": "admin", "to": "member"} and event.actor == member_user
    assert "membership.removed" in actions(tenant)


def test_other_tenants_last_admin_does_not_count(tenant, other_tenant, admin_user, other_admin):
    admin_membership = Membership.objects.for_tenant(tenant).get(user=admin_user)
    with pytest.raises(ApplicationError):
        services.membership_remove(tenant=tenant, actor=admin_user, membership=admin_membership)


def test_revoke_invitation(tenant, admin_user):
    invitation = InvitationFactory(tenant=tenant)
    services.invitation_revoke(tenant=tenant, actor=admin_user, invitation=invitation)
    with pytest.raises(ApplicationError, match="already been used or was withdrawn"):
        services.invitation_from_token(services.invitation_token(invitation))


def test_purge_expired_invitations_crosses_tenants(tenant, other_tenant, settings):
    old = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS + 1)
    InvitationFactory(tenant=tenant, created_at=old)
    InvitationFactory(tenant=other_tenant, created_at=old)
    fresh = InvitationFactory(tenant=tenant)
    assert services.invitations_purge_expired() == 2
    assert list(Invitation.objects.unscoped().values_list("pk", flat=True)) == [fresh.pk]


def test_membership_unique_per_tenant(tenant, admin_user):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MembershipFactory(tenant=tenant, user=admin_user)
