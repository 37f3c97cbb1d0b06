import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection as db

from integrations.models import Connection
from staircase import crypto
from tests.integrations.factories import ConnectionFactory


def test_round_trip_and_rotation(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt("secret-value")
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(token) == "secret-value"
    rotated = crypto.rotate(token)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "secret-value"
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt(token)


def test_bad_key_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


@pytest.mark.django_db
def test_tokens_are_ciphertext_in_the_database(tenant):
    conn = ConnectionFactory(tenant=tenant, access_token="plain-access-123", refresh_token="plain-refresh-456")
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM integrations_connection WHERE id = %s", [conn.pk])
        access, refresh = cursor.fetchone()
    assert "plain-access-123" not in access and "plain-refresh-456" not in refresh
    assert access.startswith("gAAAA") and refresh.startswith("gAAAA")
    fresh = Connection.objects.for_tenant(tenant).get(pk=conn.pk)
    assert (fresh.access_token, fresh.refresh_token) == ("plain-access-123", "plain-refresh-456")
    assert "plain" not in repr(fresh) and "plain" not in str(fresh)


@pytest.mark.django_db
def test_rotate_encryption_keys_command(tenant, settings):
    from django.core.management import call_command

    old = settings.FIELD_ENCRYPTION_KEYS[0]
    conn = ConnectionFactory(tenant=tenant, access_token="a-token", refresh_token="r-token")
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new]
    fresh = Connection.objects.for_tenant(tenant).get(pk=conn.pk)
    assert (fresh.access_token, fresh.refresh_token) == ("a-token", "r-token")
