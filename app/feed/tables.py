"""The tables on the feed, from the members of ``ChangeOut`` (app/feed/schemas.py).

Each member names its table (``table``) and the Struct of its rows; a row's fields are the
Struct's, in their wire names, each read from the column of the field's name unless
``_COLUMNS`` says otherwise. So the delta query shows exactly the fields the procedures
return, and a table is on the feed only as a typed member of ChangeOut. (Never credentials:
the Structs have none.)
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from app.feed.schemas import CHANGES, SubscriberChange, SyncRunChange, table_of
from realtime.delta import ChangeFeed, FeedTable

__all__ = ["FEED", "feed_table"]

# Fields whose column has another name (or that a SQL expression gives), by member.
_COLUMNS: Mapping[type[msgspec.Struct], Mapping[str, str]] = {
    SubscriberChange: {"connection_id": "esp_connection_id"},
    SyncRunChange: {
        "connection_id": "esp_connection_id",
        "created": "created_count",
        "updated": "updated_count",
        "deleted": "deleted_count",
        "unchanged": "unchanged_count",
        "conflicts": "conflict_count",
    },
}


def feed_table(change: type[msgspec.Struct], columns: Mapping[str, str]) -> FeedTable:
    """The FeedTable of a member of ChangeOut: every field of its row's Struct, by wire name,
    from ``columns[field]`` or the column of the field's name. A column for a field the Struct
    does not have is an error (the feed would show what the type does not say)."""
    row = msgspec.inspect.type_info(change).fields  # type: ignore[attr-defined]
    (row_type,) = [f.type.cls for f in row if f.name == "row"]
    fields = msgspec.structs.fields(row_type)
    unknown = set(columns) - {f.name for f in fields}
    if unknown:
        raise ValueError(f"{row_type.__name__} has no fields {sorted(unknown)}")
    return FeedTable(table_of(change), {f.encode_name: columns.get(f.name, f.name) for f in fields})


FEED = ChangeFeed(
    tuple(feed_table(change, _COLUMNS.get(change, {})) for change in CHANGES), meta="change_feed"
)
