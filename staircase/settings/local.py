"""The embedded default: `make run` on a laptop. DEBUG on unless the environment says otherwise."""

from staircase.env import env

from .base import *  # noqa: F401,F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    # Served straight from static/ by whitenoise's finders, with autorefresh; nothing to collect.
    STATIC_ROOT = None
    WHITENOISE_USE_FINDERS = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
