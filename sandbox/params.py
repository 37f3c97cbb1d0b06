"""Strict query-parameter parsing: bad values answer 400 (v2 does not coerce)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.clock import parse_date, parse_rfc3339
from sandbox.errors import ApiError
from sandbox.http import Request

__all__ = [
    "AuthContext",
    "int_arg",
    "bool_arg",
    "time_arg",
    "date_arg",
    "csv_arg",
    "v2_limit",
    "enum_arg",
    "id_list_arg",
    "path_id",
]

V2_MAX_LIMIT = 500


@dataclass
class AuthContext:
    """Who is calling: the company and user behind a token, and the token's scopes."""

    company_id: int
    user_id: int
    is_admin: bool
    scopes: frozenset[str] | None  # None for personal API tokens (not scope-limited)
    client_id: str | None
    token_key: str


def _single(request: Request, name: str) -> str | None:
    value = request.arg(name)
    if value is None or value == "":
        return None
    return value


def int_arg(request: Request, name: str, *, minimum: int | None = None, default: int | None = None) -> int | None:
    raw = _single(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Parameter '{name}' must be an integer") from None
    if minimum is not None and value < minimum:
        raise ApiError(400, f"Parameter '{name}' must be greater than or equal to {minimum}")
    return value


def bool_arg(request: Request, name: str) -> bool | None:
    raw = _single(request, name)
    if raw is None:
        return None
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0"):
        return False
    raise ApiError(400, f"Parameter '{name}' must be a boolean (true or false)")


def time_arg(request: Request, name: str) -> int | None:
    raw = _single(request, name)
    if raw is None:
        return None
    value = parse_rfc3339(raw)
    if value is None:
        raise ApiError(400, f"Parameter '{name}' must be an RFC 3339 date-time, e.g. 2025-01-01T10:20:00Z")
    return value


def date_arg(request: Request, name: str) -> int | None:
    raw = _single(request, name)
    if raw is None:
        return None
    value = parse_date(raw)
    if value is None:
        raise ApiError(400, f"Parameter '{name}' must be a date YYYY-MM-DD")
    return value


def enum_arg(request: Request, name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = _single(request, name)
    if raw is None:
        return default
    if raw not in allowed:
        raise ApiError(400, f"Parameter '{name}' must be one of: {', '.join(allowed)}")
    return raw


def csv_arg(
    request: Request, name: str, *, allowed: frozenset[str] | None = None, max_items: int | None = None
) -> list[str] | None:
    raw = _single(request, name)
    if raw is None:
        return None
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if max_items is not None and len(items) > max_items:
        raise ApiError(400, f"Parameter '{name}' accepts at most {max_items} values")
    if allowed is not None:
        unknown = [i for i in items if i not in allowed]
        if unknown:
            raise ApiError(400, f"Parameter '{name}' has unsupported value(s): {', '.join(unknown)}")
    return items


def id_list_arg(request: Request, name: str, max_items: int = 100) -> list[int] | None:
    items = csv_arg(request, name, max_items=max_items)
    if items is None:
        return None
    try:
        return [int(i) for i in items]
    except ValueError:
        raise ApiError(400, f"Parameter '{name}' must be a comma-separated list of integer ids") from None


def v2_limit(request: Request) -> int:
    """``limit``: default 100, maximum 500 (SPEC v2 ``limit`` description)."""
    limit = int_arg(request, "limit", minimum=1, default=100)
    assert limit is not None
    if limit > V2_MAX_LIMIT:
        raise ApiError(400, f"Parameter 'limit' must be less than or equal to {V2_MAX_LIMIT}")
    return limit


def path_id(request: Request, name: str = "id") -> int:
    raw = request.params.get(name, "")
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, f"Path parameter '{name}' must be a positive integer")
    return int(raw)


def require_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return payload
