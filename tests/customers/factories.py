import factory

from customers.models import Contact, CustomerAccount
from tests.factories import TenantFactory


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerAccount

    tenant = factory.SubFactory(TenantFactory)
    source_company_id = 7001
    external_id = factory.Sequence(lambda n: 10_000 + n)
    name = factory.Sequence(lambda n: f"Account {n:05d}")
    status = "active"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    tenant = factory.LazyAttribute(lambda o: o.account.tenant)
    source_company_id = 7001
    external_id = factory.Sequence(lambda n: 500_000 + n)
    name = factory.Sequence(lambda n: f"Person {n}")
    emails = factory.LazyAttribute(lambda o: [f"{o.name.replace(' ', '.').lower()}@example.com"])
