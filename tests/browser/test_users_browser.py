import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Membership, Role, Tenant
from tests.browser.conftest import login, logout
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.smoke
def test_signup_lands_as_admin(page):
    page.goto("/")
    page.get_by_role("link", name="sign up").click()
    page.get_by_label("Email").fill("founder@newco.test")
    page.get_by_label("Your name").fill("Fay Founder")
    page.get_by_label("Company name").fill("Newco")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a-long-password-1")
    page.get_by_label("Password (again)").fill("a-long-password-1")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Accounts", exact=True)).to_be_visible()
    expect(page.locator(".sidebar")).to_contain_text("Newco")
    expect(page.locator(".sidebar")).to_contain_text("Admin")
    page.locator(".sidebar summary", has_text="Settings").click()
    page.get_by_role("link", name="Users & Permissions").click()
    expect(page.locator("#members")).to_contain_text("founder@newco.test")
    tenant = Tenant.objects.get(name="Newco")
    assert Membership.objects.for_tenant(tenant).get(user__email="founder@newco.test").role == Role.ADMIN


def test_invite_accept_and_change_role(page, tenant, admin_user):
    login(page, admin_user.email, DEFAULT_PASSWORD)
    page.goto("/settings/users/")
    page.get_by_label("E-mail address").fill("newbie@acme.test")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".flash-success")).to_contain_text("Invitation sent to newbie@acme.test")
    expect(page.locator("#invitations")).to_contain_text("newbie@acme.test")
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    logout(page)

    page.goto("/" + path)
    expect(page.get_by_role("heading", name="Join Acme Analytics")).to_be_visible()
    page.get_by_role("link", name="Create your login").click()
    expect(page.get_by_label("Company name")).to_have_count(0)
    page.get_by_label("Email").fill("newbie@acme.test")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a-long-password-1")
    page.get_by_label("Password (again)").fill("a-long-password-1")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.locator(".flash-success")).to_contain_text("Welcome to Acme Analytics")
    expect(page.locator(".sidebar")).to_contain_text("Member")
    logout(page)

    login(page, admin_user.email, DEFAULT_PASSWORD)
    page.goto("/settings/users/")
    row = page.locator("tr", has_text="newbie@acme.test")
    row.get_by_label("Role of newbie@acme.test").select_option("admin")
    row.get_by_role("button", name="Change role").click()
    expect(page.locator(".flash-success")).to_contain_text("newbie@acme.test is now admin")
    assert Membership.objects.for_tenant(tenant).get(user__email="newbie@acme.test").role == Role.ADMIN
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("#audit")).to_contain_text("membership.role_changed")
    expect(page.locator("#audit")).to_contain_text("invitation.accepted")


def test_member_is_refused_admin_pages(page, member_user):
    login(page, member_user.email, DEFAULT_PASSWORD)
    page.goto("/settings/users/")
    expect(page.get_by_role("button", name="Send invitation")).to_have_count(0)
    expect(page.locator(".sidebar")).not_to_contain_text("Audit log")
    response = page.goto("/settings/audit-log/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You can’t do that here")).to_be_visible()


def test_other_tenant_gets_404_on_membership_ids(page, tenant, member_user, other_admin):
    membership = Membership.objects.for_tenant(tenant).get(user=member_user)
    login(page, other_admin.email, DEFAULT_PASSWORD)
    response = page.goto(f"/settings/users/{membership.pk}/remove/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()


def test_removing_last_admin_is_refused(page, tenant, admin_user, member_user):
    login(page, admin_user.email, DEFAULT_PASSWORD)
    page.goto("/settings/users/")
    page.locator("tr", has_text=admin_user.email).get_by_role("link", name="Remove").click()
    page.get_by_role("button", name=re.compile("Remove from")).click()
    expect(page.locator(".flash-error")).to_contain_text("is the last admin of Acme Analytics and cannot be removed")
    assert Membership.objects.for_tenant(tenant).filter(user=admin_user).exists()
