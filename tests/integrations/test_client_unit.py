"""The API client's failure mapping, with HTTP stubbed by `responses`."""

from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from integrations.models import Connection
from integrations.pipedrive.client import PipedriveClient, StaticTokens
from integrations.pipedrive.errors import ApiError, ApiForbidden, ApiTimeout, RateLimited, ReauthRequired
from tests.integrations.factories import ConnectionFactory

API = "https://acme.pipedrive.com"
ORGS = f"{API}/api/v2/organizations"


def client(**kwargs):
    sleeps = []
    c = PipedriveClient(StaticTokens(access_token="tok", api_domain=API), sleep=sleeps.append, **kwargs)
    return c, sleeps


def page(data, cursor=None):
    return {"success": True, "data": data, "additional_data": {"next_cursor": cursor}}


@responses.activate
def test_cursor_paging_and_call_stats():
    responses.get(ORGS, json=page([{"id": 1}], "c2"))
    responses.get(ORGS, json=page([{"id": 2}], None))
    c, _ = client()
    assert [p for p in c.iter_v2_pages("/api/v2/organizations")] == [[{"id": 1}], [{"id": 2}]]
    assert "cursor=c2" in responses.calls[1].request.url and "limit=500" in responses.calls[0].request.url
    assert responses.calls[0].request.headers["Authorization"] == "Bearer tok"
    assert c.stats.calls == 2 and c.stats.token_cost == 20


@responses.activate
def test_burst_429_waits_for_reset_then_succeeds():
    responses.get(ORGS, status=429, json={"success": False, "error": "Too many"}, headers={"x-ratelimit-reset": "1.5"})
    responses.get(ORGS, json=page([]))
    c, sleeps = client()
    assert list(c.iter_v2_pages("/api/v2/organizations")) == [[]]
    assert sleeps == [1.5] and c.stats.rate_limited == 1


@responses.activate
def test_retry_after_is_honoured():
    responses.get(ORGS, status=429, json={"success": False, "error": "x"}, headers={"Retry-After": "3"})
    responses.get(ORGS, json=page([]))
    c, sleeps = client()
    list(c.iter_v2_pages("/api/v2/organizations"))
    assert sleeps == [3.0]


@responses.activate
def test_daily_budget_exhaustion_is_not_retried():
    responses.get(
        ORGS,
        status=429,
        json={"success": False, "error": "x"},
        headers={"x-daily-ratelimit-token-remaining": "0", "x-ratelimit-reset": "1"},
    )
    c, sleeps = client()
    with pytest.raises(RateLimited) as info:
        list(c.iter_v2_pages("/api/v2/organizations"))
    assert info.value.daily and sleeps == [] and len(responses.calls) == 1


@responses.activate
def test_persistent_429_gives_up():
    for _ in range(10):
        responses.get(ORGS, status=429, json={"success": False, "error": "x"}, headers={"x-ratelimit-reset": "0.1"})
    c, _ = client()
    with pytest.raises(RateLimited) as info:
        list(c.iter_v2_pages("/api/v2/organizations"))
    assert not info.value.daily


@responses.activate
def test_server_error_is_retried_twice_then_raised():
    for _ in range(3):
        responses.get(ORGS, status=503, json={"success": False, "error": "maintenance"})
    c, sleeps = client()
    with pytest.raises(ApiError) as info:
        list(c.iter_v2_pages("/api/v2/organizations"))
    assert info.value.status == 503 and len(sleeps) == 2 and len(responses.calls) == 3


@responses.activate
@pytest.mark.parametrize(
    "body", ["{not json", '{"success": false, "error": "x"}', '{"success": true, "data": {"id": 1}}', "[1, 2]"]
)
def test_malformed_pages_are_errors(body):
    responses.get(ORGS, body=body, status=200, content_type="application/json")
    c, _ = client()
    with pytest.raises(ApiError):
        list(c.iter_v2_pages("/api/v2/organizations"))


