"""Best-effort webhook delivery for changes made through the API or ``/_sandbox/mutate``.

Payloads follow the v2 webhook format (NOTES §8: ``meta``, ``data``, ``previous``) or
the legacy v1 one for ``version: "1.0"`` subscriptions. Delivery is one POST with a
10 s timeout on a background thread, with HTTP Basic auth when the subscription set
``http_auth_user``/``http_auth_password`` (Pipedrive does not sign payloads).
"""

from __future__ import annotations

import base64
import json
import queue
import threading
import urllib.error
import urllib.request
import uuid
from collections import deque
from typing import Any

from sandbox.clock import format_rfc3339
from sandbox.models import Webhook

__all__ = ["WebhookDispatcher", "build_payload"]

DELIVERY_TIMEOUT = 10.0


def build_payload(
    hook: Webhook,
    action: str,
    entity: str,
    entity_id: int,
    user_id: int,
    current: dict[str, Any] | None,
    previous: dict[str, Any] | None,
    now: float,
) -> dict[str, Any]:
    if hook.version == "1.0":
        verb = {"create": "added", "change": "updated", "delete": "deleted"}[action]
        return {
            "v": 1,
            "matches_filters": None,
            "event": f"{verb}.{entity}",
            "meta": {
                "action": verb,
                "object": entity,
                "id": entity_id,
                "company_id": hook.company_id,
                "user_id": user_id,
                "timestamp": int(now),
                "webhook_id": str(hook.id),
                "change_source": "api",
                "is_bulk_update": False,
                "attempt": 1,
            },
            "current": current,
            "previous": previous,
        }
    return {
        "meta": {
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "company_id": str(hook.company_id),
            "user_id": str(user_id),
            "id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
            "timestamp": format_rfc3339(now),
            "type": hook.type,
            "version": "2.0",
            "webhook_id": str(hook.id),
            "webhook_owner_id": str(hook.user_id),
            "change_source": "api",
            "is_bulk_edit": False,
            "attempt": 1,
        },
        "data": current,
        "previous": previous,
    }


class WebhookDispatcher:
    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Webhook, dict[str, Any]] | None] = queue.Queue()
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=500)
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def enqueue(self, hook: Webhook, payload: dict[str, Any]) -> None:
        self._queue.put((hook, payload))

    def stop(self) -> None:
        self._queue.put(None)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            hook, payload = item
            self.deliveries.append(self._post(hook, payload))

    @staticmethod
    def _post(hook: Webhook, payload: dict[str, Any]) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if hook.http_auth_user is not None:
            secret = f"{hook.http_auth_user}:{hook.http_auth_password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(secret).decode()
        request = urllib.request.Request(hook.subscription_url, json.dumps(payload).encode(), headers, method="POST")
        record: dict[str, Any] = {"webhook_id": hook.id, "url": hook.subscription_url, "payload": payload}
        try:
            with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT) as response:
                record["status"] = response.status
        except urllib.error.HTTPError as exc:
            record["status"] = exc.code
        except (OSError, ValueError) as exc:
            record["status"] = None
            record["error"] = str(exc)
        return record
