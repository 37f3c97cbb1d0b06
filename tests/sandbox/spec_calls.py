"""Call the sandbox and hold every answer to the official spec (shared by the conformance tests)."""

from __future__ import annotations

from typing import Any

from sandbox.testing import SandboxHandle

__all__ = ["call", "page_v1", "page_v2"]


def call(
    spec: Any,
    sb: SandboxHandle,
    method: str,
    path: str,
    *,
    token: str | None = None,
    api_token: str | None = None,
    params: dict[str, Any] | None = None,
    body: Any = None,
    expect: int = 200,
) -> tuple[Any, dict[str, str]]:
    status, headers, payload = sb.api(method, path, token=token, api_token=api_token, params=params, json_body=body)
    assert status == expect, f"{method} {path} {params}: {status} {payload}"
    spec.validate(method, path, params, status, payload)
    return payload, headers


def page_v2(spec: Any, sb: SandboxHandle, path: str, token: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body, _ = call(spec, sb, "GET", path, token=token, params=query)
        items += body["data"]
        cursor = body["additional_data"].get("next_cursor")
        if not cursor:
            return items
    raise AssertionError("paging did not end")


def page_v1(spec: Any, sb: SandboxHandle, path: str, token: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    start = 0
    while True:
        body, _ = call(spec, sb, "GET", path, token=token, params={**params, "start": start})
        items += body["data"]
        pagination = body["additional_data"]["pagination"]
        if not pagination["more_items_in_collection"]:
            return items
        start = pagination["next_start"]
