import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent, Invitation, Membership, Role, Tenant, User
from tests.factories import DEFAULT_PASSWORD, InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.smoke
def test_signup_creates_workspace_with_admin(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "founder@new.test",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
            "company": "Newco",
            "name": "Fay Founder",
        },
    )
    assert response.status_code == 302, response.content
    user = User.objects.get(email="founder@new.test")
    tenant = Tenant.objects.get(name="Newco")
    assert Membership.objects.for_tenant(tenant).get(user=user).role == Role.ADMIN
    page = client.get(reverse("accounts:users"))
    assert page.status_code == 200 and b"Newco" in page.content


def test_signup_requires_a_company_name(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "x@new.test", "password1": "a-long-password-1", "password2": "a-long-password-1"},
    )
    assert response.status_code == 200 and not User.objects.filter(email="x@new.test").exists()
    assert b"This field is required" in response.content


@pytest.mark.smoke
def test_login_is_rate_limited(client, admin_user):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": admin_user.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": admin_user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_email(client, admin_user):
    response = client.post(reverse("account_reset_password"), {"email": admin_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/auth/password/reset/key/" in mail.outbox[0].body


def test_users_page_lists_members_for_admin(admin_client, member_user):
    response = admin_client.get(reverse("accounts:users"))
    assert response.status_code == 200
    assert b"max@acme.test" in response.content and b"Send invitation" in response.content


def test_member_sees_members_read_only(member_client):
    response = member_client.get(reverse("accounts:users"))
    assert response.status_code == 200
    assert b"Send invitation" not in response.content and b"Change role" not in response.content


@pytest.mark.parametrize(
    "method,name,needs_pk",
    [
        ("post", "accounts:invite", False),
        ("post", "accounts:change_role", True),
        ("get", "accounts:remove_member", True),
        ("post", "accounts:remove_member", True),
        ("post", "accounts:revoke_invitation", True),
        ("get", "accounts:audit_log", False),
    ],
)
def test_member_is_refused_admin_actions(member_client, tenant, admin_user, method, name, needs_pk):
    target = Membership.objects.for_tenant(tenant).get(user=admin_user)
    if name == "accounts:revoke_invitation":
        target = InvitationFactory(tenant=tenant)
    url = reverse(name, args=[target.pk] if needs_pk else [])
    response = getattr(member_client, method)(url, {"email": "x@y.test", "role": "admin"})
    assert response.status_code == 403
    assert Membership.objects.for_tenant(tenant).get(user=admin_user).role == Role.ADMIN
    assert not Invitation.objects.for_tenant(tenant).filter(email="x@y.test").exists()


def test_admin_invites_and_changes_role(admin_client, tenant, member_user):
    response = admin_client.post(reverse("accounts:invite"), {"email": "new@acme.test", "role": "member"}, follow=True)
    assert b"Invitation sent to new@acme.test" in response.content
    membership = Membership.objects.for_tenant(tenant).get(user=member_user)
    response = admin_client.post(reverse("accounts:change_role", args=[membership.pk]), {"role": "admin"}, follow=True)
    assert b"is now admin" in response.content
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_bad_invite_input_changes_nothing(admin_client, tenant):
    response = admin_client.post(reverse("accounts:invite"), {"email": "not-an-email", "role": "member"}, follow=True)
    assert b"Enter a valid e-mail address" in response.content
    response = admin_client.post(reverse("accounts:invite"), {"email": "ok@acme.test", "role": "owner"}, follow=True)
    assert not Invitation.objects.for_tenant(tenant).exists()


def test_removing_last_admin_is_refused_with_message(admin_client, tenant, admin_user):
    membership = Membership.objects.for_tenant(tenant).get(user=admin_user)
    response = admin_client.post(reverse("accounts:remove_member", args=[membership.pk]), follow=True)
    assert b"is the last admin" in response.content
    assert Membership.objects.for_tenant(tenant).filter(pk=membership.pk).exists()


def test_other_tenants_ids_are_404(other_client, tenant, admin_user, member_user):
    membership = Membership.objects.for_tenant(tenant).get(user=member_user)
    invitation = InvitationFactory(tenant=tenant)
    for method, name, pk in [
        ("post", "accounts:change_role", membership.pk),
        ("get", "accounts:remove_member", membership.pk),
        ("post", "accounts:remove_member", membership.pk),
        ("post", "accounts:revoke_invitation", invitation.pk),
    ]:
        response = getattr(other_client, method)(reverse(name, args=[pk]), {"role": "admin"})
        assert response.status_code == 404, (name, response.status_code)
    missing = other_client.post(reverse("accounts:change_role", args=[999999]), {"role": "admin"})
    assert missing.status_code == 404
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_audit_log_lists_this_tenant_only(admin_client, tenant, other_tenant, admin_user, other_admin):
    AuditEvent.objects.create(tenant=tenant, actor=admin_user, action="membership.role_changed", target_label="mine")
    AuditEvent.objects.create(
        tenant=other_tenant, actor=other_admin, action="membership.role_changed", target_label="theirs"
    )
    response = admin_client.get(reverse("accounts:audit_log"))
    assert b"mine" in response.content and b"theirs" not in response.content
    filtered = admin_client.get(reverse("accounts:audit_log"), {"action": "invitation."})
    assert b"mine" not in filtered.content


def test_invitation_flow_for_a_new_person(client, tenant, admin_user):
    invitation = services.invitation_create(tenant=tenant, actor=admin_user, email="joiner@acme.test", role=Role.MEMBER)
    url = reverse("accounts:invitation_accept", args=[services.invitation_token(invitation)])
    landing = client.get(url)
    assert landing.status_code == 200 and b"Join Acme Analytics" in landing.content
    signup = client.get(reverse("account_signup"))
    assert b'name="company"' not in signup.content  # the invitation decides the workspace
    response = client.post(
        reverse("account_signup"),
        {"email": "joiner@acme.test", "password1": "a-long-password-1", "password2": "a-long-password-1"},
    )
    assert response.status_code == 302 and response["Location"] == url
    accepted = client.post(url, follow=True)
    assert b"Welcome to Acme Analytics" in accepted.content
    user = User.objects.get(email="joiner@acme.test")
    assert Membership.objects.for_tenant(tenant).get(user=user).role == Role.MEMBER
    assert Tenant.objects.count() == 1


def test_invalid_invitation_link_page(client):
    response = client.get(reverse("accounts:invitation_accept", args=["nonsense"]))
    assert response.status_code == 400 and b"not valid" in response.content


def test_switcher_changes_current_tenant(tenant, other_tenant, admin_user):
    MembershipFactory(tenant=other_tenant, user=admin_user, role=Role.MEMBER)
    client = Client()
    client.force_login(admin_user)
    assert b"Send invitation" in client.get(reverse("accounts:users")).content  # Acme first, alphabetically
    response = client.post(reverse("accounts:switch_tenant"), {"tenant": other_tenant.pk, "next": "/settings/users/"})
    assert response.status_code == 302 and response["Location"] == "/settings/users/"
    page = client.get(reverse("accounts:users"))
    assert b"Globex" in page.content and b"Send invitation" not in page.content


def test_switcher_refuses_foreign_tenant_and_open_redirect(admin_client, other_tenant, tenant):
    assert admin_client.post(reverse("accounts:switch_tenant"), {"tenant": other_tenant.pk}).status_code == 404
    response = admin_client.post(reverse("accounts:switch_tenant"), {"tenant": tenant.pk, "next": "//evil.test/"})
    assert response["Location"] == reverse("home")


def test_user_without_workspace_can_create_one(db):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.get(reverse("accounts:users"))["Location"] == reverse("accounts:no_tenant")
    client.post(reverse("accounts:no_tenant"), {"name": "Fresh Start"})
    assert Membership.objects.unscoped().get(user=user).role == Role.ADMIN


@pytest.mark.smoke
def test_healthz_and_static_assets(client):
    assert client.get("/healthz").json() == {"ok": True}
