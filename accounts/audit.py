"""The one way to write an AuditEvent."""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import AuditEvent, Tenant, User


def audit_record(
    *,
    tenant: Tenant,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    target_label: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        tenant=tenant,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=target_label or (str(target) if target is not None else ""),
        details=details or {},
    )
    event.full_clean()
    event.save()
    return event
