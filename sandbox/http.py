"""Framework-free request/response types and a path-template router."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from sandbox.errors import ApiError

__all__ = [
    "Request",
    "Response",
    "Route",
    "Router",
    "json_response",
    "html_response",
    "redirect_response",
    "API",
    "OAUTH",
    "CONTROL",
    "PAGE",
]

API, OAUTH, CONTROL, PAGE = "api", "oauth", "control", "page"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Request:
        path, _, query = target.partition("?")
        return cls(method.upper(), path or "/", parse_qs(query, keep_blank_values=True), headers, body)

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "Request body is not valid JSON") from None

    def form(self) -> dict[str, str]:
        try:
            parsed = parse_qs(self.body.decode(), keep_blank_values=True)
        except UnicodeDecodeError:
            return {}
        return {k: v[0] for k, v in parsed.items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # Transport-level faults the HTTP layer acts out: "reset" or "timeout".
    transport_fault: str | None = None
    fault_seconds: float = 0.0
    # Facts for the stats (e.g. an OAuth call's grant_type and company).
    meta: dict[str, Any] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(status, body, "application/json", dict(headers or {}))


def html_response(status: int, html: str) -> Response:
    return Response(status, html.encode(), "text/html; charset=utf-8")


def redirect_response(location: str) -> Response:
    return Response(302, b"", "text/plain", {"Location": location})


Handler = Callable[..., Response]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    kind: str
    cost: int = 0
    scopes: tuple[str, ...] = ()
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        pattern = re.sub(
            r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(self.template).replace(r"\{", "{").replace(r"\}", "}")
        )
        self.regex = re.compile(f"^{pattern}/?$")

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self, method: str, template: str, handler: Handler, kind: str, cost: int = 0, scopes: tuple[str, ...] = ()
    ) -> None:
        self.routes.append(Route(method, template, handler, kind, cost, scopes))

    @staticmethod
    def canonical(path: str) -> str:
        # v1 answers on both /v1/ and /api/v1/ (v2 migration guide); v2 only on /api/v2/.
        if path.startswith("/api/v1/"):
            return path[4:]
        return path

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, path params, path_exists): path_exists tells 405 from 404."""
        path = self.canonical(path)
        path_exists = False
        for route in self.routes:
            found = route.regex.match(path)
            if found:
                path_exists = True
                if route.method == method:
                    return route, found.groupdict(), True
        return None, {}, path_exists
