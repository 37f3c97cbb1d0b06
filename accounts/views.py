"""Settings → Users & Permissions, the audit log, invitations and the workspace switcher."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import InviteForm, RoleForm, TenantCreateForm, TenantSwitchForm
from accounts.middleware import CURRENT_TENANT_SESSION_KEY, PENDING_INVITATION_SESSION_KEY, switch_tenant
from accounts.models import Invitation, Membership
from accounts.permissions import tenant_admin_required, tenant_member_required
from staircase.exceptions import ApplicationError

AUDIT_ACTION_FILTERS = [
    ("membership.", "people and roles"),
    ("invitation.", "invitations"),
    ("connection.", "integrations"),
    ("sync_config.", "sync settings"),
    ("sync.", "syncs"),
]


def _attempt(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Run one service call; flash its ApplicationError or the success message."""
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _membership_or_404(request: HttpRequest, pk: int) -> Membership:
    try:
        return selectors.membership_get(tenant=request.tenant, pk=pk)
    except Membership.DoesNotExist as exc:
        raise Http404("No such member") from exc


@tenant_member_required
def users(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/users.html",
        {
            "memberships": selectors.memberships_for_tenant(tenant=request.tenant),
            "invitations": selectors.invitations_pending(tenant=request.tenant) if request.membership.is_admin else [],
            "invite_form": InviteForm(),
            "roles": RoleForm.base_fields["role"].choices,
            "invitation_days": settings.INVITATION_MAX_AGE_DAYS,
        },
    )


@tenant_admin_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid e-mail address and role to send an invitation.")
        return redirect("accounts:users")
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    _attempt(
        request,
        lambda: services.invitation_create(tenant=request.tenant, actor=request.user, email=email, role=role),
        f"Invitation sent to {email}.",
    )
    return redirect("accounts:users")


@tenant_admin_required
@require_POST
def change_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid role.")
        return redirect("accounts:users")
    role = form.cleaned_data["role"]
    _attempt(
        request,
        lambda: services.membership_change_role(
            tenant=request.tenant, actor=request.user, membership=membership, role=role
        ),
        f"{membership.user.email} is now {role}.",
    )
    return redirect("accounts:users")


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def remove_member(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    if request.method == "GET":
        return render(request, "accounts/remove_member.html", {"membership": membership})
    removed = _attempt(
        request,
        lambda: services.membership_remove(tenant=request.tenant, actor=request.user, membership=membership),
        f"{membership.user.email} was removed from {request.tenant.name}.",
    )
    if removed and membership.user_id == request.user.pk:
        request.session.pop(CURRENT_TENANT_SESSION_KEY, None)
        return redirect("home")
    return redirect("accounts:users")


@tenant_admin_required
@require_POST
def revoke_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        invitation = selectors.invitation_get(tenant=request.tenant, pk=pk)
    except Invitation.DoesNotExist as exc:
        raise Http404("No such invitation") from exc
    _attempt(
        request,
        lambda: services.invitation_revoke(tenant=request.tenant, actor=request.user, invitation=invitation),
        f"The invitation for {invitation.email} was withdrawn.",
    )
    return redirect("accounts:users")


@tenant_admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    events = selectors.audit_events_for_tenant(tenant=request.tenant, action_prefix=request.GET.get("action", ""))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {"page": page, "action": request.GET.get("action", ""), "action_filters": AUDIT_ACTION_FILTERS},
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
    except ApplicationError as exc:
        request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        return render(request, "accounts/invitation_invalid.html", {"error": exc.message}, status=400)
    if not request.user.is_authenticated:
        request.session[PENDING_INVITATION_SESSION_KEY] = token
        return render(request, "accounts/invitation_landing.html", {"invitation": invitation})
    if request.method == "GET":
        return render(request, "accounts/invitation_confirm.html", {"invitation": invitation})
    try:
        membership = services.invitation_accept(token=token, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return render(request, "accounts/invitation_confirm.html", {"invitation": invitation}, status=400)
    request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
    request.session[CURRENT_TENANT_SESSION_KEY] = membership.tenant_id
    messages.success(request, f"Welcome to {membership.tenant.name}.")
    return redirect("home")


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    form = TenantSwitchForm(request.POST)
    if not form.is_valid() or not switch_tenant(request, form.cleaned_data["tenant"]):
        raise Http404("No such workspace")
    next_url = request.POST.get("next") or reverse("home")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = reverse("home")
    return redirect(next_url)


@login_required
@require_http_methods(["GET", "POST"])
def no_tenant(request: HttpRequest) -> HttpResponse:
    if request.tenant is not None and request.method == "GET":
        return redirect("home")
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tenant = services.tenant_create(name=form.cleaned_data["name"], owner=request.user)
        request.session[CURRENT_TENANT_SESSION_KEY] = tenant.pk
        messages.success(request, f"Workspace {tenant.name} created. You are its admin.")
        return redirect("home")
    return render(request, "accounts/no_tenant.html", {"form": form})