@responses.activate
def test_forbidden_maps_to_api_forbidden():
    responses.post(f"{API}/api/v2/organizationFields", status=403, json={"success": False, "error": "scope"})
    c, _ = client()
    with pytest.raises(ApiForbidden):
        c.create_organization_field(name="x", field_type="enum", options=["a"])


@responses.activate
def test_connection_refused_is_api_timeout():
    c, _ = client()
    with pytest.raises(ApiTimeout):  # responses refuses unknown URLs with ConnectionError
        c.current_user()


@responses.activate
def test_static_tokens_cannot_refresh_after_401():
    responses.get(f"{API}/api/v1/users/me", status=401, json={"success": False, "error": "unauthorized"})
    c, _ = client()
    with pytest.raises(ReauthRequired):
        c.current_user()


@pytest.mark.django_db
@responses.activate
def test_connection_refreshes_once_after_401_and_saves_rotated_tokens(tenant, settings):
    settings.PIPEDRIVE_OAUTH_BASE_URL = "https://oauth.pipedrive.com"
    conn = ConnectionFactory(tenant=tenant, api_domain=API, access_token="old-at", refresh_token="old-rt")
    responses.get(f"{API}/api/v1/users/me", status=401, json={"success": False, "error": "unauthorized"})
    # The refresh moves the company to a new api_domain; the retry must follow it.
    responses.get("https://acme2.pipedrive.com/api/v1/users/me", json={"success": True, "data": {"id": 1}})
    responses.post(
        "https://oauth.pipedrive.com/oauth/token",
        json={
            "access_token": "new-at",
            "refresh_token": "new-rt",
            "token_type": "Bearer",
            "scope": "base",
            "expires_in": 3600,
            "api_domain": "https://acme2.pipedrive.com",
        },
    )
    c = PipedriveClient.for_connection(conn)
    assert c.current_user() == {"id": 1}
    assert responses.calls[2].request.headers["Authorization"] == "Bearer new-at"
    conn = Connection.objects.for_tenant(tenant).get(pk=conn.pk)
    assert (conn.access_token, conn.refresh_token, conn.api_domain) == (
        "new-at",
        "new-rt",
        "https://acme2.pipedrive.com",
    )


@pytest.mark.django_db
@responses.activate
def test_refresh_before_expiry_and_invalid_grant_marks_needs_reauth(tenant, settings):
    settings.PIPEDRIVE_OAUTH_BASE_URL = "https://oauth.pipedrive.com"
    conn = ConnectionFactory(tenant=tenant, api_domain=API, expires_at=timezone.now() + timedelta(minutes=4))
    responses.post(
        "https://oauth.pipedrive.com/oauth/token",
        status=400,
        json={"success": False, "message": "Invalid grant: refresh token is invalid", "error": "invalid_grant"},
    )
    with pytest.raises(ReauthRequired):
        PipedriveClient.for_connection(conn).current_user()
    conn.refresh_from_db()
    assert conn.status == Connection.Status.NEEDS_REAUTH and "Invalid grant" in conn.status_reason
    assert len(responses.calls) == 1  # no API call with the dead token, no retry of the dead grant
    with pytest.raises(ReauthRequired):
        PipedriveClient.for_connection(conn).current_user()
    assert len(responses.calls) == 1


@pytest.mark.django_db
@responses.activate
def test_untrusted_api_domain_on_refresh_is_kept_out(tenant, settings):
    settings.PIPEDRIVE_OAUTH_BASE_URL = "https://oauth.pipedrive.com"
    conn = ConnectionFactory(tenant=tenant, api_domain=API, expires_at=timezone.now())
    responses.post(
        "https://oauth.pipedrive.com/oauth/token",
        json={
            "access_token": "new-at",
            "refresh_token": "new-rt",
            "token_type": "Bearer",
            "scope": "base",
            "expires_in": 3600,
            "api_domain": "https://evil.example.com",
        },
    )
    with pytest.raises(ReauthRequired):
        PipedriveClient.for_connection(conn).current_user()
    conn.refresh_from_db()
    assert conn.api_domain == API and conn.refresh_token == "new-rt" and conn.status == Connection.Status.NEEDS_REAUTH
