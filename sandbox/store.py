"""Per-company data with the indexes the list endpoints page through.

Lists are served by keyset pagination over sorted ``array('q')`` indexes: the id
index holds ids, the time indexes hold ``(timestamp << 32) | id``. Arrays cost 8 bytes
per entry and ``bisect`` works on them directly, which keeps a 500-record page of a
1M-row collection fast without a database.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from sandbox.models import (
    Activity,
    Company,
    Field,
    Membership,
    Note,
    Org,
    Person,
    Relationship,
    User,
    Webhook,
)

__all__ = ["SortedIndex", "Collection", "CompanyData", "World", "time_key", "ID_BITS"]

ID_BITS = 32
_ID_MASK = (1 << ID_BITS) - 1


def time_key(ts: int, record_id: int) -> int:
    return (int(ts) << ID_BITS) | record_id


class SortedIndex:
    """A sorted array of int64 keys with O(log n) search and O(n) memmove updates.

    Bulk loads append out of order and sort once, lazily, on the first read; after
    that every insert keeps the array sorted.
    """

    __slots__ = ("keys", "_loading", "_unsorted")

    def __init__(self) -> None:
        self.keys = array("q")
        self._loading = True  # until the first read
        self._unsorted = False

    def _sorted(self) -> array:
        self._loading = False
        if self._unsorted:
            self.keys = array("q", sorted(self.keys))
            self._unsorted = False
        return self.keys

    def add(self, key: int) -> None:
        keys = self.keys
        if not keys or key > keys[-1]:
            keys.append(key)
        elif self._loading:
            keys.append(key)
            self._unsorted = True
        else:
            keys.insert(bisect_left(keys, key), key)

    def remove(self, key: int) -> None:
        keys = self._sorted()
        pos = bisect_left(keys, key)
        if pos < len(keys) and keys[pos] == key:
            del keys[pos]

    def __len__(self) -> int:
        return len(self.keys)

    def sorted_keys(self) -> array:
        return self._sorted()

    def iter_from(
        self,
        after: int | None,
        descending: bool,
        lo_key: int | None = None,
        hi_key: int | None = None,
    ) -> Iterator[int]:
        """Yield keys strictly after ``after`` in the given direction, within [lo, hi)."""
        keys = self._sorted()
        lo = 0 if lo_key is None else bisect_left(keys, lo_key)
        hi = len(keys) if hi_key is None else bisect_left(keys, hi_key)
        if not descending:
            start = lo if after is None else max(lo, bisect_right(keys, after))
            for i in range(start, hi):
                yield keys[i]
        else:
            end = hi if after is None else min(hi, bisect_left(keys, after))
            for i in range(end - 1, lo - 1, -1):
                yield keys[i]


R = TypeVar("R", Org, Person, Activity)


class Collection(Generic[R]):
    """Live (not deleted) records of one type, indexed by id, update_time and add_time."""

    def __init__(self) -> None:
        self.by_id: dict[int, R] = {}
        self.ids = SortedIndex()
        self.by_update = SortedIndex()
        self.by_add = SortedIndex()
        self.next_id = 1

    def add(self, record: R) -> R:
        self.by_id[record.id] = record
        if not record.is_deleted:
            self.ids.add(record.id)
            self.by_update.add(time_key(record.update_time, record.id))
            self.by_add.add(time_key(record.add_time, record.id))
        self.next_id = max(self.next_id, record.id + 1)
        return record

    def allocate_id(self) -> int:
        new_id = self.next_id
        self.next_id += 1
        return new_id

    def get_live(self, record_id: object) -> R | None:
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            return None  # ids from JSON bodies may be anything
        record = self.by_id.get(record_id)
        return None if record is None or record.is_deleted else record

    def touch(self, record: R, now: int) -> None:
        """Bump ``update_time``; every change does (NOTES §6)."""
        if not record.is_deleted:
            self.by_update.remove(time_key(record.update_time, record.id))
            self.by_update.add(time_key(now, record.id))
        record.update_time = now

    def delete(self, record: R, now: int) -> None:
        if record.is_deleted:
            return
        self.ids.remove(record.id)
        self.by_update.remove(time_key(record.update_time, record.id))
        self.by_add.remove(time_key(record.add_time, record.id))
        record.is_deleted = True
        record.update_time = now

    def __len__(self) -> int:
        return len(self.ids)

    def live(self) -> Iterator[R]:
        for record_id in self.ids.sorted_keys():
            yield self.by_id[record_id]

    @staticmethod
    def id_of(key: int) -> int:
        return key & _ID_MASK


def _append(index: dict[int, list[int]], key: int | None, value: int) -> None:
    if key is not None:
        index.setdefault(key, []).append(value)


class CompanyData:
    """Everything one Pipedrive company holds. Guarded by the world's lock."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self.org_fields: list[Field] = []
        self.person_fields: list[Field] = []
        self.orgs: Collection[Org] = Collection()
        self.persons: Collection[Person] = Collection()
        self.activities: Collection[Activity] = Collection()
        self.relationships: dict[int, Relationship] = {}
        self.notes: dict[int, Note] = {}
        self.webhooks: dict[int, Webhook] = {}
        # Secondary indexes: parent id -> child ids, ascending (ids only grow).
        self.persons_by_org: dict[int, list[int]] = {}
        self.activities_by_org: dict[int, list[int]] = {}
        self.activities_by_person: dict[int, list[int]] = {}
        self.notes_by_org: dict[int, list[int]] = {}
        self.notes_by_person: dict[int, list[int]] = {}
        self.rels_by_org: dict[int, list[int]] = {}
        self.next_field_id = 1
        self.next_option_id = 1
        self.next_rel_id = 1
        self.next_note_id = 1
        self.next_webhook_id = 1

    # -- adding records (used by loaders, the generator and mutations) ----------------
    def add_field(self, field: Field, *, person: bool = False) -> Field:
        (self.person_fields if person else self.org_fields).append(field)
        self.next_field_id = max(self.next_field_id, field.id + 1)
        for opt in field.options or ():
            self.next_option_id = max(self.next_option_id, opt.id + 1)
        return field

    def add_org(self, org: Org) -> Org:
        return self.orgs.add(org)

    def add_person(self, person: Person) -> Person:
        self.persons.add(person)
        _append(self.persons_by_org, person.org_id, person.id)
        return person

    def move_person(self, person: Person, new_org_id: int | None) -> None:
        if person.org_id == new_org_id:
            return
        if person.org_id is not None and person.org_id in self.persons_by_org:
            self.persons_by_org[person.org_id].remove(person.id)
        if new_org_id is not None:
            ids = self.persons_by_org.setdefault(new_org_id, [])
            ids.insert(bisect_left(ids, person.id), person.id)
        person.org_id = new_org_id

    def add_activity(self, activity: Activity) -> Activity:
        self.activities.add(activity)
        _append(self.activities_by_org, activity.org_id, activity.id)
        _append(self.activities_by_person, activity.person_id, activity.id)
        return activity

    def add_note(self, note: Note) -> Note:
        self.notes[note.id] = note
        _append(self.notes_by_org, note.org_id, note.id)
        _append(self.notes_by_person, note.person_id, note.id)
        self.next_note_id = max(self.next_note_id, note.id + 1)
        return note

    def add_relationship(self, rel: Relationship) -> Relationship:
        self.relationships[rel.id] = rel
        _append(self.rels_by_org, rel.owner_org_id, rel.id)
        if rel.linked_org_id != rel.owner_org_id:
            _append(self.rels_by_org, rel.linked_org_id, rel.id)
        self.next_rel_id = max(self.next_rel_id, rel.id + 1)
        return rel

    def remove_relationship(self, rel: Relationship) -> None:
        self.relationships.pop(rel.id, None)
        for org_id in {rel.owner_org_id, rel.linked_org_id}:
            ids = self.rels_by_org.get(org_id)
            if ids and rel.id in ids:
                ids.remove(rel.id)

    # -- lookups ----------------------------------------------------------------------
    def field_by_key(self, key: str, *, person: bool = False) -> Field | None:
        for field in self.person_fields if person else self.org_fields:
            if field.key == key:
                return field
        return None

    def custom_fields(self, *, person: bool = False) -> list[Field]:
        return [f for f in (self.person_fields if person else self.org_fields) if f.is_custom]

    def people_count(self, org_id: int) -> int:
        return len(self.persons_by_org.get(org_id, ()))


