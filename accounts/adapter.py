from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from accounts.middleware import PENDING_INVITATION_SESSION_KEY


class AccountAdapter(DefaultAccountAdapter):
    """After signing up or in, a person who followed an invitation link goes back to accept it."""

    def _invitation_url(self, request) -> str | None:
        token = request.session.get(PENDING_INVITATION_SESSION_KEY)
        return reverse("accounts:invitation_accept", args=[token]) if token else None

    def get_login_redirect_url(self, request):
        return self._invitation_url(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self._invitation_url(request) or super().get_signup_redirect_url(request)
