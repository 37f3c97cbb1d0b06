import pytest

from integrations.pipedrive.selection import classify, option_ids_of, org_record, parse_time, picklist_fields

KEY = "f" * 40


@pytest.mark.parametrize(
    "value,expected",
    [
        (None, ()),
        ("", ()),
        (12, (12,)),
        ([12, 13], (12, 13)),
        ([], ()),
        ({"id": 5, "label": "x"}, (5,)),
        ([{"id": 5}, {"id": 6}], (5, 6)),
        ("7", (7,)),
        (True, ()),
        ("abc", ()),
    ],
)
def test_option_ids_of(value, expected):
    assert option_ids_of(value) == expected


@pytest.mark.parametrize(
    "ids,expected",
    [((1,), "active"), ((7,), "churned"), ((3,), None), ((), None), ((7, 1), "active"), ((3, 7), "churned")],
)
def test_classify(ids, expected):
    assert classify(ids, active={1, 2}, churned={7}) == expected


def test_org_record_enum_and_set_and_neither():
    base = {"id": 10, "name": "Acme", "owner_id": 3, "update_time": "2026-01-02T03:04:05Z", "people_count": 4}
    enum = org_record({**base, "custom_fields": {KEY: 1}}, field_key=KEY, active={1}, churned={7})
    assert enum.status == "active" and enum.people_count == 4 and enum.update_time.year == 2026
    as_set = org_record({**base, "custom_fields": {KEY: [9, 7]}}, field_key=KEY, active={1}, churned={7})
    assert as_set.status == "churned" and as_set.option_ids == (9, 7)
    assert org_record({**base, "custom_fields": {KEY: 3}}, field_key=KEY, active={1}, churned={7}) is None
    assert org_record({**base, "custom_fields": {}}, field_key=KEY, active={1}, churned={7}) is None
    assert (
        org_record({**base, "is_deleted": True, "custom_fields": {KEY: 1}}, field_key=KEY, active={1}, churned={7})
        is None
    )
    with pytest.raises(ValueError):
        org_record({"name": "no id"}, field_key=KEY, active={1}, churned={7})


def test_parse_time_rejects_garbage():
    assert parse_time("not a time") is None and parse_time(None) is None and parse_time(5) is None


def test_picklist_fields_only_enum_and_set_by_label():
    fields = [
        {"field_code": "b", "field_name": "Tier", "field_type": "set", "options": [{"id": 1, "label": "x"}]},
        {"field_code": "a", "field_name": "Account Status", "field_type": "enum", "options": [{"id": 2, "label": "y"}]},
        {"field_code": "c", "field_name": "Name", "field_type": "varchar", "options": None},
        {"field_code": "d", "field_name": "Empty", "field_type": "enum", "options": []},
    ]
    assert [f["field_code"] for f in picklist_fields(fields)] == ["a", "b"]
