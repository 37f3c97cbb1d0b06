from datetime import UTC, datetime, timedelta

import pytest

from integrations.pipedrive.relationships import needs_lookup, parent_from, token_budget

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
T0 = NOW - timedelta(days=40)


@pytest.mark.parametrize(
    "entry,update_time,expected",
    [
        (None, T0, True),  # never checked
        ((None, T0, NOW - timedelta(days=1)), T0, False),  # fresh, unchanged
        ((None, T0, NOW - timedelta(days=1)), NOW, False),  # changed, but checked this week
        ((None, T0, NOW - timedelta(days=8)), NOW, True),  # changed and the check is a week old
        ((None, T0, NOW - timedelta(days=8)), T0, False),  # unchanged: no need yet
        ((7, T0, NOW - timedelta(days=31)), T0, True),  # a month old: check again anyway
        ((7, None, NOW - timedelta(days=8)), NOW, False),  # learned from its parent, no own time
    ],
)
def test_needs_lookup(entry, update_time, expected):
    assert needs_lookup(entry, update_time, NOW) is expected


def test_parent_from_reads_owner_as_parent_and_linked_as_daughter():
    rels = [
        {"type": "parent", "rel_owner_org_id": {"value": 1}, "rel_linked_org_id": {"value": 2}, "active_flag": "true"},
        {"type": "parent", "rel_owner_org_id": {"value": 2}, "rel_linked_org_id": {"value": 3}},
        {"type": "related", "rel_owner_org_id": {"value": 9}, "rel_linked_org_id": {"value": 2}},
        {"type": "parent", "rel_owner_org_id": {"value": 8}, "rel_linked_org_id": {"value": 2}, "active_flag": False},
        "garbage",
    ]
    assert parent_from(2, rels) == (1, {3})
    assert parent_from(5, []) == (None, set())


@pytest.mark.parametrize(
    "limit,pct,expected", [(120_000, 10, 12_000), (None, 10, 3_000), (50_000, 0, 0), (50_000, 250, 50_000)]
)
def test_token_budget(limit, pct, expected):
    assert token_budget(daily_limit=limit, share_pct=pct) == expected
