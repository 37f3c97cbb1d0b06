"""The settings modules, each loaded in a fresh interpreter with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_ENV_NAMES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "CELERY_FILESYSTEM_DIR",
    "CELERY_TASK_DEFAULT_QUEUE",
    "FIELD_ENCRYPTION_KEYS",
)


def run_python(code: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV_NAMES and not k.startswith("DJANGO_")}
    clean.update({"STAIRCASE_VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


DUMP = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
from staircase.celery import app
out = {
  "engine": settings.DATABASES["default"]["ENGINE"],
  "options": settings.DATABASES["default"].get("OPTIONS", {}),
  "debug": settings.DEBUG,
  "secret_len": len(settings.SECRET_KEY),
  "broker": app.conf.broker_url,
  "cache": settings.CACHES["default"]["BACKEND"],
  "samesite": settings.SESSION_COOKIE_SAMESITE,
}
if out["engine"].endswith("sqlite3"):
    with connection.cursor() as c:
        c.execute("PRAGMA journal_mode"); out["journal_mode"] = c.fetchone()[0]
        c.execute("PRAGMA busy_timeout"); out["busy_timeout"] = c.fetchone()[0]
print(json.dumps(out))
"""


@pytest.mark.smoke
def test_embedded_default_needs_no_environment(tmp_path):
    result = run_python(DUMP, {"DJANGO_SETTINGS_MODULE": "staircase.settings.local"}, tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["engine"] == "django.db.backends.sqlite3"
    assert out["journal_mode"] == "wal" and out["busy_timeout"] >= 5000
    assert out["broker"].startswith("filesystem://")
    assert out["debug"] is True and out["secret_len"] >= 50
    assert out["samesite"] == "Lax"
    assert (tmp_path / "var" / "dev-secret-key").is_file()
    again = json.loads(run_python(DUMP, {"DJANGO_SETTINGS_MODULE": "staircase.settings.local"}, tmp_path).stdout)
    assert again["secret_len"] == out["secret_len"]  # the generated key is kept, sessions survive restarts


def test_environment_selects_postgres_and_redis(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "staircase.settings.local",
        "DATABASE_URL": "postgres://someone@db.internal:5432/staircase",
        "REDIS_URL": "redis://cache.internal:6379/0",
    }
    code = DUMP.replace('if out["engine"]', 'if False and out["engine"]')
    result = run_python(code, env, tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["engine"] == "django.db.backends.postgresql"
    assert out["broker"] == "redis://cache.internal:6379/0"
    assert out["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_production_check_deploy_is_clean(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "staircase.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-that-is-long-and-random-0123456789",
        "DJANGO_ALLOWED_HOSTS": "staircase.example.com",
        "DATABASE_URL": "postgres://staircase@db.internal:5432/staircase",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "FIELD_ENCRYPTION_KEYS": "o0b7yGSP9Zf-XCvPjkIYV0C0s6j3aM6Z8QFZ2Yq4w1s=",
        "SITE_URL": "https://staircase.example.com",
        "PIPEDRIVE_CLIENT_ID": "abc123",
        "PIPEDRIVE_CLIENT_SECRET": "s3cret",
    }
    code = (
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = run_python(code, env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path):
    result = run_python(DUMP, {"DJANGO_SETTINGS_MODULE": "staircase.settings.production"}, tmp_path)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
