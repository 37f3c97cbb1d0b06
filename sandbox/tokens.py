"""OAuth clients, authorization codes, grants (installs) and tokens.

Lifetimes follow NOTES §1: codes live 5 minutes and are single-use; access tokens
live ``access_token_ttl`` seconds (default 3600); refresh tokens rotate on every use
and expire after 60 days without use. A *grant* is one install (client, company,
user); revoking its refresh token or uninstalling kills all of its tokens.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.clock import Clock

__all__ = [
    "Client",
    "Grant",
    "AuthCode",
    "TokenStore",
    "TokenError",
    "CODE_TTL",
    "REFRESH_IDLE_TTL",
    "DEFAULT_SCOPES",
]

CODE_TTL = 300
REFRESH_IDLE_TTL = 60 * 86_400
# A realistic app scope set (NOTES §1.7/1.8); ``base`` is always granted.
DEFAULT_SCOPES = ("base", "contacts:full", "activities:read", "contact-fields:full", "admin")


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    name: str = "Staircase"

    def scope_string(self) -> str:
        scopes = list(dict.fromkeys(("base", *self.scopes)))
        return ",".join(scopes)


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    company_id: int
    user_id: int
    scope: str
    expires_at: float
    used: bool = False


@dataclass
class Grant:
    id: int
    client_id: str
    company_id: int
    user_id: int
    scope: str
    refresh_token: str
    refresh_expires_at: float
    created_at: float
    access_tokens: set[str] = field(default_factory=set)
    revoked: bool = False
    revoked_reason: str | None = None

    def describe(self, now: float, store: TokenStore) -> dict[str, Any]:
        return {
            "grant_id": self.id,
            "client_id": self.client_id,
            "company_id": self.company_id,
            "user_id": self.user_id,
            "scope": self.scope,
            "revoked": self.revoked,
            "revoked_reason": self.revoked_reason,
            "active_access_tokens": sum(
                1 for t in self.access_tokens if store.access_expiry(t) > now and not self.revoked
            ),
        }


class TokenError(Exception):
    """An OAuth error (RFC 6749 §5.2 ``error`` code plus Pipedrive's message)."""

    def __init__(self, error: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error = error
        self.message = message
        self.status = status


class TokenStore:
    def __init__(self, clock: Clock, access_token_ttl: int = 3600) -> None:
        self.clock = clock
        self.access_token_ttl = access_token_ttl
        self.clients: dict[str, Client] = {}
        self._lock = threading.RLock()
        self._codes: dict[str, AuthCode] = {}
        self._grants: dict[int, Grant] = {}
        self._by_refresh: dict[str, Grant] = {}
        self._access: dict[str, tuple[Grant, float]] = {}
        self._next_grant = 1

    # -- clients ----------------------------------------------------------------------
    def add_client(self, client: Client) -> None:
        with self._lock:
            self.clients[client.client_id] = client

    def authenticate_client(self, client_id: str | None, secret: str | None) -> Client:
        if not client_id or secret is None:
            raise TokenError("invalid_client", "Invalid client: cannot retrieve client credentials")
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client.client_secret, secret):
            raise TokenError("invalid_client", "Invalid client: client is invalid")
        return client

    # -- codes ------------------------------------------------------------------------
    def issue_code(self, client: Client, redirect_uri: str, company_id: int, user_id: int) -> str:
        code = f"{company_id}:{user_id}:{secrets.token_hex(20)}"
        with self._lock:
            self._codes[code] = AuthCode(
                code,
                client.client_id,
                redirect_uri,
                company_id,
                user_id,
                client.scope_string(),
                self.clock.now() + CODE_TTL,
            )
        return code

    def redeem_code(self, client: Client, code: str | None, redirect_uri: str | None) -> Grant:
        if not code:
            raise TokenError("invalid_request", "Missing parameter: code")
        with self._lock:
            entry = self._codes.get(code)
            if entry is None or entry.used or entry.client_id != client.client_id:
                raise TokenError("invalid_grant", "Invalid grant: authorization_code is invalid")
            if self.clock.now() > entry.expires_at:
                raise TokenError("invalid_grant", "Invalid grant: authorization_code has expired")
            if not redirect_uri:
                raise TokenError("invalid_request", "Invalid request: redirect_uri is not a valid URI")
            if redirect_uri != entry.redirect_uri:
                raise TokenError("invalid_request", "Invalid request: redirect_uri is invalid")
            entry.used = True
            return self._new_grant(entry.client_id, entry.company_id, entry.user_id, entry.scope)

    # -- grants and tokens ------------------------------------------------------------
    def _new_grant(self, client_id: str, company_id: int, user_id: int, scope: str) -> Grant:
        now = self.clock.now()
        grant = Grant(
            self._next_grant,
            client_id,
            company_id,
            user_id,
            scope,
            self._refresh_value(company_id, user_id),
            now + REFRESH_IDLE_TTL,
            now,
        )
        self._next_grant += 1
        self._grants[grant.id] = grant
        self._by_refresh[grant.refresh_token] = grant
        return grant

    @staticmethod
    def _refresh_value(company_id: int, user_id: int) -> str:
        # Pipedrive refresh tokens look like "<company>:<user>:<40 hex>" (SPEC example).
        return f"{company_id}:{user_id}:{secrets.token_hex(20)}"

    def mint(self, client: Client, company_id: int, user_id: int, scope: str | None = None) -> Grant:
        """A fresh install without the browser flow (``POST /_sandbox/tokens``)."""
        with self._lock:
            return self._new_grant(client.client_id, company_id, user_id, scope or client.scope_string())

    def issue_access_token(self, grant: Grant) -> str:
        token = f"v1u:{secrets.token_urlsafe(48)}"
        with self._lock:
            self._access[token] = (grant, self.clock.now() + self.access_token_ttl)
            grant.access_tokens.add(token)
        return token

    def access_expiry(self, token: str) -> float:
        entry = self._access.get(token)
        return entry[1] if entry else 0.0

    def refresh(self, client: Client, refresh_token: str | None) -> Grant:
        if not refresh_token:
            raise TokenError("invalid_request", "Missing parameter: refresh_token")
        with self._lock:
            grant = self._by_refresh.get(refresh_token)
            if (
                grant is None
                or grant.revoked
                or grant.client_id != client.client_id
                or self.clock.now() > grant.refresh_expires_at
            ):
                raise TokenError("invalid_grant", "Invalid grant: refresh_token is invalid")
            # Rotation: the old value is retired and answers invalid_grant from now on
            # ("already exchanged", OAuth status-codes page).
            del self._by_refresh[refresh_token]
            grant.refresh_token = self._refresh_value(grant.company_id, grant.user_id)
            grant.refresh_expires_at = self.clock.now() + REFRESH_IDLE_TTL
            self._by_refresh[grant.refresh_token] = grant
            return grant

    def lookup_access(self, token: str) -> tuple[Grant | None, str | None]:
        """The grant behind an access token, or the reason it is refused."""
        entry = self._access.get(token)
        if entry is None:
            return None, "Invalid token: access token is invalid"
        grant, expires_at = entry
        if grant.revoked or token not in grant.access_tokens:
            return None, "Invalid token: access token is invalid"
        if self.clock.now() >= expires_at:
            return None, "Invalid token: access token has expired"
        return grant, None

    def revoke(self, client: Client, token: str, hint: str | None) -> bool:
        """RFC 7009: revoke a refresh token (and its grant) or a single access token."""
        del hint  # only a hint (RFC 7009 §2.1): both token kinds are looked up anyway
        with self._lock:
            grant = self._by_refresh.get(token)
            if grant is not None and grant.client_id == client.client_id:
                self._revoke_grant(grant, "revoked")
                return True
            entry = self._access.get(token)
            if entry is not None and entry[0].client_id == client.client_id:
                entry[0].access_tokens.discard(token)
                return True
            return False

    def _revoke_grant(self, grant: Grant, reason: str) -> None:
        grant.revoked = True
        grant.revoked_reason = reason
        self._by_refresh.pop(grant.refresh_token, None)

    def uninstall(self, client_id: str, company_id: int, user_id: int) -> int:
        with self._lock:
            hits = [
                g
                for g in self._grants.values()
                if g.client_id == client_id and g.company_id == company_id and g.user_id == user_id and not g.revoked
            ]
            for grant in hits:
                self._revoke_grant(grant, "uninstalled")
            return len(hits)

    def grants(self) -> list[dict[str, Any]]:
        now = self.clock.now()
        with self._lock:
            return [g.describe(now, self) for g in self._grants.values()]

    def clear(self) -> None:
        with self._lock:
            self._codes.clear()
            self._grants.clear()
            self._by_refresh.clear()
            self._access.clear()
