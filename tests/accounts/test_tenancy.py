import pytest

from accounts.models import AuditEvent, Membership
from accounts.tenancy import TenantScopeError
from tests.factories import MembershipFactory


@pytest.fixture
def two_tenants(tenant, other_tenant, admin_user, other_admin):
    return tenant, other_tenant


def test_unscoped_query_refuses_to_run(two_tenants):
    with pytest.raises(TenantScopeError):
        list(Membership.objects.all())
    with pytest.raises(TenantScopeError):
        Membership.objects.filter(role="admin").count()
    with pytest.raises(TenantScopeError):
        Membership.objects.exists()
    with pytest.raises(TenantScopeError):
        Membership.objects.filter(role="admin").update(role="member")
    with pytest.raises(TenantScopeError):
        Membership.objects.filter(role="admin").delete()
    with pytest.raises(TenantScopeError):
        Membership.objects.get(pk=1)


def test_for_tenant_sees_only_that_tenant(two_tenants, admin_user, other_admin):
    tenant, other = two_tenants
    assert [m.user for m in Membership.objects.for_tenant(tenant)] == [admin_user]
    assert [m.user for m in Membership.objects.for_tenant(other)] == [other_admin]
    with pytest.raises(Membership.DoesNotExist):
        Membership.objects.for_tenant(tenant).get(user=other_admin)


def test_for_tenant_none_fails_closed(two_tenants):
    with pytest.raises(TenantScopeError):
        Membership.objects.for_tenant(None)


def test_an_or_filter_on_tenant_is_not_a_scope(two_tenants):
    from django.db.models import Q

    tenant, other = two_tenants
    with pytest.raises(TenantScopeError):
        list(Membership.objects.filter(Q(tenant=tenant) | Q(tenant=other)))


def test_scope_survives_chaining_and_unscoped_is_explicit(two_tenants):
    tenant, _ = two_tenants
    qs = Membership.objects.for_tenant(tenant).filter(role="admin").order_by("pk").select_related("user")
    assert qs.count() == 1
    assert Membership.objects.unscoped().count() == 2


def test_related_managers_of_loaded_objects_work(two_tenants, admin_user):
    tenant, _ = two_tenants
    MembershipFactory(tenant=tenant)
    assert tenant.memberships.count() == 2
    assert [m.tenant for m in admin_user.memberships.all()] == [tenant]


def test_audit_events_are_scoped_too(two_tenants):
    with pytest.raises(TenantScopeError):
        list(AuditEvent.objects.all())


def test_model_validation_of_uniques_still_works(two_tenants, admin_user):
    from django.core.exceptions import ValidationError

    tenant, _ = two_tenants
    duplicate = Membership(tenant=tenant, user=admin_user, role="member")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(TenantScopeError):  # and the waiver ends with the validation
        list(Membership.objects.all())
