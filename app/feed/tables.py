"""The tables on the feed, from the members of ``ChangeOut`` (app/feed/schemas.py).

Each member names its table (``table``) and the Struct of its rows; a row's fields are the
Struct's, in their wire names, each read from the column of the field's name unless
``_COLUMNS`` says otherwise. So the delta query shows exactly the fields the procedures
return, and a table is on the feed only as a typed member of ChangeOut. (Never credentials:
the Structs have none.) The procedures read their rows through ``select_list`` of the same
Structs, so a field lives in one column for both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import msgspec

from app.feed.schemas import CHANGES, table_of
from app.subscribers.schemas import SubscriberOut
from app.sync.schemas import SyncRunOut
from realtime import ChangeFeed, FeedTable

__all__ = ["FEED", "feed_table", "select_list"]

# Fields whose column has another name, by row Struct.
_COLUMNS: Mapping[type[msgspec.Struct], Mapping[str, str]] = {
    SubscriberOut: {"connection_id": "esp_connection_id"},
    SyncRunOut: {
        "connection_id": "esp_connection_id",
        "created": "created_count",
        "updated": "updated_count",
        "deleted": "deleted_count",
        "unchanged": "unchanged_count",
        "conflicts": "conflict_count",
        "skipped": "skipped_count",
        "withheld": "withheld_count",
    },
}


def _row_type(change: type[msgspec.Struct]) -> type[msgspec.Struct]:
    fields = msgspec.inspect.type_info(change).fields  # type: ignore[attr-defined]
    (row_type,) = [f.type.cls for f in fields if f.name == "row"]
    assert isinstance(row_type, type) and issubclass(row_type, msgspec.Struct)
    return row_type


def _columns(row_type: type[msgspec.Struct], columns: Mapping[str, str]) -> dict[str, str]:
    """Each field of ``row_type``, by its Python name, and its column."""
    fields = msgspec.structs.fields(row_type)
    unknown = set(columns) - {f.name for f in fields}
    if unknown:
        raise ValueError(f"{row_type.__name__} has no fields {sorted(unknown)}")
    return {f.name: columns.get(f.name, f.name) for f in fields}


def feed_table(change: type[msgspec.Struct], columns: Mapping[str, str]) -> FeedTable:
    """The FeedTable of a member of ChangeOut: every field of its row's Struct, by wire name,
    from ``columns[field]`` or the column of the field's name. A column for a field the Struct
    does not have is an error (the feed would show what the type does not say)."""
    row_type = _row_type(change)
    wire = {f.name: f.encode_name for f in msgspec.structs.fields(row_type)}
    by_name = _columns(row_type, columns)
    return FeedTable(table_of(change), {wire[name]: column for name, column in by_name.items()})


def select_list(row_type: type[msgspec.Struct]) -> str:
    """The SELECT (or RETURNING) list of a row Struct of the feed, each column named as its
    field (``esp_connection_id AS connection_id``): ``Struct(**record)`` takes the record."""
    by_name = _columns(row_type, _COLUMNS.get(row_type, {}))
    return ", ".join(c if c == f else f"{c} AS {f}" for f, c in by_name.items())


# What a filter (FeedFilter) selects by, per table: its connectionId is each table's connection
# (fixed once written, migration 0018), its status a subscriber's (which changes: a subscriber
# that leaves the filter's statuses is a delete of the subset). Decision 0027.
_KEYS: Mapping[str, Mapping[str, str]] = {
    "subscribers": {"connectionId": "esp_connection_id"},
    "esp_connections": {"connectionId": "id"},
    "sync_runs": {"connectionId": "esp_connection_id"},
    "exports": {"connectionId": "connection_id"},  # the one its filter names
}
_MEMBERS: Mapping[str, Mapping[str, str]] = {"subscribers": {"status": "status"}}


def _with_facets(table: FeedTable) -> FeedTable:
    return dataclasses.replace(
        table, keys=_KEYS.get(table.name, {}), members=_MEMBERS.get(table.name, {})
    )


FEED = ChangeFeed(
    tuple(_with_facets(feed_table(c, _COLUMNS.get(_row_type(c), {}))) for c in CHANGES),
    meta="change_feed",
)
