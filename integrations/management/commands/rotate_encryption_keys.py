"""Re-encrypt every stored secret under the first FIELD_ENCRYPTION_KEYS key (run after adding a key)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from integrations.models import Connection


class Command(BaseCommand):
    help = "Re-encrypt stored Pipedrive tokens with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        count = 0
        # Crosses tenants on purpose: key rotation is an operator task over every row.
        ids = list(Connection.objects.unscoped().values_list("pk", flat=True))
        for pk in ids:
            with transaction.atomic():
                connection = Connection.objects.unscoped().select_for_update().get(pk=pk)
                # Reading decrypts with any key; saving encrypts with the first one.
                connection.save(update_fields=["access_token", "refresh_token"])
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the tokens of {count} connection(s)."))
