from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import tenant_member_required
from integrations.providers import PROVIDERS


@tenant_member_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "integrations/index.html", {"providers": PROVIDERS.values()})
