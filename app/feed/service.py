"""Pulling a team's changes after a cursor."""

from __future__ import annotations

import uuid

import asyncpg

from app.feed import errors
from app.feed.schemas import CHANGES, PullOut, table_of
from app.feed.tables import FEED
from realtime.cursor import ChangeCursor, InvalidCursor
from realtime.delta import DeltaPage, MustRefetch, pull
from rpc import ValidationFailed
from rpc.errors import ValidationData

__all__ = ["FeedService"]

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

    async def page(
        self, team_id: uuid.UUID, cursor: ChangeCursor, limit: int, *, held_back: bool = False
    ) -> DeltaPage:
        """The team's next changes after ``cursor``; 409 MUST_REFETCH if it cannot continue.
        ``held_back``: for a live reader (see realtime.delta)."""
        try:
            return await pull(
                self.conn, FEED, team_id=team_id, cursor=cursor, limit=limit, held_back=held_back
            )
        except MustRefetch as exc:
            raise errors.MustRefetch(str(exc)) from None

    async def pull(self, team_id: uuid.UUID, cursor: str | None, limit: int) -> PullOut:
        page = await self.page(team_id, await self.position(cursor), limit)
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
