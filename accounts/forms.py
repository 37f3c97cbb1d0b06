from __future__ import annotations

from allauth.core import context as allauth_context
from django import forms

from accounts.middleware import CURRENT_TENANT_SESSION_KEY, PENDING_INVITATION_SESSION_KEY
from accounts.models import Role
from accounts.services import tenant_create


class SignupForm(forms.Form):
    """Extra fields on allauth's signup form. A plain signup creates a workspace; an invited one joins."""

    name = forms.CharField(label="Your name", max_length=150, required=False)
    company = forms.CharField(
        label="Company name", max_length=120, help_text="Your workspace in Staircase; you will be its admin."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = getattr(allauth_context, "request", None)
        if request is not None and request.session.get(PENDING_INVITATION_SESSION_KEY):
            # The invitation decides the workspace; asking for a company would create a stray one.
            del self.fields["company"]

    def signup(self, request, user) -> None:
        if self.cleaned_data.get("name"):
            user.name = self.cleaned_data["name"]
            user.save(update_fields=["name"])
        if "company" in self.cleaned_data:
            tenant = tenant_create(name=self.cleaned_data["company"], owner=user)
            request.session[CURRENT_TENANT_SESSION_KEY] = tenant.pk


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TenantCreateForm(forms.Form):
    name = forms.CharField(label="Company name", max_length=120)


class TenantSwitchForm(forms.Form):
    tenant = forms.IntegerField()
