"""OAuth helpers and the token endpoint, with HTTP stubbed by `responses`."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from integrations.pipedrive import oauth
from integrations.pipedrive.errors import ApiError, ReauthRequired

OAUTH = "http://127.0.0.1:8100"


@pytest.fixture(autouse=True)
def _oauth_settings(settings):
    settings.PIPEDRIVE_OAUTH_BASE_URL = OAUTH
    settings.PIPEDRIVE_ALLOWED_API_ORIGINS = ["http://127.0.0.1:8100"]


@pytest.mark.parametrize(
    "api_domain,allowed",
    [
        ("https://acme.pipedrive.com", True),
        ("https://acme.pipedrive.com/", True),
        ("https://eu.acme.pipedrive.com", True),
        ("http://127.0.0.1:8100", True),
        ("http://acme.pipedrive.com", False),
        ("https://pipedrive.com", False),
        ("https://acme.pipedrive.com.evil.test", False),
        ("https://evilpipedrive.com", False),
        ("https://acme.pipedrive.com:8443", False),
        ("https://user@acme.pipedrive.com", False),
        ("https://acme.pipedrive.com/api", False),
        ("http://127.0.0.1:8101", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_api_domain_allow_list(api_domain, allowed):
    assert oauth.is_allowed_api_domain(api_domain) is allowed


def test_authorize_url_carries_state_and_pkce(settings):
    verifier, challenge = oauth.pkce_pair()
    url = oauth.authorize_url(state="s-123", code_challenge=challenge)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{OAUTH}/oauth/authorize"
    assert query["client_id"] == [settings.PIPEDRIVE_CLIENT_ID]
    assert query["redirect_uri"] == [settings.PIPEDRIVE_REDIRECT_URI]
    assert query["state"] == ["s-123"] and query["code_challenge_method"] == ["S256"]
    assert len(verifier) >= 43 and challenge != verifier


@responses.activate
def test_exchange_uses_basic_auth_and_parses_tokens():
    responses.post(
        f"{OAUTH}/oauth/token",
        json={
            "access_token": "at",
            "token_type": "Bearer",
            "refresh_token": "rt",
            "scope": "base,contacts:read",
            "expires_in": 3599,
            "api_domain": "https://acme.pipedrive.com",
        },
    )
    tokens = oauth.exchange_code(code="c0de")
    request = responses.calls[0].request
    assert request.headers["Authorization"].startswith("Basic ")
    assert "grant_type=authorization_code" in request.body and "code=c0de" in request.body
    assert tokens.access_token == "at" and tokens.api_domain == "https://acme.pipedrive.com"
    assert "at" not in repr(tokens).replace("api_domain", "").replace("expires_at", "").replace("scope", "")


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "message": "Invalid grant: refresh token is invalid", "error": "invalid_grant"},
        {"error": "invalid_grant", "error_description": "Invalid refresh token"},
    ],
)
def test_invalid_grant_means_reauth(body):
    responses.post(f"{OAUTH}/oauth/token", json=body, status=400)
    with pytest.raises(ReauthRequired):
        oauth.refresh(refresh_token="old")


@responses.activate
@pytest.mark.parametrize("status,body", [(500, {"error": "boom"}), (200, {"access_token": "only"}), (200, "not json")])
def test_token_endpoint_faults_are_api_errors(status, body):
    if isinstance(body, str):
        responses.post(f"{OAUTH}/oauth/token", body=body, status=status)
    else:
        responses.post(f"{OAUTH}/oauth/token", json=body, status=status)
    with pytest.raises(ApiError):
        oauth.refresh(refresh_token="x")


@responses.activate
def test_revoke_failure_raises_so_it_can_be_retried():
    responses.post(f"{OAUTH}/oauth/revoke", status=503, json={"error": "down"})
    with pytest.raises(ApiError):
        oauth.revoke(token="rt")
    responses.post(f"{OAUTH}/oauth/revoke", status=200, json={})
    oauth.revoke(token="rt")
    assert "token=rt" in responses.calls[-1].request.body
