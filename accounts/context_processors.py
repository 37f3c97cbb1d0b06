SETTINGS_PAGES = {"users": "users", "change_role": "users", "remove_member": "users", "audit_log": "audit"}


def tenancy(request):
    membership = getattr(request, "membership", None)
    match = getattr(request, "resolver_match", None)
    subnav = ""
    if match is not None:
        subnav = "integrations" if match.namespace == "integrations" else SETTINGS_PAGES.get(match.url_name or "", "")
    return {
        "current_tenant": getattr(request, "tenant", None),
        "current_membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "is_tenant_admin": bool(membership and membership.is_admin),
        "nav": "settings" if subnav else "accounts",
        "subnav": subnav,
    }
