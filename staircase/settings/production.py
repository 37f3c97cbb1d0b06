"""Production: everything that matters must come from the environment; nothing is generated."""

from staircase.env import env

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

# Real Pipedrive unless told otherwise; the sandbox origin is never trusted by default here.
PIPEDRIVE_CLIENT_ID = env.str("PIPEDRIVE_CLIENT_ID")
PIPEDRIVE_CLIENT_SECRET = env.str("PIPEDRIVE_CLIENT_SECRET")
PIPEDRIVE_OAUTH_BASE_URL = env.str("PIPEDRIVE_OAUTH_BASE_URL", default="https://oauth.pipedrive.com").rstrip("/")
PIPEDRIVE_ALLOWED_API_ORIGINS = env.list("PIPEDRIVE_ALLOWED_API_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
