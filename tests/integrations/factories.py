from datetime import timedelta

import factory
from django.utils import timezone

from integrations.models import Connection, SyncConfig
from tests.factories import TenantFactory


class ConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connection

    tenant = factory.SubFactory(TenantFactory)
    company_id = factory.Sequence(lambda n: 9000 + n)
    company_name = factory.Sequence(lambda n: f"Pipedrive Co {n}")
    company_domain = factory.Sequence(lambda n: f"pdco{n}")
    api_domain = "http://127.0.0.1:8100"
    external_user_id = factory.Sequence(lambda n: 100 + n)
    external_user_email = "admin@pipedrive.test"
    scopes = "base,contacts:full"
    access_token = factory.Sequence(lambda n: f"access-{n}")
    refresh_token = factory.Sequence(lambda n: f"refresh-{n}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))


class SyncConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncConfig

    connection = factory.SubFactory(ConnectionFactory)
    tenant = factory.LazyAttribute(lambda o: o.connection.tenant)
    status_field_key = "a" * 40
    status_field_name = "Account Status"
    status_field_type = "enum"
    active_option_ids = [1]
    churn_option_ids = [7]
