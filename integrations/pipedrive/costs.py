"""Token cost of the calls we make, copied from the `x-token-cost` of Pipedrive's OpenAPI files (NOTES §7).

Used to report what a sync spent; Pipedrive's own daily counter is the authority.
"""

from __future__ import annotations

import re

TOKEN_COST: dict[tuple[str, str], int] = {
    ("GET", "/api/v1/users/me"): 2,
    ("GET", "/api/v1/organizationFields"): 20,
    ("POST", "/api/v1/organizationFields"): 10,
    ("GET", "/api/v1/organizationRelationships"): 20,
    ("GET", "/api/v1/notes"): 20,
    ("GET", "/api/v1/webhooks"): 10,
    ("POST", "/api/v1/webhooks"): 10,
    ("DELETE", "/api/v1/webhooks/{id}"): 6,
    ("GET", "/api/v2/organizations"): 10,
    ("GET", "/api/v2/organizations/{id}"): 1,
    ("PATCH", "/api/v2/organizations/{id}"): 5,
    ("GET", "/api/v2/persons"): 10,
    ("GET", "/api/v2/activities"): 10,
    ("GET", "/api/v2/organizationFields"): 10,
    ("POST", "/api/v2/organizationFields"): 5,
    ("POST", "/api/v2/organizationFields/{id}/options"): 5,
}

_ID_SEGMENT = re.compile(r"/(\d+|[0-9a-f]{40})(?=/|$)")


def path_template(path: str) -> str:
    return _ID_SEGMENT.sub("/{id}", path)


def token_cost(method: str, path: str) -> int:
    return TOKEN_COST.get((method.upper(), path_template(path)), 0)
