"""Rate limits, budgets, expiring tokens, dead grants and transport faults during a sync."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Connection, SyncConfig, SyncRun
from integrations.pipedrive.client import PipedriveClient
from integrations.pipedrive.runs import sync_connection_run
from sandbox.testing import running_sandbox
from tests.integrations.sandbox_helpers import ACME
from tests.integrations.sync_helpers import configure, live_accounts

pytestmark = pytest.mark.django_db


def test_a_burst_of_429s_is_waited_out(gen_sandbox, tenant):
    connection, _, _ = configure(gen_sandbox, tenant)
    gen_sandbox.set_fault(path="/api/v2/organizations", status=429, count=3, headers={"x-ratelimit-reset": "0.2"})
    run = sync_connection_run(connection_id=connection.pk)
    assert run.outcome == "succeeded" and run.details["rate_limited"] == 3
    assert live_accounts(tenant)


def test_real_burst_limit_headers_are_honoured(tenant, settings):
    with running_sandbox(orgs=60, persons_per_org=2, seed=3, burst_limit=6, burst_window=1.0) as sb:
        settings.PIPEDRIVE_OAUTH_BASE_URL = sb.url
        settings.PIPEDRIVE_ALLOWED_API_ORIGINS = [sb.url]
        connection, _, _ = configure(sb, tenant)
        run = sync_connection_run(connection_id=connection.pk)
        assert run.outcome == "succeeded", run.error_message
        statuses = sb.stats()["companies"][str(ACME)]["endpoints"]["GET /v1/organizationRelationships"]["statuses"]
        assert statuses.get("429", 0) <= run.details["rate_limited"]  # every 429 was waited out, none failed the run


def test_daily_budget_exhaustion_halts_until_the_reset(tenant, settings):
    with running_sandbox(orgs=60, persons_per_org=2, seed=3, daily_budget=400) as sb:
        settings.PIPEDRIVE_OAUTH_BASE_URL = sb.url
        settings.PIPEDRIVE_ALLOWED_API_ORIGINS = [sb.url]
        connection, config, _ = configure(sb, tenant, relationship_budget_pct=100)
        run = sync_connection_run(connection_id=connection.pk)
        assert run.outcome == SyncRun.Outcome.HALTED
        assert "resumes after it resets" in run.error_message
        config.refresh_from_db()
        tomorrow = (timezone.now() + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)
        assert abs((config.next_sync_at - tomorrow).total_seconds()) < 60
        calls = sb.stats()["companies"][str(ACME)]
        assert sum(e["statuses"].get("429", 0) for e in calls["endpoints"].values()) == 1  # stopped at the first


def test_a_token_that_expires_mid_sync_is_refreshed_once(gen_sandbox, tenant):
    connection, _, _ = configure(gen_sandbox, tenant)
    client = PipedriveClient.for_connection(connection)
    calls = {"n": 0}

    def expire_after_a_few(response, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            gen_sandbox.advance_clock(3700)  # Pipedrive's clock: the access token is now expired

    client.session.hooks["response"].append(expire_after_a_few)
    gen_sandbox.reset_stats()
    run = sync_connection_run(connection_id=connection.pk, client=client)
    assert run.outcome == "succeeded", run.error_message
    token_calls = gen_sandbox.stats()["oauth"]["POST /oauth/token"]
    assert token_calls["calls"] == 1 and token_calls["by_grant_type"]["refresh_token"]["succeeded"] == 1
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED


def test_a_dead_grant_halts_the_sync_and_asks_for_reconnect(gen_sandbox, tenant):
    connection, config, _ = configure(gen_sandbox, tenant)
    gen_sandbox.uninstall(ACME, connection.external_user_id)  # the grant is gone at Pipedrive
    Connection.objects.for_tenant(tenant).filter(pk=connection.pk).update(expires_at=timezone.now())
    run = sync_connection_run(connection_id=connection.pk)
    assert run.outcome == SyncRun.Outcome.HALTED and "reconnected" in run.error_message
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTH
    assert sync_connection_run(connection_id=connection.pk) is None  # no more runs against the dead grant


def test_a_vanished_status_field_halts_with_a_clear_message(gen_sandbox, tenant):
    connection, config, _ = configure(gen_sandbox, tenant)
    SyncConfig.objects.for_tenant(tenant).filter(pk=config.pk).update(status_field_key="0" * 40)
    run = sync_connection_run(connection_id=connection.pk)
    assert run.outcome == SyncRun.Outcome.HALTED and "no longer exists in Pipedrive" in run.error_message
    assert not live_accounts(tenant)


@pytest.mark.parametrize(
    "fault",
    [
        {"action": "reset", "count": 1},
        {"action": "timeout", "seconds": 3, "count": 1},
        {"status": 502, "count": 2},
    ],
)
def test_transport_faults_are_retried(gen_sandbox, tenant, settings, fault):
    settings.PIPEDRIVE_HTTP_TIMEOUT = 1.0
    connection, _, _ = configure(gen_sandbox, tenant)
    gen_sandbox.set_fault(path="/api/v2/organizations", on_call=1, **fault)
    run = sync_connection_run(connection_id=connection.pk)
    assert run.outcome == "succeeded", run.error_message
    assert live_accounts(tenant)
