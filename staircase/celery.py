"""The Celery app and its beat schedule. Beat only runs fan-out tasks; they enqueue per-object work."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staircase.settings.local")

app = Celery("staircase")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "dispatch-due-syncs": {
        "task": "integrations.tasks.dispatch_due_syncs",
        "schedule": 60.0,
    },
    "purge-expired-invitations": {
        "task": "accounts.tasks.purge_expired_invitations",
        "schedule": crontab(minute=17, hour=3),
    },
    "keep-idle-pipedrive-grants-alive": {
        "task": "integrations.tasks.keep_idle_connections_alive",
        "schedule": crontab(minute=41, hour="*/6"),
    },
    "retry-pending-pipedrive-revokes": {
        "task": "integrations.tasks.retry_pending_revokes",
        "schedule": crontab(minute=23, hour=4),
    },
}
