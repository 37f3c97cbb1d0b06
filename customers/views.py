"""The Accounts pages: the list (search, status filter, sorting, pagination) and one account's detail."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import tenant_member_required
from customers import selectors
from customers.domain_sync import shared_with
from customers.models import CustomerAccount
from integrations.models import SyncConfig

PAGE_SIZE = 50


@tenant_member_required
def account_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in selectors.STATUS_FILTERS else ""
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SORTS else "name"
    search = request.GET.get("q", "").strip()[:100]
    accounts = selectors.accounts_for_tenant(tenant=request.tenant, status=status, search=search, sort=sort)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    shared = shared_with(tenant_id=request.tenant.pk, account_ids=[a.pk for a in page.object_list])
    for account in page.object_list:
        mine = shared.get(account.pk, {})
        account.domain_rows = [(d, mine.get(d.domain, [])) for d in account.shown_domains]
    context = {
        "page": page,
        "status": status,
        "sort": sort,
        "q": search,
        "counts": selectors.account_status_counts(tenant=request.tenant),
        "sorts": selectors.SORTS,
    }
    template = "customers/partials/account_table.html" if request.htmx else "customers/account_list.html"
    return render(request, template, context)


@tenant_member_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        account = selectors.account_get(tenant=request.tenant, pk=pk)
    except CustomerAccount.DoesNotExist as exc:
        raise Http404("No such account") from exc
    contacts = account.contacts.order_by("name", "pk")
    domains = account.domains.exclude(kind="other").order_by("kind", "-contacts", "domain")
    shared = shared_with(tenant_id=request.tenant.pk, account_ids=[account.pk]).get(account.pk, {})
    removal_due = None
    if account.pending_removal_since and account.source_connection_id:
        config = (
            SyncConfig.objects.for_tenant(request.tenant).filter(connection_id=account.source_connection_id).first()
        )
        if config:
            removal_due = account.pending_removal_since + timedelta(days=config.removal_grace_days)
    children = account.children.filter(removed_at__isnull=True).order_by("name")
    return render(
        request,
        "customers/account_detail.html",
        {
            "account": account,
            "contacts": contacts,
            "domains": [(d, shared.get(d.domain, [])) for d in domains],
            "removal_due": removal_due,
            "children": children,
        },
    )
