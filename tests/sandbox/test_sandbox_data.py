"""The generator is deterministic and realistic; fixtures load and round-trip."""

from __future__ import annotations

import json
import re
from collections import Counter

from sandbox.config import DEMO_FIXTURE
from sandbox.contacts import unpack_contacts
from sandbox.fixture import dump_fixture, load_fixture, load_fixture_file
from sandbox.generator import ACCOUNT_STATUS_OPTIONS, generate_world
from sandbox.testing import running_sandbox

ACME, GLOBEX = 7001, 7002
FREEMAIL = {"gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "gmx.de", "proton.me"}


def test_generator_is_deterministic() -> None:
    first = dump_fixture(generate_world(40, 3, seed=7))
    assert first == dump_fixture(generate_world(40, 3, seed=7))
    assert first != dump_fixture(generate_world(40, 3, seed=8))


def test_generator_counts_and_fields() -> None:
    world = generate_world(120, 5, seed=3)
    acme = world.companies[ACME]
    assert len(acme.orgs) == 120 and len(acme.persons) == 600
    assert len(world.companies[GLOBEX].orgs) == 30
    by_name = {f.name: f for f in acme.custom_fields()}
    assert [o.label for o in by_name["Account Status"].options] == list(ACCOUNT_STATUS_OPTIONS)
    assert by_name["Account Status"].field_type == "enum" and by_name["Tier"].field_type == "set"
    assert all(re.fullmatch(r"[0-9a-f]{40}", f.key) for f in acme.custom_fields())
    statuses = Counter((o.custom or {}).get(by_name["Account Status"].key) for o in acme.orgs.live())
    assert len(statuses) >= 8  # most statuses occur, plus "unset"
    tiers = [(o.custom or {}).get(by_name["Tier"].key) for o in acme.orgs.live()]
    assert any(t and len(t) == 2 for t in tiers)
    rel_types = Counter(r.type for r in acme.relationships.values())
    assert rel_types["parent"] >= 5 and all(r.owner_org_id < r.linked_org_id for r in acme.relationships.values())
    assert len(acme.activities) > 100 and len(acme.notes) > 50


def test_generated_emails_mix_domains() -> None:
    world = generate_world(300, 4, seed=11)
    acme = world.companies[ACME]
    emails = [e["value"] for p in acme.persons.live() for e in unpack_contacts(p.emails)]
    domains = [e.split("@", 1)[1] for e in emails]
    websites = {o.website.split("www.", 1)[1] for o in acme.orgs.live() if o.website}
    assert sum(d in FREEMAIL for d in domains) > 50
    assert any(
        d.split(".", 1)[0] in ("eu", "us", "mail", "uk", "corp") and d.split(".", 1)[1] in websites for d in domains
    )
    assert any("-group." in d for d in domains)
    assert any(e != e.lower() for e in emails)
    assert any(not e.isascii() for e in emails)
    # Some secondary domains are shared by two organizations.
    owners: dict[str, set[int]] = {}
    for p in acme.persons.live():
        for e in unpack_contacts(p.emails):
            if "-group." in e["value"]:
                owners.setdefault(e["value"].split("@")[1].lower(), set()).add(p.org_id)
    assert any(len(orgs) > 1 for orgs in owners.values())
    notes = [n.content for n in acme.notes.values()]
    assert any("delighted" in n or "love" in n for n in notes) and any("frustrated" in n or "angry" in n for n in notes)


def test_demo_fixture_matches_the_documented_command() -> None:
    document = json.loads(DEMO_FIXTURE.read_text(encoding="utf-8"))
    params = document["generator"]
    regenerated = dump_fixture(
        generate_world(
            params["orgs"],
            params["persons_per_org"],
            params["seed"],
            orphans=params["orphans"],
            activities_per_org=params["activities_per_org"],
            notes_per_org=params["notes_per_org"],
        ),
        generator=params,
    )
    assert json.loads(json.dumps(regenerated)) == document


def test_demo_fixture_has_the_seeded_people() -> None:
    world = load_fixture_file(DEMO_FIXTURE)
    assert len(world.companies) >= 2 and len(world.companies[ACME].orgs) == 50
    admin_everywhere = [
        u for u in world.users if all(m.is_admin for m in world.companies_of(u)) and len(world.companies_of(u)) >= 2
    ]
    assert admin_everywhere == [501]
    assert any(not m.is_admin for m in world.memberships)
    assert any(p.org_id is None for p in world.companies[ACME].persons.live())


def test_fixture_round_trip_and_custom_document() -> None:
    world = load_fixture_file(DEMO_FIXTURE)
    dumped = dump_fixture(world)
    assert dump_fixture(load_fixture(json.loads(json.dumps(dumped)))) == dumped
    tiny = {
        "format": "staircase-sandbox-fixture/1",
        "users": [{"id": 1, "name": "Solo Admin", "email": "solo@example.com"}],
        "companies": [
            {
                "id": 42,
                "name": "Tiny Co",
                "domain": "tiny",
                "members": [{"user_id": 1, "is_admin": True, "api_token": "t" * 40}],
                "org_fields": [
                    {
                        "id": 900,
                        "key": "a" * 40,
                        "name": "Account Status",
                        "field_type": "enum",
                        "options": [{"id": 1, "label": "Active"}, {"id": 2, "label": "Churned"}],
                    }
                ],
                "organizations": [
                    {
                        "id": 1,
                        "name": "Only Org",
                        "owner_id": 1,
                        "add_time": "2024-01-01T00:00:00Z",
                        "custom_fields": {"a" * 40: 2},
                    }
                ],
                "persons": [
                    {
                        "id": 1,
                        "name": "Pat Doe",
                        "owner_id": 1,
                        "org_id": 1,
                        "add_time": "2024-01-02T00:00:00Z",
                        "emails": [{"value": "pat@only.example", "primary": True, "label": "work"}],
                    }
                ],
            }
        ],
    }
    with running_sandbox(fixture=tiny) as sb:
        status, _, body = sb.api("GET", "/api/v2/organizations", api_token="t" * 40)
        assert status == 200 and body["data"][0]["custom_fields"] == {"a" * 40: 2}
        status, _, body = sb.api("GET", "/api/v2/persons", api_token="t" * 40, params={"org_id": 1})
        assert body["data"][0]["emails"] == [{"value": "pat@only.example", "primary": True, "label": "work"}]
