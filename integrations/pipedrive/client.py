"""The one client for Pipedrive's REST API (NOTES §1.2, §7, §10).

It owns the base URL (the connection's `api_domain`), the Bearer header, refresh-before-expiry and
refresh-once-after-401, cursor and offset paging, rate-limit headers, and maps every failure onto the
small exception tree in errors.py. Nothing else sends HTTP to Pipedrive's API.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone

from integrations.pipedrive import http
from integrations.pipedrive.costs import path_template, token_cost
from integrations.pipedrive.errors import (
    ApiError,
    ApiForbidden,
    ApiTimeout,
    RateLimited,
    ReauthRequired,
)

logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)
V2_PAGE_LIMIT = 500  # Pipedrive's maximum for cursor endpoints (NOTES §3.3)
SERVER_ERROR_RETRIES = 2
MAX_BURST_WAIT = 30.0  # seconds; a longer wait is reported, not slept through
MAX_BURST_RETRIES = 5


@dataclass
class CallStats:
    calls: int = 0
    token_cost: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    daily_tokens_remaining: int | None = None
    daily_tokens_limit: int | None = None

    def record(self, method: str, path: str) -> None:
        self.calls += 1
        self.token_cost += token_cost(method, path)
        key = f"{method} {path_template(path)}"
        self.by_endpoint[key] = self.by_endpoint.get(key, 0) + 1


class TokenProvider:
    """Where the client gets a usable access token. Connections refresh under a row lock (services)."""

    api_domain: str

    def access_token(self) -> str:
        raise NotImplementedError

    def after_unauthorized(self, stale_token: str) -> None:
        """Called once after a 401: refresh unless someone else already did. Raises ReauthRequired."""
        raise ReauthRequired("Pipedrive rejected the access token")


class StaticTokens(TokenProvider):
    """A token pair just received from the OAuth server (connect flow), used before anything is stored."""

    def __init__(self, *, access_token: str, api_domain: str) -> None:
        self._token = access_token
        self.api_domain = api_domain.rstrip("/")

    def access_token(self) -> str:
        return self._token


class ConnectionTokens(TokenProvider):
    """Tokens of a stored Connection; refreshes when 5 minutes or less remain."""

    def __init__(self, connection, *, for_teardown: bool = False) -> None:
        self.connection = connection
        self.for_teardown = for_teardown

    @property
    def api_domain(self) -> str:
        return self.connection.api_domain.rstrip("/")

    def _refresh(self, **kwargs) -> None:
        from integrations.services import connection_refresh_tokens

        self.connection = connection_refresh_tokens(
            connection_id=self.connection.pk, for_teardown=self.for_teardown, **kwargs
        )

    def access_token(self) -> str:
        expires_at = self.connection.expires_at
        if not self.connection.access_token or expires_at is None or expires_at - timezone.now() <= REFRESH_MARGIN:
            self._refresh()
        return self.connection.access_token

    def after_unauthorized(self, stale_token: str) -> None:
        self._refresh(stale_access_token=stale_token)


class PipedriveClient:
    def __init__(self, tokens: TokenProvider, *, session: requests.Session | None = None, sleep=time.sleep) -> None:
        self.tokens = tokens
        self.session = session or http.new_session()
        self.stats = CallStats()
        self._sleep = sleep

    @classmethod
    def for_connection(cls, connection, **kwargs) -> PipedriveClient:
        return cls(ConnectionTokens(connection, for_teardown=kwargs.pop("for_teardown", False)), **kwargs)

    # -- low level ------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: dict | None = None, json: Any = None) -> dict:
        """One API call, returning the decoded envelope. `path` starts with /api/v1/ or /api/v2/."""
        retried_auth = False
        server_errors = 0
        burst_retries = 0
        while True:
            token = self.tokens.access_token()
            response = self._send(method, path, token, params, json)
            status = response.status_code
            if status == 401 and not retried_auth:
                retried_auth = True
                self.tokens.after_unauthorized(token)
                continue
            if status == 401:
                raise ReauthRequired("Pipedrive rejected the access token right after a refresh", status=401)
            if status == 429:
                wait, daily = self._rate_limit_wait(response)
                self.stats.rate_limited += 1
                if daily:
                    raise RateLimited(
                        "Pipedrive's daily API budget for this company is spent; syncing resumes after it resets",
                        retry_after=wait,
                        daily=True,
                    )
                if wait > MAX_BURST_WAIT or burst_retries >= MAX_BURST_RETRIES:
                    raise RateLimited("Pipedrive kept rate-limiting requests", retry_after=wait, daily=False)
                burst_retries += 1
                self._sleep(wait)
                continue
            if status >= 500 and method in ("GET", "PATCH") and server_errors < SERVER_ERROR_RETRIES:
                server_errors += 1
                self._sleep(min(8.0, 0.5 * 2**server_errors) * (0.5 + random.random()))
                continue
            return self._decode(method, path, response)

    def _send(self, method, path, token, params, json) -> requests.Response:
        url = f"{self.tokens.api_domain}{path}"
        self.stats.record(method, path)
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {token}"},
                timeout=http.timeout(),
            )
        except requests.Timeout as exc:
            raise ApiTimeout(f"Pipedrive did not answer in time ({method} {path_template(path)})") from exc
        except requests.RequestException as exc:
            raise ApiTimeout(
                f"Could not reach Pipedrive ({method} {path_template(path)}: {type(exc).__name__})"
            ) from exc
        self._note_budget(response)
        return response

    def _note_budget(self, response: requests.Response) -> None:
        for header, attr in (
            ("x-daily-ratelimit-token-remaining", "daily_tokens_remaining"),
            ("x-daily-ratelimit-token-limit", "daily_tokens_limit"),
        ):
            value = response.headers.get(header)
            if value is not None and value.lstrip("-").isdigit():
                setattr(self.stats, attr, int(value))
        # Slow down before the burst window runs dry instead of collecting 429s (NOTES §7).
        remaining, reset = response.headers.get("x-ratelimit-remaining"), response.headers.get("x-ratelimit-reset")
        if remaining == "0" and reset:
            try:
                self._sleep(min(MAX_BURST_WAIT, max(0.0, float(reset))))
            except ValueError:
                pass

    @staticmethod
    def _rate_limit_wait(response: requests.Response) -> tuple[float, bool]:
        headers = response.headers
        daily = headers.get("x-daily-ratelimit-token-remaining") == "0"
        for name in ("Retry-After", "x-ratelimit-reset"):
            value = headers.get(name)
            if value:
                try:
                    return max(0.0, float(value)), daily
                except ValueError:
                    continue
        return 2.0, daily

    def _decode(self, method: str, path: str, response: requests.Response) -> dict:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        where = f"{method} {path_template(path)}"
        if status >= 400:
            message = body.get("error") if isinstance(body, dict) else None
            text = f"Pipedrive answered {status} to {where}" + (f": {message}" if message else "")
            if status == 403:
                raise ApiForbidden(text, status=status)
            raise ApiError(text, status=status)
        if not isinstance(body, dict) or body.get("success") is False:
            raise ApiError(f"Pipedrive sent a malformed response to {where}", status=status)
        return body

    # -- paging ---------------------------------------------------------------------------------
    def iter_v2_pages(self, path: str, params: dict | None = None, *, limit: int | None = None) -> Iterator[list[dict]]:
        """Cursor pages of a v2 list (`additional_data.next_cursor`, null on the last page)."""
        for page, _ in self.iter_v2_pages_with_cursor(path, params, limit=limit):
            yield page

    def iter_v2_pages_with_cursor(
        self, path: str, params: dict | None = None, *, limit: int | None = None
    ) -> Iterator[tuple[list[dict], str | None]]:
        """(page, cursor of the next page) pairs, so a caller can checkpoint and resume a listing."""
        query = {**(params or {}), "limit": min(V2_PAGE_LIMIT, limit or settings.PIPEDRIVE_PAGE_SIZE)}
        while True:
            body = self.request("GET", path, params=query)
            data = body.get("data")
            if data is None:
                data = []
            if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
                raise ApiError(f"Pipedrive sent a malformed page for {path}")
            additional = body.get("additional_data") or {}
            cursor = additional.get("next_cursor") if isinstance(additional, dict) else None
            yield data, cursor or None
            if not cursor:
                return
            query["cursor"] = cursor

    def iter_v1_pages(self, path: str, params: dict | None = None, *, limit: int = 500) -> Iterator[list[dict]]:
        """Offset pages of a v1 list (`additional_data.pagination`)."""
        query = {**(params or {}), "start": 0, "limit": limit}
        while True:
            body = self.request("GET", path, params=query)
            data = body.get("data") or []
            if not isinstance(data, list):
                raise ApiError(f"Pipedrive sent a malformed page for {path}")
            yield data
            pagination = (body.get("additional_data") or {}).get("pagination") or {}
            if not pagination.get("more_items_in_collection"):
                return
            query["start"] = pagination.get("next_start", query["start"] + limit)

    # -- endpoints ------------------------------------------------------------------------------
    def current_user(self) -> dict:
        return self.request("GET", "/api/v1/users/me")["data"]

    def organization_fields(self) -> list[dict]:
        return [field for page in self.iter_v2_pages("/api/v2/organizationFields") for field in page]

    def create_organization_field(self, *, name: str, field_type: str, options: list[str] | None = None) -> dict:
        body: dict[str, Any] = {"field_name": name, "field_type": field_type}
        if options is not None:
            body["options"] = [{"label": label} for label in options]
        return self.request("POST", "/api/v2/organizationFields", json=body)["data"]

    def organization_relationships(self, org_id: int) -> list[dict]:
        # The spec gives this endpoint only `org_id`; an org has a handful of relationships, one page.
        return self.request("GET", "/api/v1/organizationRelationships", params={"org_id": org_id}).get("data") or []

    def update_organization(self, org_id: int, payload: dict) -> dict:
        return self.request("PATCH", f"/api/v2/organizations/{org_id}", json=payload)["data"]

    def webhooks(self) -> list[dict]:
        return self.request("GET", "/api/v1/webhooks").get("data") or []

    def delete_webhook(self, webhook_id: int) -> None:
        self.request("DELETE", f"/api/v1/webhooks/{webhook_id}")
