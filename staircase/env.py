"""Where settings come from: the process environment (12-factor), optionally a `.env` file.

Every name read here is documented in `.env.example`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# A developer's `.env` is a convenience; real deployments set the environment directly.
_dotenv = BASE_DIR / ".env"
if _dotenv.is_file():
    environ.Env.read_env(str(_dotenv), overwrite=False)

# Runtime state of the embedded default (SQLite file, Celery queue folders, beat schedule).
VAR_DIR = Path(env.str("STAIRCASE_VAR_DIR", default=str(BASE_DIR / "var")))


def development_secret_key() -> str:
    """A per-checkout random key, kept in var/ so sessions survive a restart. Never used in production."""
    key_file = VAR_DIR / "dev-secret-key"
    if key_file.is_file():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def development_encryption_key() -> str:
    """A per-checkout Fernet key in var/, so `make run` needs no set-up. Never used in production."""
    from cryptography.fernet import Fernet

    key_file = VAR_DIR / "dev-fernet-key"
    if key_file.is_file():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
