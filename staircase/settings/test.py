"""Settings for the test suite. The database and Redis come from the environment like everywhere else."""

import os
import tempfile
import uuid

# Worker processes started by tests inherit these, so they share the queue with the test process
# and never with a developer's `make run` or another test run.
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"staircase-test-{uuid.uuid4().hex[:10]}")
os.environ.setdefault("CELERY_FILESYSTEM_DIR", tempfile.mkdtemp(prefix="staircase-celery-"))

from .base import *  # noqa: E402,F401,F403
from .base import DATABASES, VAR_DIR  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Unit tests run tasks in-process; the Celery wiring test starts a real worker instead.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
FIELD_ENCRYPTION_KEYS = ["o0b7yGSP9Zf-XCvPjkIYV0C0s6j3aM6Z8QFZ2Yq4w1s="]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so a worker process and the live server see the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# Static files come straight from the source folders; nothing is collected for tests.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
