"""Wire types of sync.pull."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from app.subscribers.schemas import SubscriberStatus
from rpc import Input, Output

__all__ = ["ChangeOut", "FeedFilter", "FeedTableName", "PullInput", "PullOut"]

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


class ChangeOut(Output):
    table: Literal["subscribers", "esp_connections", "sync_runs", "exports"]
    op: Literal["upsert", "delete"]
    id: uuid.UUID
    row: Annotated[msgspec.Raw, msgspec.Meta(description="the row, in the table's wire fields")]
    cursor: str


class PullOut(Output):
    changes: list[ChangeOut]
    cursor: str
    has_more: bool
