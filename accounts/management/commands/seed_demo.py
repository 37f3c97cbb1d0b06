"""Create the demo workspace of `make run`: one admin, one member, one staff user. Safe to run again."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, Role, Tenant, User
from accounts.services import tenant_create

DEMO_PASSWORD = "staircase-demo"
DEMO_USERS = [
    ("admin@demo.staircase.test", "Ada Admin", Role.ADMIN, False),
    ("member@demo.staircase.test", "Max Member", Role.MEMBER, False),
    ("staff@staircase.test", "Sam Staff", None, True),
]


class Command(BaseCommand):
    help = "Seed the demo workspace and print its logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        users = {}
        for email, name, _role, staff in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, name=name, is_staff=staff, is_superuser=staff
                )
            users[email] = user
        admin = users[DEMO_USERS[0][0]]
        tenant = Tenant.objects.filter(slug="demo").first()
        if tenant is None:
            tenant = tenant_create(name="Demo", owner=admin)
        for email, _name, role, _staff in DEMO_USERS:
            if role is not None:
                Membership.objects.for_tenant(tenant).get_or_create(
                    tenant=tenant, user=users[email], defaults={"role": role}
                )
        self.stdout.write(self.style.SUCCESS("Demo workspace “Demo” is ready. Log in at http://127.0.0.1:8000/ with:"))
        for email, _name, role, _staff in DEMO_USERS:
            what = (
                "tenant admin" if role == Role.ADMIN else "tenant member" if role else "Staircase staff (Django admin)"
            )
            self.stdout.write(f"  {what:32} {email} / {DEMO_PASSWORD}")
