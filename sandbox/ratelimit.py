"""Token-based rate limiting as in NOTES §7.

* Daily budget per company: every call spends its operation's ``x-token-cost``; the
  budget is ``30,000 x plan multiplier x seats`` unless configured, and it resets at
  the sandbox clock's midnight UTC. A call is admitted while any budget is left (the
  last one may overdraw, clamped to 0); once it is spent, calls get 429 with
  ``x-daily-ratelimit-token-remaining: 0`` until the reset.
* Burst limit per token: at most ``burst_limit`` requests in a rolling window
  (2 s by default).

Both limits answer 429 in the error envelope. Headers: ``x-ratelimit-limit``,
``x-ratelimit-remaining``, ``x-ratelimit-reset`` (seconds until the window frees a
slot), ``x-daily-ratelimit-token-limit`` and ``x-daily-ratelimit-token-remaining``.
No ``Retry-After``: it is not documented for the current API (NOTES §7).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass

from sandbox.clock import Clock

__all__ = ["RateLimiter", "RateDecision", "PLAN_MULTIPLIERS", "BASE_DAILY_TOKENS"]

BASE_DAILY_TOKENS = 30_000
PLAN_MULTIPLIERS = {"lite": 1, "growth": 2, "premium": 5, "ultimate": 7}


@dataclass
class RateDecision:
    allowed: bool
    reason: str | None  # "burst" | "daily" | None
    headers: dict[str, str]


class RateLimiter:
    def __init__(
        self, clock: Clock, burst_limit: int = 400, window: float = 2.0, daily_budget: int | None = None
    ) -> None:
        self.clock = clock
        self.burst_limit = burst_limit
        self.window = window
        self.daily_budget = daily_budget
        self._lock = threading.Lock()
        self._bursts: dict[str, deque[float]] = {}
        self._spent: dict[int, tuple[int, int]] = {}  # company -> (day number, tokens spent)

    def budget_for(self, plan: str, seats: int, configured: int | None) -> int:
        if self.daily_budget is not None:
            return self.daily_budget
        if configured is not None:
            return configured
        return BASE_DAILY_TOKENS * PLAN_MULTIPLIERS.get(plan, 2) * max(1, seats)

    def _day(self, now: float) -> int:
        return int(now // 86_400)

    def spent(self, company_id: int) -> int:
        day, used = self._spent.get(company_id, (-1, 0))
        return used if day == self._day(self.clock.now()) else 0

    def check(self, token_key: str, company_id: int, budget: int, cost: int) -> RateDecision:
        """Admit (and charge) one call, or refuse it without charging."""
        now = self.clock.now()
        with self._lock:
            window = self._bursts.setdefault(token_key, deque())
            while window and window[0] <= now - self.window:
                window.popleft()
            used = self.spent(company_id)
            if len(window) >= self.burst_limit:
                return RateDecision(False, "burst", self._headers(window, now, budget, used))
            if used >= budget:
                return RateDecision(False, "daily", self._headers(window, now, budget, used))
            window.append(now)
            used = min(budget, used + cost)
            self._spent[company_id] = (self._day(now), used)
            return RateDecision(True, None, self._headers(window, now, budget, used))

    def _headers(self, window: deque[float], now: float, budget: int, used: int) -> dict[str, str]:
        reset = math.ceil(window[0] + self.window - now) if window else math.ceil(self.window)
        return {
            "x-ratelimit-limit": str(self.burst_limit),
            "x-ratelimit-remaining": str(max(0, self.burst_limit - len(window))),
            "x-ratelimit-reset": str(max(1, reset)),
            "x-daily-ratelimit-token-limit": str(budget),
            "x-daily-ratelimit-token-remaining": str(max(0, budget - used)),
        }

    def usage(self) -> dict[str, int]:
        with self._lock:
            return {str(c): self.spent(c) for c in self._spent}

    def reset(self) -> None:
        with self._lock:
            self._bursts.clear()
            self._spent.clear()
