from __future__ import annotations

from celery import shared_task

from accounts.models import Invitation
from accounts.services import invitation_deliver, invitations_purge_expired


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def deliver_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.unscoped().select_related("tenant").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return
    invitation_deliver(invitation=invitation)


@shared_task
def purge_expired_invitations() -> int:
    return invitations_purge_expired()
