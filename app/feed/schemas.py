"""Wire types of sync.pull and of the stream's ``change`` events.

A change is a union discriminated by ``table``: one member per table on the feed, whose ``row``
is the Struct that table's procedures return (``SubscriberChange.row`` is what
``subscribers.get`` answers). ``CHANGES`` lists the members; app/feed/tables.py builds the
delta query from them, so a table on the feed is a member here, and typed, by construction.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal, get_args

import msgspec

from app.exports.schemas import ExportRow
from app.schemas import SubscriberStatus
from app.subscribers.schemas import SubscriberOut
from app.sync.schemas import ConnectionOut, SyncRunOut
from rpc import Input, Output

__all__ = [
    "CHANGES",
    "ChangeOut",
    "ConnectionChange",
    "ExportChange",
    "FeedFilter",
    "FeedTableName",
    "PullInput",
    "PullOut",
    "SubscriberChange",
    "SyncRunChange",
    "table_of",
]

# The tables a filter may name: those of CHANGES (a test holds them equal).
FeedTableName = Literal["subscribers", "esp_connections", "sync_runs", "exports"]


class FeedFilter(Input):
    """A subset of the feed (sync.pull's ``filter``, the stream's query parameters): each key
    omitted restricts nothing. A row that leaves the subset arrives as ``op: "delete"``."""

    tables: (
        Annotated[
            list[FeedTableName],
            msgspec.Meta(min_length=1, max_length=4, description="only these tables"),
        ]
        | None
    ) = None
    connection_id: Annotated[
        uuid.UUID | None,
        msgspec.Meta(
            description="only rows of this connection: its subscribers and sync runs, the "
            "connection itself, and the exports whose filter names it"
        ),
    ] = None
    status: (
        Annotated[
            list[SubscriberStatus],
            msgspec.Meta(
                min_length=1,
                max_length=5,
                description="only subscribers with one of these statuses (other tables: all)",
            ),
        ]
        | None
    ) = None


class PullInput(Input):
    cursor: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 500
    filter: FeedFilter | None = None


class _Change(Output, tag_field="table"):
    op: Annotated[
        Literal["upsert", "delete"],
        msgspec.Meta(description='"delete" is a tombstone: the row as it was soft-deleted'),
    ]
    id: uuid.UUID
    cursor: Annotated[str, msgspec.Meta(description="resume after this change from here")]


class SubscriberChange(_Change, tag="subscribers"):
    row: SubscriberOut


class ConnectionChange(_Change, tag="esp_connections"):
    row: ConnectionOut


class SyncRunChange(_Change, tag="sync_runs"):
    row: SyncRunOut


class ExportChange(_Change, tag="exports"):
    row: ExportRow


_Member = SubscriberChange | ConnectionChange | SyncRunChange | ExportChange
ChangeOut = Annotated[
    _Member,
    msgspec.Meta(
        title="ChangeOut",
        description="one change of the feed, by table: its row is what that table's procedures "
        "answer; a newer server may add tables (skip those you do not know)",
    ),
]
CHANGES: tuple[type[_Member], ...] = get_args(_Member)


def table_of(change: type[msgspec.Struct]) -> str:
    """The table a member of ChangeOut is for: its ``table`` tag."""
    tag = msgspec.inspect.type_info(change).tag  # type: ignore[attr-defined]
    assert isinstance(tag, str)
    return tag


class PullOut(Output):
    changes: list[ChangeOut]
    cursor: str
    has_more: bool
