"""Runs in real processes and threads: a killed worker, two runs at once, beat's fan-out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from customers.models import Contact, CustomerAccount
from integrations.models import SyncConfig, SyncRun
from integrations.pipedrive.runs import sync_connection_run
from integrations.tasks import dispatch_due_syncs
from tests.integrations.sync_helpers import configure, live_accounts
from tests.staircase.test_celery_wiring import database_url_for_worker

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_runs_only_one_proceeds(gen_sandbox, tenant):
    connection, _, _ = configure(gen_sandbox, tenant)
    gen_sandbox.set_fault(path="/api/v2/organizations", action="delay", seconds=1.5, count=1)
    results = {}

    def first():
        from django.db import connection as thread_db

        results["first"] = sync_connection_run(connection_id=connection.pk)
        thread_db.close()

    thread = threading.Thread(target=first)
    thread.start()
    deadline = time.monotonic() + 10
    while not SyncRun.objects.for_tenant(tenant).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sync_connection_run(connection_id=connection.pk) is None  # the lease is taken
    thread.join(30)
    assert results["first"].outcome == "succeeded"
    assert SyncRun.objects.for_tenant(tenant).count() == 1


def test_a_killed_worker_then_a_rerun_gives_the_same_rows(gen_sandbox, tenant, settings, tmp_path):
    connection, config, _ = configure(gen_sandbox, tenant)
    reference = sync_connection_run(connection_id=connection.pk)  # what a clean run produces
    expected_accounts = sorted(live_accounts(tenant).items())
    expected_contacts = Contact.objects.for_tenant(tenant).count()
    CustomerAccount.objects.for_tenant(tenant).all().delete()
    SyncConfig.objects.for_tenant(tenant).filter(pk=config.pk).update(orgs_high_water=None, last_full_sync_at=None)
    assert reference.outcome == "succeeded"

    # A separate process syncs; persons pages are slow, so it is mid-run when it is killed.
    gen_sandbox.set_fault(path="/api/v2/persons", action="delay", seconds=20, count=5)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "staircase.settings.test",
        "DATABASE_URL": database_url_for_worker(),
        "PIPEDRIVE_OAUTH_BASE_URL": gen_sandbox.url,
        "PIPEDRIVE_ALLOWED_API_ORIGINS": gen_sandbox.url,
    }
    log = tmp_path / "sync.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "sync_pipedrive", "--tenant", tenant.slug, "--full"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            run = SyncRun.objects.for_tenant(tenant).first()
            if run and run.step == "persons":
                break
            assert proc.poll() is None, log.read_text()
            time.sleep(0.1)
        else:
            pytest.fail("the sync never reached the persons step:\n" + log.read_text())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    killed = SyncRun.objects.for_tenant(tenant).first()  # the newest
    assert killed.outcome == "running" and CustomerAccount.objects.for_tenant(tenant).exists()

    gen_sandbox.clear_faults()
    assert sync_connection_run(connection_id=connection.pk) is None  # the dead worker's lease still holds
    SyncConfig.objects.for_tenant(tenant).filter(pk=config.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    rerun = sync_connection_run(connection_id=connection.pk)
    killed.refresh_from_db()
    assert killed.outcome == "failed" and "stopped unexpectedly" in killed.error_message
    assert rerun.outcome == "succeeded" and rerun.details["resumed_from"] == killed.pk
    assert "organizations" in rerun.details["steps_done"]
    assert sorted(live_accounts(tenant).items()) == expected_accounts
    assert Contact.objects.for_tenant(tenant).count() == expected_contacts
    assert CustomerAccount.objects.for_tenant(tenant).count() == len(expected_accounts)  # no duplicates


def test_dispatch_enqueues_due_connections_once(gen_sandbox, tenant, other_tenant):
    connection, config, _ = configure(gen_sandbox, tenant)
    assert dispatch_due_syncs() == 1  # eager in tests: the sync ran
    run = SyncRun.objects.for_tenant(tenant).get()
    assert run.outcome == "succeeded" and run.trigger == "schedule"
    config.refresh_from_db()
    assert config.next_sync_at > timezone.now() + timedelta(hours=1, minutes=55)
    assert dispatch_due_syncs() == 0
    SyncConfig.objects.for_tenant(tenant).filter(pk=config.pk).update(next_sync_at=timezone.now())
    assert dispatch_due_syncs() == 1
    assert SyncRun.objects.for_tenant(tenant).count() == 2
    assert SyncRun.objects.for_tenant(tenant).first().kind == "incremental"
