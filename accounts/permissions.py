"""Who may do what: any member reads, only tenant admins change settings and integrations."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from rest_framework.permissions import BasePermission


def tenant_member_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.tenant is None:
            return redirect("accounts:no_tenant")
        return view(request, *args, **kwargs)

    return wrapper


def tenant_admin_required(view):
    @tenant_member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_admin:
            raise PermissionDenied("Only admins of this workspace can do that.")
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Only Staircase staff can do that.")
        return view(request, *args, **kwargs)

    return wrapper


class IsTenantMember(BasePermission):
    message = "You are not a member of a workspace."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and getattr(request, "tenant", None))


class IsTenantAdmin(IsTenantMember):
    message = "Only admins of this workspace can do that."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.membership.is_admin
