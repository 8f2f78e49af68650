"""The delta query: a team's changes after a cursor, safe under concurrent writers.

Rows carry a change stamp ``(txid xid8, seq bigint)`` set by a trigger on every write. A reader
takes rows with ``(txid, seq) > cursor`` and ``txid < pg_snapshot_xmin(pg_current_snapshot())``:
below the oldest transaction still running, no write can still appear, so a transaction that
commits late is never skipped (``updated_at > since`` loses such rows). Ordered by
``(txid, seq)``, the last row's stamp is the next cursor. The feed's epoch and purge horizon come
with the changes, in the same statement (one round trip, one snapshot). A live reader also asks
for ``held_back``: the oldest txid of committed changes the guard still holds back (a transaction
older than them is open), so it knows when to look again (``snapshot_xmin`` past it) instead of
waiting for another poke; a poll does without (one index probe per table less).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import asyncpg
import msgspec

from realtime.cursor import ChangeCursor

__all__ = ["Change", "ChangeFeed", "DeltaPage", "FeedTable", "MustRefetch", "pull", "snapshot_xmin"]


class MustRefetch(Exception):
    """The cursor cannot be continued (another database, or older than the purge horizon)."""


@dataclass(frozen=True, slots=True)
class FeedTable:
    """A table on the feed: its name (the wire name too) and the row's wire fields, each a
    SQL expression over the table's columns (e.g. ``{"email": "email"}``)."""

    name: str
    fields: Mapping[str, str]


class Change(msgspec.Struct, frozen=True):
    table: str
    op: Literal["upsert", "delete"]
    id: uuid.UUID
    row: msgspec.Raw
    cursor: str


@dataclass(frozen=True, slots=True)
class DeltaPage:
    changes: list[Change]
    cursor: ChangeCursor
    has_more: bool
    # The oldest txid of committed changes at or above the snapshot's xmin: they come once
    # xmin passes it. None when nothing is held back.
    held_back: int | None = None


def _held_back(table: FeedTable) -> str:
    # Visible rows at or above xmin have committed, but an older transaction is still open
    # (one index probe: the first entry of the range).
    return (
        f"(SELECT min(txid) FROM {table.name} WHERE team_id = $1 "
        "AND txid >= pg_snapshot_xmin(pg_current_snapshot()))"
    )


def _branch(table: FeedTable, index: int) -> str:
    row = ", ".join(f"'{name}', {expr}" for name, expr in table.fields.items())
    return (
        f"(SELECT {index} AS t, id, txid, seq, deleted_at IS NOT NULL AS deleted, "
        f"json_build_object({row})::text AS row FROM {table.name} "
        "WHERE team_id = $1 AND (txid, seq) > ($2::xid8, $3::bigint) "
        "AND txid < pg_snapshot_xmin(pg_current_snapshot()) "
        "ORDER BY txid, seq LIMIT $4)"
    )


@dataclass(frozen=True, slots=True)
class ChangeFeed:
    """The tables on the feed, and ``meta``: a one-row table of the feed's ``epoch`` and
    ``purge_horizon_txid`` (tombstones of transactions before it may be gone)."""

    tables: tuple[FeedTable, ...]
    meta: str
    sql: str = field(init=False)  # without held_back
    watch_sql: str = field(init=False)  # with it

    def __post_init__(self) -> None:
        held = "LEAST(" + ", ".join(_held_back(table) for table in self.tables) + ")"
        object.__setattr__(self, "sql", self._query("NULL::xid8"))
        object.__setattr__(self, "watch_sql", self._query(held))

    def _query(self, held: str) -> str:
        # The meta row, joined to the UNION of each table's next changes in stamp order (one
        # index range scan each); alone, with NULL changes, when there is nothing new.
        branches = " UNION ALL ".join(_branch(table, i) for i, table in enumerate(self.tables))
        # (The meta row is materialized: the held-back probes run once, not once per change.)
        return (
            f"WITH m AS MATERIALIZED (SELECT epoch, purge_horizon_txid, {held} AS held "
            f"FROM {self.meta}) SELECT m.epoch, m.purge_horizon_txid, m.held, c.* FROM m LEFT JOIN "
            f"(SELECT * FROM ({branches}) u ORDER BY txid, seq LIMIT $4) c ON true "
            "ORDER BY c.txid, c.seq"
        )


async def pull(
    conn: asyncpg.Connection,
    feed: ChangeFeed,
    *,
    team_id: uuid.UUID,
    cursor: ChangeCursor,
    limit: int,
    held_back: bool = False,
) -> DeltaPage:
    """The next ``limit`` changes of the team after ``cursor`` (run inside the team's RLS);
    with ``held_back``, the page says from which txid the guard holds changes back.

    Raises MustRefetch for a cursor of another epoch or one older than the purge horizon.
    """
    # Prepared once per connection: its generic plan walks the stamp indexes (tested), and
    # planning each call anew would cost more than the query itself.
    sql = feed.watch_sql if held_back else feed.sql
    rows = await conn.fetch(sql, team_id, cursor.txid, cursor.seq, limit + 1)
    epoch, horizon_txid, held = rows[0]["epoch"], rows[0]["purge_horizon_txid"], rows[0]["held"]
    started = (cursor.txid, cursor.seq) == (0, 0)
    if cursor.epoch != epoch or (not started and cursor.txid < horizon_txid):
        raise MustRefetch("the cursor is from another database or too old; pull from the start")
    if rows[0]["t"] is None:
        rows = []
    has_more = len(rows) > limit
    changes = []
    last = cursor
    for row in rows[:limit]:
        last = ChangeCursor(epoch=epoch, txid=row["txid"], seq=row["seq"])
        changes.append(
            Change(
                table=feed.tables[row["t"]].name,
                op="delete" if row["deleted"] else "upsert",
                id=row["id"],
                row=msgspec.Raw(row["row"].encode()),
                cursor=last.encode(),
            )
        )
    if not has_more and last < ChangeCursor(epoch=epoch, txid=horizon_txid, seq=0):
        # Caught up, behind the purge horizon (the newest changes were tombstones since purged):
        # step over it, or the next pull would be refused as too old. Everything below the
        # horizon has committed (the purge only removes rows below the snapshot's xmin).
        last = ChangeCursor(epoch=epoch, txid=horizon_txid, seq=0)
    return DeltaPage(changes=changes, cursor=last, has_more=has_more, held_back=held)


async def snapshot_xmin(conn: asyncpg.Connection) -> int:
    """The oldest transaction still running: changes of transactions below it are readable."""
    xmin: int = await conn.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())")
    return xmin
