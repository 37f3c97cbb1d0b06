"""Disconnect → "Delete the data pulled from Pipedrive": removes one connection's pulled rows in batches.

Progress is written to the connection after every batch, so the admin's page can show it, and a
crashed purge restarts where it stopped (it only ever deletes what is left).
"""

from __future__ import annotations

import logging

from django.db import transaction

from customers.models import Contact, CustomerAccount
from integrations.models import Connection, OrgRelationshipCheck

logger = logging.getLogger(__name__)

BATCH = 1000


def _pulled_accounts(connection: Connection):
    # Only the current company's rows: data kept from an earlier company of this connection stays.
    return CustomerAccount.objects.for_tenant(connection.tenant_id).filter(
        source_connection=connection, source_company_id=connection.company_id
    )


def connection_purge_data(*, connection_id: int, batch_size: int = BATCH) -> None:
    connection = Connection.objects.unscoped().filter(pk=connection_id).first()
    if connection is None or connection.purge_status != Connection.Purge.RUNNING:
        return
    accounts = _pulled_accounts(connection)
    contacts = Contact.objects.for_tenant(connection.tenant_id).filter(
        account__source_connection=connection, source_company_id=connection.company_id
    )
    total = accounts.count() + contacts.count()
    Connection.objects.unscoped().filter(pk=connection_id).update(purge_total=connection.purge_done + total)
    try:
        # Contacts first (many), then accounts; children before parents is irrelevant (SET_NULL).
        for queryset in (contacts, accounts):
            while True:
                ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
                if not ids:
                    break
                with transaction.atomic():
                    deleted, _ = queryset.model.objects.for_tenant(connection.tenant_id).filter(pk__in=ids).delete()
                    locked = Connection.objects.unscoped().select_for_update().get(pk=connection_id)
                    if locked.purge_status != Connection.Purge.RUNNING:
                        return
                    locked.purge_done += len(ids)
                    locked.save(update_fields=["purge_done"])
        OrgRelationshipCheck.objects.for_tenant(connection.tenant_id).filter(connection=connection).delete()
    except Exception:
        Connection.objects.unscoped().filter(pk=connection_id).update(purge_status=Connection.Purge.FAILED)
        logger.exception("Deleting the Pipedrive data of connection %s failed", connection_id)
        raise
    Connection.objects.unscoped().filter(pk=connection_id).update(purge_status=Connection.Purge.DONE)
    logger.info("Deleted %s pulled rows of connection %s", total, connection_id)
