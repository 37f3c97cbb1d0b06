"""Cursor (v2) and offset (v1) pagination.

v2 cursors are opaque base64url JSON like the SPEC v2 examples
(``{"field":"id","fieldValue":7,"sortDirection":"asc","id":7}``): keyset positions,
so a page never skips or repeats records that did not change while paging.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from sandbox.clock import format_rfc3339, parse_rfc3339
from sandbox.errors import ApiError
from sandbox.store import Collection, time_key

__all__ = ["Cursor", "encode_cursor", "decode_cursor", "select_page", "offset_page", "v1_pagination"]

T = TypeVar("T")
TIME_SORTS = ("update_time", "add_time")


@dataclass(frozen=True)
class Cursor:
    field: str
    value: Any
    direction: str
    id: int


def encode_cursor(field: str, value: Any, direction: str, record_id: int) -> str:
    raw = json.dumps(
        {"field": field, "fieldValue": value, "sortDirection": direction, "id": record_id},
        separators=(",", ":"),
    ).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(token: str, field: str, direction: str) -> Cursor:
    """Decode a cursor; it must come from a listing with the same sort (else 400)."""
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        cursor = Cursor(payload["field"], payload["fieldValue"], payload["sortDirection"], int(payload["id"]))
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ApiError(400, "Invalid cursor") from None
    if cursor.field != field or cursor.direction != direction:
        raise ApiError(400, "Cursor does not match the requested sort_by/sort_direction")
    return cursor


def _record_key(record: Any, sort_by: str) -> int:
    if sort_by == "id":
        return record.id
    return time_key(getattr(record, sort_by), record.id)


def _cursor_key(cursor: Cursor, sort_by: str) -> int:
    if sort_by == "id":
        return cursor.id
    ts = parse_rfc3339(cursor.value) if isinstance(cursor.value, str) else None
    if ts is None:
        raise ApiError(400, "Invalid cursor")
    return time_key(ts, cursor.id)


def select_page(
    collection: Collection,
    *,
    sort_by: str,
    descending: bool,
    cursor: Cursor | None,
    limit: int,
    predicate: Callable[[Any], bool] | None = None,
    candidate_ids: Iterable[int] | None = None,
    updated_since: int | None = None,
    updated_until: int | None = None,
    sort_value: Callable[[Any], Any] | None = None,
) -> tuple[list[Any], str | None]:
    """One page of live records and the next cursor (``None`` on the last page).

    Unfiltered listings walk the sorted index from the cursor; an ``updated_*`` range
    with ``sort_by=update_time`` narrows the index by bisection. Explicit candidates
    (``org_id=``, ``ids=``) and non-indexed sorts are sorted in memory: they are small.
    """
    direction = "desc" if descending else "asc"
    checks: list[Callable[[Any], bool]] = []
    if predicate is not None:
        checks.append(predicate)
    lo_key = hi_key = None
    if sort_by == "update_time" and candidate_ids is None and sort_value is None:
        lo_key = None if updated_since is None else time_key(updated_since, 0)
        hi_key = None if updated_until is None else time_key(updated_until, 0)
    else:
        if updated_since is not None:
            checks.append(lambda r: r.update_time >= updated_since)
        if updated_until is not None:
            checks.append(lambda r: r.update_time < updated_until)

    def ok(record: Any) -> bool:
        return all(check(record) for check in checks)

    rows: Iterator[Any]
    if candidate_ids is not None or sort_value is not None:
        pool: Iterable[Any]
        if candidate_ids is not None:
            pool = (collection.get_live(i) for i in candidate_ids)
        else:
            pool = collection.live()
        if sort_value is None:
            keyed = [(_record_key(r, sort_by), r) for r in pool if r is not None and ok(r)]
            after = None if cursor is None else _cursor_key(cursor, sort_by)
        else:
            keyed = [((sort_value(r), r.id), r) for r in pool if r is not None and ok(r)]
            if cursor is not None and not isinstance(cursor.value, str):
                raise ApiError(400, "Invalid cursor")
            after = None if cursor is None else (cursor.value, cursor.id)
        keyed.sort(key=lambda kr: kr[0], reverse=descending)
        if after is not None:
            keyed = [kr for kr in keyed if (kr[0] < after if descending else kr[0] > after)]
        rows = (r for _, r in keyed)
    else:
        index = {"id": collection.ids, "update_time": collection.by_update, "add_time": collection.by_add}[sort_by]
        after = None if cursor is None else _cursor_key(cursor, sort_by)
        by_id = collection.by_id
        id_of = collection.id_of
        keys = index.iter_from(after, descending, lo_key, hi_key)
        records = (by_id[k] for k in keys) if sort_by == "id" else (by_id[id_of(k)] for k in keys)
        rows = (r for r in records if ok(r)) if checks else records
    page = list(islice(rows, limit + 1))
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    last = page[-1]
    if sort_value is not None:
        value: Any = sort_value(last)
    elif sort_by == "id":
        value = last.id
    else:
        value = format_rfc3339(getattr(last, sort_by))
    return page, encode_cursor(sort_by, value, direction, last.id)


def offset_page(items: Sequence[T], start: int, limit: int) -> tuple[Sequence[T], bool]:
    page = items[start : start + limit]
    return page, start + limit < len(items)


def v1_pagination(start: int, limit: int, more: bool) -> dict[str, Any]:
    """v1 ``additional_data`` for offset lists.

    SPEC v1 puts ``start/limit/more_items_in_collection`` directly in
    ``additional_data`` for field lists, while its examples (and the notes list schema)
    nest them under ``pagination`` with ``next_start``. Both shapes are served, so a
    client reading either is right; ``next_start`` is an integer in the spec and so is
    left out (not ``null``) on the last page.
    """
    pagination: dict[str, Any] = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return {**pagination, "pagination": pagination}
