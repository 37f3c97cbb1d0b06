"""Deterministic, realistic sandbox data of any size.

``generate_world(orgs=N, persons_per_org=M, seed=S)`` always builds the same world for
the same arguments. The first company gets ``N`` organizations and exactly ``N*M``
persons (each org gets ``M`` on average); the second company gets a small book of
``max(5, min(N // 4, 50))`` organizations. Write a fixture with::

    python -m sandbox.generator --orgs 50 --persons-per-org 4 --seed 42 \
        --orphans 3 -o sandbox/fixtures/demo.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from typing import Any

from sandbox.contacts import pack_contacts
from sandbox.fields import custom_field_key, standard_org_fields, standard_person_fields
from sandbox.fixture import FIELDS_EPOCH, dump_fixture
from sandbox.generator_text import (
    ACTIVITY_SUBJECTS,
    ACTIVITY_TYPES,
    FIRST_NAMES,
    FREEMAIL_DOMAINS,
    LAST_NAMES,
    LEGAL_SUFFIXES,
    NAME_NOUNS,
    NAME_PREFIXES,
    NOTE_TEXTS,
    SUBDOMAINS,
    TLDS,
    ascii_slug,
)
from sandbox.models import (
    Activity,
    Company,
    Field,
    FieldOption,
    Membership,
    Note,
    Org,
    Person,
    Relationship,
    User,
)
from sandbox.store import CompanyData, World

__all__ = [
    "generate_world",
    "ACCOUNT_STATUS_OPTIONS",
    "TIER_OPTIONS",
    "DEMO_COMPANIES",
    "DEMO_USERS",
    "api_token_for",
]

ACCOUNT_STATUS_OPTIONS = (
    "Active",
    "New",
    "Live",
    "Onboarding",
    "Tier 1",
    "Tier 2",
    "Churned",
    "Inactive",
    "Prospect",
)
# Relative frequencies of the statuses above, and of "no status" (last).
_STATUS_WEIGHTS = (30, 8, 10, 8, 6, 6, 12, 8, 12, 5)
TIER_OPTIONS = ("Tier 1", "Tier 2", "Tier 3", "Strategic")

# (id, name, domain, country, industry, plan)
DEMO_COMPANIES = (
    (7001, "Acme Analytics", "acme-analytics", "US", "Software", "growth"),
    (7002, "Globex Partners", "globex-partners", "DE", "Consulting", "premium"),
)
# (id, name, email, {company_id: is_admin})
DEMO_USERS = (
    (501, "Alice Anders", "alice.anders@acme-analytics.example", {7001: True, 7002: True}),
    (502, "Bob Baker", "bob.baker@acme-analytics.example", {7001: False}),
    (503, "Carla Conti", "carla.conti@globex-partners.example", {7002: True}),
    (504, "Dev Dutta", "dev.dutta@globex-partners.example", {7002: False}),
)

_GEN_START = 1_672_531_200  # 2023-01-01T00:00:00Z: earliest add_time
_GEN_END = 1_748_736_000  # 2025-06-01T00:00:00Z: latest generated update_time
_DAY = 86_400


def api_token_for(seed: int, company_id: int, user_id: int) -> str:
    """The documented personal API token of a seeded user in one company."""
    return hashlib.sha1(f"sandbox-api-token:{seed}:{company_id}:{user_id}".encode()).hexdigest()


def _custom_field(
    data: CompanyData, name: str, ftype: str, labels: tuple[str, ...] = (), *, person: bool = False
) -> Field:
    field_id = data.next_field_id
    options = None
    if labels:
        options = [FieldOption(data.next_option_id + i, label, FIELDS_EPOCH) for i, label in enumerate(labels)]
    field = Field(
        field_id,
        custom_field_key(data.company.id, field_id, name),
        name,
        ftype,
        FIELDS_EPOCH,
        options=options,
        is_custom=True,
        order_nr=field_id,
        created_by=DEMO_USERS[0][0],
    )
    return data.add_field(field, person=person)


class _CompanyBuilder:
    def __init__(self, data: CompanyData, rng: random.Random, owners: list[int]) -> None:
        self.data = data
        self.rng = rng
        self.owners = owners
        self.status = _custom_field(data, "Account Status", "enum", ACCOUNT_STATUS_OPTIONS)
        self.tier = _custom_field(data, "Tier", "set", TIER_OPTIONS)
        self.health = _custom_field(data, "Health Score", "double")
        self.region = _custom_field(data, "Region", "varchar")
        self.renewal = _custom_field(data, "Renewal Date", "date")
        self.department = _custom_field(data, "Department", "varchar", person=True)
        self.status_ids = [o.id for o in self.status.options or ()]
        self.tier_ids = [o.id for o in self.tier.options or ()]
        self.base_counts: dict[str, int] = {}
        self.secondary_pool: list[str] = []

    # -- organizations ----------------------------------------------------------------
    def _org_identity(self) -> tuple[str, str, str | None]:
        rng = self.rng
        prefix, noun = rng.choice(NAME_PREFIXES), rng.choice(NAME_NOUNS)
        base = ascii_slug(prefix + noun)
        tld = rng.choice(TLDS)
        # The k-th org on the same base gets a numbered name and domain; unique by construction.
        k = self.base_counts.get(base, 0) + 1
        self.base_counts[base] = k
        domain = base + tld if k == 1 else f"{base}{k}{tld}"
        name = f"{prefix} {noun}" + (f" {k - 1}" if k > 1 else "")
        legal = rng.choice(LEGAL_SUFFIXES)
        if legal:
            name = f"{name} {legal}"
        secondary = None
        roll = rng.random()
        if roll < 0.05 and self.secondary_pool:
            secondary = rng.choice(self.secondary_pool)  # shared with another org
        elif roll < 0.15:
            secondary = f"{base}-group{rng.choice(TLDS)}"
            self.secondary_pool.append(secondary)
        return name, domain, secondary

    def org(self, org_id: int) -> tuple[Org, str, str | None]:
        rng = self.rng
        name, domain, secondary = self._org_identity()
        add_time = _GEN_START + rng.randrange(600 * _DAY)
        update_time = add_time + rng.randrange(max(1, _GEN_END - add_time))
        custom: dict[str, Any] = {}
        status_roll = rng.choices(range(len(_STATUS_WEIGHTS)), _STATUS_WEIGHTS)[0]
        if status_roll < len(self.status_ids):
            custom[self.status.key] = self.status_ids[status_roll]
        if rng.random() < 0.4:
            custom[self.tier.key] = tuple(sorted(rng.sample(self.tier_ids, rng.choice((1, 1, 2)))))
        if rng.random() < 0.6:
            custom[self.health.key] = round(rng.uniform(5, 99), 1)
        if rng.random() < 0.5:
            custom[self.region.key] = rng.choice(("EMEA", "NA", "APAC", "LATAM"))
        if rng.random() < 0.4:
            custom[self.renewal.key] = _date(_GEN_END + rng.randrange(365) * _DAY)
        address = None
        if rng.random() < 0.35:
            city, country = rng.choice(
                (
                    ("Berlin", "Germany"),
                    ("Austin", "USA"),
                    ("Tallinn", "Estonia"),
                    ("London", "United Kingdom"),
                    ("Helsinki", "Finland"),
                )
            )
            number = str(rng.randrange(1, 200))
            address = {
                "value": f"{number} Market Street, {city}, {country}",
                "street_number": number,
                "route": "Market Street",
                "locality": city,
                "country": country,
            }
        org = Org(
            org_id,
            name,
            rng.choice(self.owners),
            add_time,
            update_time,
            visible_to=rng.choice((3, 3, 3, 7)),
            address=address,
            label_ids=tuple(sorted(rng.sample((1, 2, 3, 4), rng.choice((0, 0, 1, 2))))),
            website=f"https://www.{domain}" if rng.random() < 0.9 else None,
            linkedin=f"https://www.linkedin.com/company/{domain.split('.')[0]}" if rng.random() < 0.4 else None,
            industry=rng.randrange(1, 9) if rng.random() < 0.7 else None,
            annual_revenue=rng.randrange(1, 500) * 100_000 if rng.random() < 0.5 else None,
            employee_count=rng.randrange(2, 5000) if rng.random() < 0.6 else None,
            custom=custom or None,
        )
        return org, domain, secondary

    # -- persons ----------------------------------------------------------------------
    def email_domain(self, domain: str, secondary: str | None) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            return domain
        if roll < 0.65:
            return f"{self.rng.choice(SUBDOMAINS)}.{domain}"
        if roll < 0.75:
            return secondary or domain
        return self.rng.choice(FREEMAIL_DOMAINS)

    def person(self, person_id: int, org: Org | None, domain: str | None, secondary: str | None) -> Person:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        emails = []
        roll = rng.random()
        if roll > 0.05:
            if domain is None:
                address = f"{local}@{rng.choice(FREEMAIL_DOMAINS)}"
            elif roll < 0.07:
                # The odd IDN address: a Unicode local part on an internationalised domain.
                address = f"{first.lower()}@{ascii_slug(org.name.split(' ')[0]) if org else 'firma'}-büro.de"
            else:
                address = f"{local}@{self.email_domain(domain, secondary)}"
            if rng.random() < 0.03:
                address = address.upper() if rng.random() < 0.5 else address[0].upper() + address[1:]
            emails.append((address, True, "work"))
            if rng.random() < 0.25:
                emails.append((f"{local}{rng.randrange(10, 99)}@{rng.choice(FREEMAIL_DOMAINS)}", False, "home"))
        phones = []
        if rng.random() < 0.7:
            phones.append((f"+1 555 01{rng.randrange(10, 99)} {rng.randrange(1000, 9999)}", True, "work"))
        start = org.add_time if org else _GEN_START
        add_time = start + rng.randrange(max(1, (_GEN_END - start) // 2))
        return Person(
            person_id,
            f"{first} {last}",
            first,
            last,
            org.owner_id if org and rng.random() < 0.8 else rng.choice(self.owners),
            org.id if org else None,
            add_time,
            add_time + rng.randrange(max(1, _GEN_END - add_time)),
            emails=pack_contacts(emails),
            phones=pack_contacts(phones),
            custom={self.department.key: rng.choice(("Finance", "IT", "Operations", "Sales"))}
            if rng.random() < 0.3
            else None,
        )

    # -- engagement -------------------------------------------------------------------
    def engagement(self, org: Org, person_ids: list[int], activities: int, notes: int) -> None:
        rng, data = self.rng, self.data
        for _ in range(activities):
            sentiment = rng.choice(("positive", "negative", "neutral"))
            done = rng.random() < 0.6
            add_time = org.add_time + rng.randrange(max(1, _GEN_END - org.add_time))
            due = add_time + rng.randrange(-5, 30) * _DAY
            data.add_activity(
                Activity(
                    data.activities.allocate_id(),
                    rng.choice(ACTIVITY_SUBJECTS[sentiment]),
                    rng.choice(ACTIVITY_TYPES),
                    org.owner_id,
                    add_time,
                    add_time + rng.randrange(3 * _DAY),
                    org_id=org.id,
                    person_id=rng.choice(person_ids) if person_ids else None,
                    done=done,
                    due_date=_date(due),
                    due_time=f"{rng.randrange(8, 18):02d}:{rng.choice((0, 30)):02d}:00",
                    duration=rng.choice(("00:30:00", "01:00:00", "00:15:00")),
                    marked_as_done_time=due if done else None,
                    note=rng.choice(NOTE_TEXTS[sentiment]) if rng.random() < 0.5 else None,
                )
            )
        for _ in range(notes):
            sentiment = rng.choice(("positive", "negative", "neutral"))
            text = rng.choice(NOTE_TEXTS[sentiment])
            add_time = org.add_time + rng.randrange(max(1, _GEN_END - org.add_time))
            data.add_note(
                Note(
                    data.next_note_id,
                    f"<p>{text}</p>" if rng.random() < 0.5 else text,
                    org.owner_id,
                    add_time,
                    add_time + rng.randrange(2 * _DAY),
                    org_id=org.id,
                    person_id=rng.choice(person_ids) if person_ids and rng.random() < 0.5 else None,
                    pinned_to_org=rng.random() < 0.1,
                )
            )


def _date(ts: int) -> str:
    from sandbox.clock import format_date

    return format_date(ts)


def _populate(
    builder: _CompanyBuilder, orgs: int, persons_per_org: int, orphans: int, activities_per_org: int, notes_per_org: int
) -> None:
    rng, data = builder.rng, builder.data
    org_list: list[Org] = []
    domains: list[tuple[str, str | None]] = []
    for i in range(orgs):
        org, domain, secondary = builder.org(i + 1)
        data.add_org(org)
        org_list.append(org)
        domains.append((domain, secondary))
    # Exactly orgs*M persons: orgs are paired and one gives the other k persons.
    counts = [persons_per_org] * orgs
    for i in range(0, orgs - 1, 2):
        k = rng.randrange(persons_per_org // 2 + 1)
        counts[i] += k
        counts[i + 1] -= k
    person_id = 1
    for org, (domain, secondary), count in zip(org_list, domains, counts, strict=True):
        ids = []
        for _ in range(count):
            data.add_person(builder.person(person_id, org, domain, secondary))
            ids.append(person_id)
            person_id += 1
        builder.engagement(
            org,
            ids,
            rng.randrange(2 * activities_per_org + 1) if activities_per_org else 0,
            rng.randrange(2 * notes_per_org + 1) if notes_per_org else 0,
        )
    for _ in range(orphans):
        data.add_person(builder.person(person_id, None, None, None))
        person_id += 1
    # Parent/child trees: ~10% of orgs are daughters of an org among the first third.
    rel_id = 1
    for org in org_list[5:]:
        roll = rng.random()
        if roll < 0.13:
            other = org_list[rng.randrange(max(1, min(org.id - 1, orgs // 3)))]
            if other.id == org.id:
                continue
            data.add_relationship(
                Relationship(
                    rel_id,
                    "parent" if roll < 0.10 else "related",
                    other.id,
                    org.id,
                    max(org.add_time, other.add_time) + _DAY,
                )
            )
            rel_id += 1


def generate_world(
    orgs: int = 50,
    persons_per_org: int = 4,
    seed: int = 42,
    *,
    orphans: int = 0,
    activities_per_org: int = 2,
    notes_per_org: int = 1,
) -> World:
    """Build the sandbox world deterministically from ``seed`` and the counts."""
    world = World()
    for user_id, name, email, _ in DEMO_USERS:
        world.add_user(User(user_id, name, email, _GEN_START - 200 * _DAY))
    for index, (company_id, name, domain, country, industry, plan) in enumerate(DEMO_COMPANIES):
        data = world.add_company(Company(company_id, name, domain, country, industry, plan))
        owners = []
        for user_id, _, _, admin_in in DEMO_USERS:
            if company_id in admin_in:
                world.add_membership(
                    Membership(
                        user_id,
                        company_id,
                        admin_in[company_id],
                        api_token_for(seed, company_id, user_id),
                        _GEN_END,
                    )
                )
                owners.append(user_id)
        for f in standard_org_fields(FIELDS_EPOCH):
            data.add_field(f)
        for f in standard_person_fields(FIELDS_EPOCH):
            data.add_field(f, person=True)
        rng = random.Random(f"{seed}:{company_id}")
        builder = _CompanyBuilder(data, rng, owners)
        count = orgs if index == 0 else max(5, min(orgs // 4, 50))
        _populate(builder, count, persons_per_org, orphans if index == 0 else 0, activities_per_org, notes_per_org)
    return world


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.generator", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--persons-per-org", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--orphans", type=int, default=0, help="persons without an organization")
    parser.add_argument("--activities-per-org", type=int, default=2)
    parser.add_argument("--notes-per-org", type=int, default=1)
    parser.add_argument("-o", "--output", default="-", help="fixture path ('-' = stdout)")
    args = parser.parse_args(argv)
    world = generate_world(
        args.orgs,
        args.persons_per_org,
        args.seed,
        orphans=args.orphans,
        activities_per_org=args.activities_per_org,
        notes_per_org=args.notes_per_org,
    )
    doc = dump_fixture(
        world,
        generator={
            "orgs": args.orgs,
            "persons_per_org": args.persons_per_org,
            "seed": args.seed,
            "orphans": args.orphans,
            "activities_per_org": args.activities_per_org,
            "notes_per_org": args.notes_per_org,
        },
    )
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
