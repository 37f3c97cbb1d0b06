"""Settings → Integrations: one card per provider, in the state of this workspace's connection."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import tenant_member_required
from customers.selectors import account_counts_for_connection
from integrations import selectors
from integrations.providers import PROVIDERS


@tenant_member_required
def index(request: HttpRequest) -> HttpResponse:
    connection = selectors.connection_for_tenant(tenant=request.tenant)
    context = {
        "provider": PROVIDERS["pipedrive"],
        "connection": connection,
        "last_run": selectors.latest_sync_run(connection=connection) if connection else None,
        "config": selectors.sync_config_for(connection=connection) if connection else None,
        "account_counts": account_counts_for_connection(connection=connection) if connection else None,
    }
    return render(request, "integrations/index.html", context)
