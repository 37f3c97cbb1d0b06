"""The one place that builds HTTP sessions for Pipedrive. Transport faults are retried by urllib3."""

from __future__ import annotations

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = "Staircase/1.0 (+https://staircase.example)"

# Connection errors are retried with backoff for every method: the request never reached Pipedrive.
# Dropped reads are retried only for idempotent methods (GET, and PATCH of field values): resending a
# POST could create a second field, and resending a token refresh would spend the rotated refresh token.
# HTTP statuses are not retried here: 429 needs Pipedrive's own reset headers (see client.py), and a
# 5xx page is retried by the caller's policy so it can be counted and reported.
IDEMPOTENT_METHODS = Retry.DEFAULT_ALLOWED_METHODS | {"PATCH"}


def transport_retry(*, retry_reads: bool) -> Retry:
    return Retry(
        total=5,
        connect=4,
        read=3 if retry_reads else 0,
        status=0,
        other=2 if retry_reads else 0,
        backoff_factor=0.5,
        backoff_max=8,
        allowed_methods=IDEMPOTENT_METHODS if retry_reads else frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=False,
    )


def new_session(*, retry_reads: bool = True) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=transport_retry(retry_reads=retry_reads), pool_connections=4, pool_maxsize=8)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    return session


def timeout() -> tuple[float, float]:
    return (min(10.0, settings.PIPEDRIVE_HTTP_TIMEOUT), settings.PIPEDRIVE_HTTP_TIMEOUT)
