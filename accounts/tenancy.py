"""Fail-closed tenancy for tenant-owned models.

A query on a tenant-owned model must say which tenant it is for. `Model.objects.for_tenant(t)` is the
idiom. A queryset that reaches the database without an equality filter on `tenant` raises
`TenantScopeError` instead of silently returning every tenant's rows. Code that must cross tenants
(beat fan-out, Django admin, data migrations) calls `unscoped()`, so the exception is visible in review.

Related managers hanging off an already-loaded object (`account.contacts.all()`) are allowed: the parent
row was itself loaded under a tenant scope.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.db.models.lookups import Exact


class TenantScopeError(RuntimeError):
    pass


# Django's own model validation (unique fields and constraints that do not include the tenant) queries
# the default manager; those look-ups only ask "does a clashing row exist", so they may cross tenants.
_validation_in_progress: ContextVar[bool] = ContextVar("tenant_validation", default=False)


@contextmanager
def _model_validation():
    token = _validation_in_progress.set(True)
    try:
        yield
    finally:
        _validation_in_progress.reset(token)


class TenantQuerySet(models.QuerySet):
    _tenant_scope_waived = False

    def for_tenant(self, tenant: Any) -> TenantQuerySet:
        if tenant is None:
            raise TenantScopeError(f"{self.model.__name__}: for_tenant(None)")
        return self.filter(tenant=tenant)

    def unscoped(self) -> TenantQuerySet:
        """Cross-tenant access. Only for code whose name and comment say why (fan-out, admin)."""
        clone = self._chain()
        clone._tenant_scope_waived = True
        return clone

    # -- propagation and enforcement ----------------------------------------------------------
    def _clone(self):
        clone = super()._clone()
        clone._tenant_scope_waived = self._tenant_scope_waived
        return clone

    def _is_tenant_scoped(self) -> bool:
        if self._tenant_scope_waived or _validation_in_progress.get():
            return True
        where = self.query.where
        if where.connector != "AND" or where.negated:
            return False
        for child in where.children:
            if isinstance(child, Exact) and getattr(child.lhs, "target", None) is not None:
                if child.lhs.target.name == "tenant" and child.lhs.alias == self.query.get_initial_alias():
                    return True
        return False

    def _require_scope(self) -> None:
        if not self._is_tenant_scoped():
            raise TenantScopeError(
                f"{self.model.__name__} queried without a tenant; use for_tenant(tenant) or unscoped()"
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._require_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._require_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._require_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._require_scope()
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        self._require_scope()
        return super().delete()

    delete.alters_data = True


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self) -> TenantQuerySet:
        qs = super().get_queryset()
        # Related managers (parent.children.all()) carry the instance they hang off.
        if getattr(self, "instance", None) is not None:
            qs._tenant_scope_waived = True
        return qs


class TenantOwnedModel(models.Model):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()

    class Meta:
        abstract = True

    def _perform_unique_checks(self, unique_checks):
        with _model_validation():
            return super()._perform_unique_checks(unique_checks)

    def validate_constraints(self, exclude=None):
        with _model_validation():
            return super().validate_constraints(exclude=exclude)
