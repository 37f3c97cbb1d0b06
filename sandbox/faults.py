"""Fault injection rules (``POST /_sandbox/faults``).

A rule matches requests by method and path. ``path`` matches the route template
(``/api/v2/organizations/{id}``) or the literal path; ``prefix`` matches the start of
either. Each matching request increments the rule's ``seen`` counter, so the *Nth
page* of a listing is simply the Nth matching call since the rule was set
(``on_call: N``). The rule skips the first ``after`` matches, then fires on up to
``count`` of the following ones (``null`` = forever), each with ``probability``
drawn from a RNG seeded by ``seed``.

Actions: ``status`` (answer ``status`` in the error envelope), ``delay`` (sleep
``seconds`` then serve normally), ``timeout`` (hold the request ``seconds`` and
close without answering), ``malformed_json`` (serve a truncated JSON body), and
``reset`` (reset the TCP connection).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ApiError

__all__ = ["FaultRule", "FaultInjector", "ACTIONS"]

ACTIONS = ("status", "delay", "timeout", "malformed_json", "reset")
_STATUS_MESSAGES = {
    400: "Bad request",
    401: "unauthorized access",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    429: "Request over limit",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service temporarily unavailable",
    504: "Gateway timeout",
}


@dataclass
class FaultRule:
    id: int
    action: str
    method: str = "*"
    path: str | None = None
    prefix: str | None = None
    status: int = 503
    seconds: float = 0.0
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    company_id: int | None = None
    after: int = 0
    count: int | None = 1
    probability: float = 1.0
    seed: int = 0
    seen: int = 0
    fired: int = 0
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def matches(self, method: str, path: str, template: str | None, company_id: int | None) -> bool:
        if self.method != "*" and self.method != method:
            return False
        if self.company_id is not None and company_id is not None and self.company_id != company_id:
            return False
        if self.path is not None:
            return self.path in (path, template)
        if self.prefix is not None:
            return path.startswith(self.prefix) or bool(template and template.startswith(self.prefix))
        return True

    def exhausted(self) -> bool:
        return self.count is not None and self.fired >= self.count

    def error(self) -> ApiError:
        message = self.message or _STATUS_MESSAGES.get(self.status, "Sandbox fault")
        return ApiError(self.status, message, headers=dict(self.headers))

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "method": self.method,
            "path": self.path,
            "prefix": self.prefix,
            "status": self.status,
            "seconds": self.seconds,
            "company_id": self.company_id,
            "after": self.after,
            "count": self.count,
            "probability": self.probability,
            "seed": self.seed,
            "seen": self.seen,
            "fired": self.fired,
        }


def _int(spec: dict[str, Any], name: str, default: int | None, minimum: int = 0) -> int | None:
    value = spec.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ApiError(400, f"fault '{name}' must be an integer >= {minimum}")
    return value


class FaultInjector:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._next_id = 1

    def add(self, spec: dict[str, Any]) -> FaultRule:
        if not isinstance(spec, dict):
            raise ApiError(400, "a fault rule must be an object")
        action = spec.get("action", "status")
        if action not in ACTIONS:
            raise ApiError(400, f"fault 'action' must be one of {', '.join(ACTIONS)}")
        if spec.get("path") is None and spec.get("prefix") is None:
            raise ApiError(400, "a fault rule needs 'path' or 'prefix'")
        probability = spec.get("probability", 1.0)
        if not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
            raise ApiError(400, "fault 'probability' must be between 0 and 1")
        on_call = _int(spec, "on_call", None, 1)
        seconds = spec.get("seconds", 30.0 if action == "timeout" else 0.0)
        if not isinstance(seconds, (int, float)) or seconds < 0:
            raise ApiError(400, "fault 'seconds' must be a non-negative number")
        with self._lock:
            rule = FaultRule(
                id=self._next_id,
                action=action,
                method=str(spec.get("method", "*")).upper(),
                path=spec.get("path"),
                prefix=spec.get("prefix"),
                status=_int(spec, "status", 503, 100) or 503,
                seconds=float(seconds),
                message=spec.get("message"),
                headers={str(k): str(v) for k, v in (spec.get("headers") or {}).items()},
                company_id=_int(spec, "company_id", None),
                after=on_call - 1 if on_call is not None else (_int(spec, "after", 0) or 0),
                count=_int(spec, "count", 1, 1) if "count" in spec else 1,
                probability=float(probability),
                seed=_int(spec, "seed", 0) or 0,
            )
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def pick(self, method: str, path: str, template: str | None, company_id: int | None) -> FaultRule | None:
        """Count this request against every matching rule; return the first that fires."""
        chosen = None
        with self._lock:
            for rule in self._rules:
                if rule.exhausted() or not rule.matches(method, path, template, company_id):
                    continue
                rule.seen += 1
                if chosen is None and rule.seen > rule.after and rule.rng.random() < rule.probability:
                    rule.fired += 1
                    chosen = rule
        return chosen

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.describe() for r in self._rules]

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) < before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
