"""Pulling a team's changes after a cursor."""

from __future__ import annotations

import uuid

import asyncpg

from app.feed import errors
from app.feed.schemas import CHANGES, FeedFilter, PullOut, table_of
from app.feed.tables import FEED
from realtime import (
    EVERYTHING,
    ChangeCursor,
    DeltaPage,
    InvalidCursor,
    StaleCursor,
    Subset,
    head,
    pull,
)
from rpc import ValidationData, ValidationFailed

__all__ = ["FeedService", "subset_of"]


def subset_of(spec: FeedFilter | None) -> Subset:
    """The feed's subset that a filter selects (the facets are declared in app/feed/tables.py)."""
    if spec is None:
        return EVERYTHING
    return Subset.of(
        tables=spec.tables,
        keys={} if spec.connection_id is None else {"connectionId": str(spec.connection_id)},
        members={} if spec.status is None else {"status": spec.status},
    )


_BY_TABLE = {table_of(change): change for change in CHANGES}


class FeedService:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def position(self, cursor: str | None) -> ChangeCursor:
        """The cursor a client sent, checked (400 if malformed); the start without one."""
        if not cursor:
            return ChangeCursor.start(await self.conn.fetchval("SELECT epoch FROM change_feed"))
        try:
            return ChangeCursor.decode(cursor)
        except InvalidCursor as exc:
            raise ValidationFailed(
                f"invalid cursor: {exc}", data=ValidationData(path="$.cursor", detail=str(exc))
            ) from None

    async def head(self, team_id: uuid.UUID) -> ChangeCursor:
        """The team's position now: every change up to it can be read."""
        return await head(self.conn, FEED, team_id=team_id)

    async def page(
        self,
        team_id: uuid.UUID,
        cursor: ChangeCursor,
        limit: int,
        *,
        held_back: bool = False,
        subset: Subset = EVERYTHING,
    ) -> DeltaPage:
        """The team's next changes of ``subset`` after ``cursor``; 409 MUST_REFETCH if it
        cannot continue. ``held_back``: for a live reader (see realtime.delta)."""
        try:
            return await pull(
                self.conn,
                FEED,
                team_id=team_id,
                cursor=cursor,
                limit=limit,
                held_back=held_back,
                subset=subset,
            )
        except StaleCursor as exc:
            raise errors.MustRefetch(str(exc)) from None

    async def pull(
        self, team_id: uuid.UUID, cursor: str | None, limit: int, spec: FeedFilter | None = None
    ) -> PullOut:
        page = await self.page(team_id, await self.position(cursor), limit, subset=subset_of(spec))
        return PullOut(
            # The row stays the JSON PostgreSQL made (msgspec.Raw, sent as it is): the typed
            # Structs describe it, and tests/test_feed_types.py decodes every table's strictly.
            changes=[
                _BY_TABLE[c.table](op=c.op, id=c.id, row=c.row, cursor=c.cursor)  # type: ignore[arg-type]
                for c in page.changes
            ],
            cursor=page.cursor.encode(),
            has_more=page.has_more,
        )
