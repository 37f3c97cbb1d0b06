"""Pipedrive's OAuth endpoints: authorize URL, code exchange, refresh and revoke (NOTES §1)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings
from django.utils import timezone

from integrations.pipedrive import http
from integrations.pipedrive.errors import ApiError, ApiTimeout, ReauthRequired

# Token calls are never resent after a dropped read: a refresh may have rotated the token already.
_session = http.new_session(retry_reads=False)


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime
    scope: str
    api_domain: str

    def __repr__(self) -> str:  # never let a token reach a log line through repr()
        return f"<TokenSet api_domain={self.api_domain} scope={self.scope} expires_at={self.expires_at:%H:%M:%S}>"


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge). Pipedrive does not document PKCE; sending it is harmless if ignored."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(*, state: str, code_challenge: str) -> str:
    query = urlencode(
        {
            "client_id": settings.PIPEDRIVE_CLIENT_ID,
            "redirect_uri": settings.PIPEDRIVE_REDIRECT_URI,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{settings.PIPEDRIVE_OAUTH_BASE_URL}/oauth/authorize?{query}"


def is_allowed_api_domain(api_domain: str) -> bool:
    """An https *.pipedrive.com origin, or an exact origin from PIPEDRIVE_ALLOWED_API_ORIGINS (the sandbox).

    api_domain decides where our Bearer tokens are sent, so anything looser would let a forged token
    response exfiltrate them.
    """
    try:
        parts = urlsplit(api_domain)
        port = parts.port
    except ValueError:
        return False
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        return False
    if origin in {o.rstrip("/") for o in settings.PIPEDRIVE_ALLOWED_API_ORIGINS}:
        return True
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and port in (None, 443) and host.endswith(".pipedrive.com") and host.count(".") >= 2


def _basic_auth() -> tuple[str, str]:
    return settings.PIPEDRIVE_CLIENT_ID, settings.PIPEDRIVE_CLIENT_SECRET


def _post(path: str, data: dict[str, str]) -> requests.Response:
    try:
        return _session.post(
            f"{settings.PIPEDRIVE_OAUTH_BASE_URL}{path}", data=data, auth=_basic_auth(), timeout=http.timeout()
        )
    except requests.Timeout as exc:
        raise ApiTimeout(f"Pipedrive's OAuth server did not answer ({path})") from exc
    except requests.RequestException as exc:
        raise ApiTimeout(f"Could not reach Pipedrive's OAuth server ({type(exc).__name__})") from exc


def _oauth_error(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if not isinstance(body, dict):
        return "", ""
    code = str(body.get("error") or "")
    message = str(body.get("error_description") or body.get("message") or body.get("error") or "")
    return code, message


def _token_set(response: requests.Response) -> TokenSet:
    try:
        body = response.json()
        access, refresh, api_domain = body["access_token"], body["refresh_token"], body["api_domain"]
        expires_in = int(body["expires_in"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError("Pipedrive returned a token response we could not read", status=response.status_code) from exc
    if not (isinstance(access, str) and isinstance(refresh, str) and access and refresh):
        raise ApiError("Pipedrive returned an empty token", status=response.status_code)
    return TokenSet(
        access_token=access,
        refresh_token=refresh,
        expires_at=timezone.now() + timedelta(seconds=max(0, expires_in)),
        scope=str(body.get("scope") or ""),
        api_domain=str(api_domain).rstrip("/"),
    )


def _token_request(data: dict[str, str]) -> TokenSet:
    response = _post("/oauth/token", data)
    if response.status_code == 200:
        return _token_set(response)
    code, message = _oauth_error(response)
    if response.status_code in (400, 401) and (code == "invalid_grant" or "invalid grant" in message.lower()):
        raise ReauthRequired(message or "Pipedrive no longer accepts this authorization", status=response.status_code)
    raise ApiError(
        f"Pipedrive refused the token request ({response.status_code}{': ' + message if message else ''})",
        status=response.status_code,
    )


def exchange_code(*, code: str, code_verifier: str = "") -> TokenSet:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": settings.PIPEDRIVE_REDIRECT_URI}
    if code_verifier:
        data["code_verifier"] = code_verifier
    return _token_request(data)


def refresh(*, refresh_token: str) -> TokenSet:
    return _token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})


def revoke(*, token: str, token_type_hint: str = "refresh_token") -> None:
    """RFC 7009. Raises ApiError/ApiTimeout when Pipedrive did not confirm, so the caller can retry."""
    response = _post("/oauth/revoke", {"token": token, "token_type_hint": token_type_hint})
    if response.status_code >= 400:
        _, message = _oauth_error(response)
        raise ApiError(
            f"Pipedrive did not revoke the token ({response.status_code} {message})".strip(),
            status=response.status_code,
        )
