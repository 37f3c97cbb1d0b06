"""The few ways a call to Pipedrive can fail, as the sync and the views need to tell them apart."""

from __future__ import annotations


class PipedriveError(Exception):
    """Base class. `message` is safe to show an admin (it never contains a token)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class ApiError(PipedriveError):
    """An upstream fault or a refused request (4xx/5xx other than the cases below, malformed bodies)."""


class ApiTimeout(PipedriveError):
    """Pipedrive did not answer in time, or the connection broke, after transport retries."""


class ApiUnauthorized(PipedriveError):
    """401 with a token that should have worked; the client refreshes once and retries."""


class ApiForbidden(ApiError):
    """403: a missing OAuth scope or a Pipedrive permission the connecting user lacks."""


class ReauthRequired(PipedriveError):
    """The grant is dead (invalid_grant, revoked, uninstalled). Only the admin reconnecting fixes it."""


class RateLimited(PipedriveError):
    """429. `daily` means the company's daily token budget is spent: stop until it resets."""

    def __init__(self, message: str, *, retry_after: float, daily: bool, status: int = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after
        self.daily = daily
