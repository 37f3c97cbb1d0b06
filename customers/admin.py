from django.contrib import admin

from accounts.admin import UnscopedAdmin
from customers.models import CustomerAccount, DomainRules


@admin.register(CustomerAccount)
class CustomerAccountAdmin(UnscopedAdmin):
    list_display = ["name", "tenant", "status", "external_id", "pending_removal_since", "removed_at"]
    list_filter = ["status"]
    search_fields = ["name", "tenant__slug"]
    readonly_fields = [f.name for f in CustomerAccount._meta.fields]


@admin.register(DomainRules)
class DomainRulesAdmin(UnscopedAdmin):
    list_display = ["tenant", "min_secondary_contacts", "updated_at"]