class World:
    """All companies and users the sandbox serves, plus one lock for data access."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.companies: dict[int, CompanyData] = {}
        self.users: dict[int, User] = {}
        self.memberships: list[Membership] = []
        self._by_api_token: dict[str, Membership] = {}

    def add_company(self, company: Company) -> CompanyData:
        data = CompanyData(company)
        self.companies[company.id] = data
        return data

    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        return user

    def add_membership(self, membership: Membership) -> Membership:
        self.memberships.append(membership)
        self._by_api_token[membership.api_token] = membership
        return membership

    def membership(self, company_id: int, user_id: int) -> Membership | None:
        for m in self.memberships:
            if m.company_id == company_id and m.user_id == user_id:
                return m
        return None

    def membership_by_api_token(self, token: str) -> Membership | None:
        return self._by_api_token.get(token)

    def companies_of(self, user_id: int) -> list[Membership]:
        return [m for m in self.memberships if m.user_id == user_id]

    def users_of(self, company_id: int) -> list[Membership]:
        return [m for m in self.memberships if m.company_id == company_id]

    def describe(self) -> list[dict[str, Any]]:
        """The control API's view of companies and their users (``GET /_sandbox/companies``)."""
        out = []
        for data in self.companies.values():
            c = data.company
            out.append(
                {
                    "id": c.id,
                    "name": c.name,
                    "domain": c.domain,
                    "plan": c.plan,
                    "counts": {
                        "organizations": len(data.orgs),
                        "persons": len(data.persons),
                        "activities": len(data.activities),
                        "notes": len(data.notes),
                        "relationships": len(data.relationships),
                        "org_fields": len(data.org_fields),
                    },
                    "users": [
                        {
                            "id": m.user_id,
                            "name": self.users[m.user_id].name,
                            "email": self.users[m.user_id].email,
                            "is_admin": m.is_admin,
                            "api_token": m.api_token,
                        }
                        for m in self.users_of(c.id)
                    ],
                }
            )
        return out


WorldFactory = Callable[[], World]
