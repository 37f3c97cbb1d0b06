"""Fixtures shared by every test package: two tenants, each with an admin and a member."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.factories import MembershipFactory, TenantFactory, UserFactory


@pytest.fixture
def tenant(db):
    return TenantFactory(name="Acme Analytics", slug="acme")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(name="Globex", slug="globex")


@pytest.fixture
def admin_user(tenant):
    user = UserFactory(email="ada@acme.test", name="Ada Admin")
    MembershipFactory(tenant=tenant, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def member_user(tenant):
    user = UserFactory(email="max@acme.test", name="Max Member")
    MembershipFactory(tenant=tenant, user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def other_admin(other_tenant):
    user = UserFactory(email="olga@globex.test", name="Olga Other")
    MembershipFactory(tenant=other_tenant, user=user, role=Role.ADMIN)
    return user


def _client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin_user):
    from django.test import Client

    return _client_for(Client, admin_user)


@pytest.fixture
def member_client(member_user):
    from django.test import Client

    return _client_for(Client, member_user)


@pytest.fixture
def other_client(other_admin):
    from django.test import Client

    return _client_for(Client, other_admin)


@pytest.fixture(scope="session", autouse=True)
def _remove_test_queue_folder():
    """The test settings give each run its own filesystem-transport folder; tidy it away afterwards."""
    import os
    import shutil
    import tempfile

    yield
    folder = os.environ.get("CELERY_FILESYSTEM_DIR", "")
    if folder.startswith(os.path.join(tempfile.gettempdir(), "staircase-celery-")):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def _demo_sandbox():
    from sandbox.testing import running_sandbox

    with running_sandbox() as sb:
        yield sb


@pytest.fixture
def sandbox(_demo_sandbox, settings):
    """The demo sandbox (in-process, ephemeral port), reset to its fixture, with the app pointed at it."""
    _demo_sandbox.reset()
    _demo_sandbox.control(
        "POST",
        "clients",
        {
            "client_id": settings.PIPEDRIVE_CLIENT_ID,
            "client_secret": settings.PIPEDRIVE_CLIENT_SECRET,
            "redirect_uri": settings.PIPEDRIVE_REDIRECT_URI,
        },
    )
    settings.PIPEDRIVE_OAUTH_BASE_URL = _demo_sandbox.url
    settings.PIPEDRIVE_ALLOWED_API_ORIGINS = [_demo_sandbox.url]
    return _demo_sandbox


@pytest.fixture(scope="session")
def _generated_sandbox():
    from sandbox.testing import running_sandbox

    with running_sandbox(orgs=160, persons_per_org=3, seed=11) as sb:
        yield sb


@pytest.fixture
def gen_sandbox(_generated_sandbox, settings):
    """A sandbox with 160 generated orgs (parents and children, varied statuses), reset for each test."""
    _generated_sandbox.reset()
    settings.PIPEDRIVE_OAUTH_BASE_URL = _generated_sandbox.url
    settings.PIPEDRIVE_ALLOWED_API_ORIGINS = [_generated_sandbox.url]
    return _generated_sandbox
