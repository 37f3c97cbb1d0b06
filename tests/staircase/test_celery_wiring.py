"""One real worker process, one task enqueued on commit by a real view. Redis in CI; the filesystem
transport of the embedded default when REDIS_URL is not set."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from accounts.models import Invitation

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def database_url_for_worker() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    from staircase.celery import app

    if os.environ.get("CI") and connection.vendor == "postgresql" and not settings.REDIS_URL:
        # CI's full run (PostgreSQL) must prove the Redis wiring; its SQLite smoke run proves the filesystem one.
        pytest.fail("CI must run the Celery wiring test against Redis: set REDIS_URL")
    log = tmp_path / "worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "staircase.settings.test", "DATABASE_URL": database_url_for_worker()}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "staircase",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    app.conf.task_always_eager = False
    try:
        yield proc, log
    finally:
        app.conf.task_always_eager = True
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.smoke
def test_view_enqueues_on_commit_and_a_real_worker_runs_it(worker, admin_client, tenant):
    proc, log = worker
    response = admin_client.post(reverse("accounts:invite"), {"email": "queued@acme.test", "role": "member"})
    assert response.status_code == 302
    invitation = Invitation.objects.for_tenant(tenant).get(email="queued@acme.test")
    assert invitation.sent_at is None  # nothing ran in the web process
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        invitation.refresh_from_db()
        if invitation.sent_at is not None:
            break
        time.sleep(0.25)
    assert invitation.sent_at is not None, "worker did not deliver the invitation:\n" + log.read_text()[-4000:]
    assert "accounts.tasks.deliver_invitation" in log.read_text()
