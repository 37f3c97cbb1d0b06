"""Call and token-cost counters for ``GET /_sandbox/stats``."""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["Stats"]


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._companies: dict[str, dict[str, Any]] = {}
            self._oauth: dict[str, dict[str, Any]] = {}
            self._anonymous: dict[str, dict[str, Any]] = {}

    @staticmethod
    def _bump(bucket: dict[str, Any], status: int, cost: int) -> None:
        bucket["calls"] = bucket.get("calls", 0) + 1
        bucket["cost"] = bucket.get("cost", 0) + cost
        statuses = bucket.setdefault("statuses", {})
        statuses[str(status)] = statuses.get(str(status), 0) + 1

    def record_api(self, company_id: int | None, key: str, status: int, cost: int) -> None:
        with self._lock:
            if company_id is None:
                self._bump(self._anonymous.setdefault(key, {}), status, 0)
                return
            company = self._companies.setdefault(str(company_id), {"calls": 0, "cost": 0, "endpoints": {}})
            company["calls"] += 1
            company["cost"] += cost
            self._bump(company["endpoints"].setdefault(key, {}), status, cost)

    def record_oauth(
        self,
        key: str,
        status: int,
        grant_type: str | None = None,
        company_id: int | None = None,
        outcome: str | None = None,
    ) -> None:
        with self._lock:
            bucket = self._oauth.setdefault(key, {})
            self._bump(bucket, status, 0)
            del bucket["cost"]
            if grant_type is not None:
                by_grant = bucket.setdefault("by_grant_type", {})
                entry = by_grant.setdefault(grant_type, {"calls": 0, "succeeded": 0})
                entry["calls"] += 1
                entry["succeeded"] += 1 if status == 200 else 0
            if outcome is not None:
                outcomes = bucket.setdefault("outcomes", {})
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if company_id is not None and status in (200, 302):
                per_company = bucket.setdefault("companies", {})
                per_company[str(company_id)] = per_company.get(str(company_id), 0) + 1

    def snapshot(self) -> dict[str, Any]:
        import copy

        with self._lock:
            return {
                "companies": copy.deepcopy(self._companies),
                "oauth": copy.deepcopy(self._oauth),
                "unauthenticated": copy.deepcopy(self._anonymous),
            }
