"""Sets request.tenant and request.membership from the session's chosen tenant."""

from __future__ import annotations

from django.http import HttpRequest

CURRENT_TENANT_SESSION_KEY = "staircase.tenant_id"
PENDING_INVITATION_SESSION_KEY = "staircase.invitation"


def current_membership(request: HttpRequest):
    user = request.user
    if not user.is_authenticated:
        return None, []
    memberships = list(user.memberships.select_related("tenant").order_by("tenant__name", "tenant_id"))
    wanted = request.session.get(CURRENT_TENANT_SESSION_KEY)
    current = next((m for m in memberships if m.tenant_id == wanted), None)
    if current is None and memberships:
        current = memberships[0]
    return current, memberships


class CurrentTenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        membership, memberships = current_membership(request)
        request.membership = membership
        request.memberships = memberships
        request.tenant = membership.tenant if membership else None
        return self.get_response(request)


def switch_tenant(request: HttpRequest, tenant_id: int) -> bool:
    if any(m.tenant_id == tenant_id for m in getattr(request, "memberships", [])):
        request.session[CURRENT_TENANT_SESSION_KEY] = tenant_id
        return True
    return False
