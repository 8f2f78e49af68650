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

A reader may follow a ``Subset`` of the feed: some tables, rows of fixed ``keys`` (facets a row
keeps for life, e.g. its connection: read from the table's ``(team_id, <key>, txid, seq)``
index), and rows whose ``members`` facets (which writes may change, e.g. a status) take given
values. A row whose member facet is outside the subset arrives as a delete: it may have been
in the subset before, and a reader cannot tell a row that left from one never seen. The same
rules decide in SQL (``pull``) and in Python (``Subset.admit``, for changes already read).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import asyncpg
import msgspec

from realtime.cursor import ChangeCursor

__all__ = [
    "EVERYTHING",
    "Change",
    "ChangeFeed",
    "DeltaPage",
    "FeedTable",
    "StaleCursor",
    "Subset",
    "head",
    "moved",
    "pull",
    "snapshot_xmin",
]


class StaleCursor(Exception):
    """The cursor cannot be continued (another database, or older than the purge horizon)."""


@dataclass(frozen=True, slots=True)
class FeedTable:
    """A table on the feed: its name (the wire name too) and the row's wire fields, each a
    SQL expression over the table's columns (e.g. ``{"email": "email"}``)."""

    name: str
    fields: Mapping[str, str]
    # Facets a subset can select by, each a SQL expression. ``keys`` never change once a row
    # is written (a subset naming one reads an index on ``(team_id, <key>, txid, seq)``; a
    # table without that key is outside it); ``members`` may change with any write.
    keys: Mapping[str, str] = field(default_factory=dict)
    members: Mapping[str, str] = field(default_factory=dict)

    @property
    def facets(self) -> tuple[str, ...]:
        return (*self.keys, *self.members)


class Change(msgspec.Struct, frozen=True):
    table: str
    op: Literal["upsert", "delete"]
    id: uuid.UUID
    row: msgspec.Raw
    cursor: str
    # The row's facet values (as text; None for NULL), for ``Subset.admit``.
    facets: dict[str, str | None] = msgspec.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Subset:
    """Which of the feed's changes a reader follows (hashable: equal subsets share work).
    ``Subset()`` is the whole feed; build others with ``Subset.of``."""

    tables: frozenset[str] | None = None  # None: every table
    keys: tuple[tuple[str, str], ...] = ()  # (facet, value), sorted by facet
    members: tuple[tuple[str, frozenset[str]], ...] = ()  # (facet, the values in the subset)

    @classmethod
    def of(
        cls,
        *,
        tables: Iterable[str] | None = None,
        keys: Mapping[str, str] | None = None,
        members: Mapping[str, Iterable[str]] | None = None,
    ) -> Subset:
        return cls(
            tables=None if tables is None else frozenset(tables),
            keys=tuple(sorted((keys or {}).items())),
            members=tuple(sorted((name, frozenset(v)) for name, v in (members or {}).items())),
        )

    def admit(self, change: Change) -> Change | None:
        """``change`` as this subset's reader gets it: as is, as a delete (a member facet is
        outside the subset), or None (not in the subset). What ``pull`` answers for the subset."""
        if self.tables is not None and change.table not in self.tables:
            return None
        facets = change.facets
        for name, value in self.keys:
            if name not in facets or facets[name] != value:
                return None
        if change.op == "upsert":
            for name, allowed in self.members:
                if name in facets and facets[name] not in allowed:
                    return msgspec.structs.replace(change, op="delete")
        return change

    def includes(self, table: FeedTable) -> bool:
        """Whether any row of ``table`` can be in the subset."""
        in_tables = self.tables is None or table.name in self.tables
        return in_tables and all(name in table.keys for name, _ in self.keys)


EVERYTHING = Subset()  # the whole feed


@dataclass(frozen=True, slots=True)
class DeltaPage:
    changes: list[Change]
    cursor: ChangeCursor
    has_more: bool
    # The oldest txid of committed changes at or above the snapshot's xmin: they come once
    # xmin passes it. None when nothing is held back.
    held_back: int | None = None


def _where(table: FeedTable, params: Mapping[str, int]) -> str:
    # The team, and each key of the subset: the leading columns of the index that is read.
    keys = "".join(
        f" AND {expr} = ${params[name]}" for name, expr in table.keys.items() if name in params
    )
    return f"team_id = $1{keys}"


def _held_back(table: FeedTable, params: Mapping[str, int]) -> str:
    # Visible rows at or above xmin have committed, but an older transaction is still open
    # (one index probe: the first entry of the range).
    return (
        f"(SELECT min(txid) FROM {table.name} WHERE {_where(table, params)} "
        "AND txid >= pg_snapshot_xmin(pg_current_snapshot()))"
    )


def _branch(table: FeedTable, index: int, params: Mapping[str, int]) -> str:
    row = ", ".join(f"'{name}', {expr}" for name, expr in table.fields.items())
    # A row whose member facet is outside the subset's values is a delete of the subset.
    left = "".join(
        f" OR NOT coalesce({expr} = ANY(${params[name]}), false)"
        for name, expr in table.members.items()
        if name in params
    )
    exprs = (*table.keys.values(), *table.members.values())  # in the order of table.facets
    facets = ", ".join(f"({expr})::text" for expr in exprs)
    return (
        f"(SELECT {index} AS t, id, txid, seq, deleted_at IS NOT NULL{left} AS deleted, "
        f"json_build_object({row})::text AS row, ARRAY[{facets}]::text[] AS facets "
        f"FROM {table.name} WHERE {_where(table, params)} "
        "AND (txid, seq) > ($2::xid8, $3::bigint) "
        "AND txid < pg_snapshot_xmin(pg_current_snapshot()) "
        "ORDER BY txid, seq LIMIT $4)"
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    """The statement of a subset's shape: its SQL, and the subset's values it takes after
    ``$1``-``$4`` (team, cursor txid and seq, limit), in order."""

    sql: str
    keys: tuple[str, ...]
    members: tuple[str, ...]
    empty: bool  # no table can hold a row of the subset: only the meta row is read

    def args(
        self, subset: Subset, team_id: uuid.UUID, cursor: ChangeCursor, limit: int
    ) -> list[object]:
        if self.empty:
            return []
        keys, members = dict(subset.keys), dict(subset.members)
        return [
            team_id,
            cursor.txid,
            cursor.seq,
            limit,
            *(keys[name] for name in self.keys),
            *(sorted(members[name]) for name in self.members),
        ]


@dataclass(frozen=True, slots=True)
class ChangeFeed:
    """The tables on the feed, and ``meta``: a one-row table of the feed's ``epoch`` and
    ``purge_horizon_txid`` (tombstones of transactions before it may be gone)."""

    tables: tuple[FeedTable, ...]
    meta: str
    sql: str = field(init=False)  # of the whole feed, without held_back
    watch_sql: str = field(init=False)  # with it
    head_sql: str = field(init=False)
    moved_sql: str = field(init=False)
    _plans: dict[tuple[object, ...], _Plan] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plans", {})
        object.__setattr__(self, "sql", self.plan(EVERYTHING, held_back=False).sql)
        object.__setattr__(self, "watch_sql", self.plan(EVERYTHING, held_back=True).sql)
        newest = " UNION ALL ".join(
            f"(SELECT txid, seq FROM {table.name} WHERE team_id = $1 "
            "AND txid < pg_snapshot_xmin(pg_current_snapshot()) "
            "ORDER BY txid DESC, seq DESC LIMIT 1)"
            for table in self.tables
        )
        head_sql = (
            f"SELECT m.epoch, m.purge_horizon_txid, c.txid, c.seq FROM {self.meta} m LEFT JOIN "
            f"(SELECT * FROM ({newest}) u ORDER BY txid DESC, seq DESC LIMIT 1) c ON true"
        )
        object.__setattr__(self, "head_sql", head_sql)
        # Of many teams at once, those a delta query from their position would read a change
        # of now: one index probe per team and table (the first entry past the position).
        ahead = " OR ".join(
            f"EXISTS (SELECT 1 FROM {table.name} WHERE team_id = c.team "
            "AND (txid, seq) > (c.txid, c.seq) "
            "AND txid < pg_snapshot_xmin(pg_current_snapshot()))"
            for table in self.tables
        )
        moved_sql = (
            "SELECT c.team FROM unnest($1::uuid[], $2::xid8[], $3::bigint[]) "
            f"AS c (team, txid, seq) WHERE {ahead}"
        )
        object.__setattr__(self, "moved_sql", moved_sql)

    def plan(self, subset: Subset, *, held_back: bool) -> _Plan:
        """The statement for subsets shaped like ``subset`` (made once per shape)."""
        tables = tuple(i for i, table in enumerate(self.tables) if subset.includes(table))
        keys = tuple(name for name, _ in subset.keys)
        members = tuple(
            name
            for name, _ in subset.members
            if any(name in self.tables[i].members for i in tables)  # else no row is tested
        )
        shape = (tables, keys, members, held_back)
        plan = self._plans.get(shape)
        if plan is None:
            plan = self._plans[shape] = self._make(tables, keys, members, held_back)
        return plan

    def _make(
        self, indexes: tuple[int, ...], keys: tuple[str, ...], members: tuple[str, ...], held: bool
    ) -> _Plan:
        if not indexes:
            sql = (
                "SELECT epoch, purge_horizon_txid, NULL::xid8 AS held, NULL::int AS t "
                f"FROM {self.meta}"
            )
            return _Plan(sql, keys, members, empty=True)
        params = {name: n for n, name in enumerate((*keys, *members), start=5)}
        tables = [self.tables[i] for i in indexes]
        held_sql = (
            "LEAST(" + ", ".join(_held_back(table, params) for table in tables) + ")"
            if held
            else "NULL::xid8"
        )
        # The meta row, joined to the UNION of each table's next changes in stamp order (one
        # index range scan each); alone, with NULL changes, when there is nothing new.
        branches = " UNION ALL ".join(_branch(self.tables[i], i, params) for i in indexes)
        # (The meta row is materialized: the held-back probes run once, not once per change.)
        sql = (
            f"WITH m AS MATERIALIZED (SELECT epoch, purge_horizon_txid, {held_sql} AS held "
            f"FROM {self.meta}) SELECT m.epoch, m.purge_horizon_txid, m.held, c.* FROM m LEFT JOIN "
            f"(SELECT * FROM ({branches}) u ORDER BY txid, seq LIMIT $4) c ON true "
            "ORDER BY c.txid, c.seq"
        )
        return _Plan(sql, keys, members, empty=False)


async def pull(
    conn: asyncpg.Connection,
    feed: ChangeFeed,
    *,
    team_id: uuid.UUID,
    cursor: ChangeCursor,
    limit: int,
    held_back: bool = False,
    subset: Subset = EVERYTHING,
) -> DeltaPage:
    """The next ``limit`` changes of the team's ``subset`` after ``cursor`` (run inside the
    team's RLS); with ``held_back``, the page says from which txid the guard holds changes back.

    Raises StaleCursor for a cursor of another epoch or one older than the purge horizon.
    """
    # Prepared once per connection: its generic plan walks the stamp indexes (tested), and
    # planning each call anew would cost more than the query itself.
    plan = feed.plan(subset, held_back=held_back)
    rows = await conn.fetch(plan.sql, *plan.args(subset, team_id, cursor, limit + 1))
    epoch, horizon_txid, held = rows[0]["epoch"], rows[0]["purge_horizon_txid"], rows[0]["held"]
    if cursor.epoch != epoch or not cursor.valid_under(horizon_txid):
        raise StaleCursor("the cursor is from another database or too old; pull from the start")
    if rows[0]["t"] is None:
        rows = []
    has_more = len(rows) > limit
    changes = []
    last = msgspec.structs.replace(cursor, horizon=horizon_txid)  # valid under the horizon now
    for row in rows[:limit]:
        last = ChangeCursor(epoch=epoch, txid=row["txid"], seq=row["seq"], horizon=horizon_txid)
        table = feed.tables[row["t"]]
        changes.append(
            Change(
                table=table.name,
                op="delete" if row["deleted"] else "upsert",
                id=row["id"],
                row=msgspec.Raw(row["row"].encode()),
                cursor=last.encode(),
                facets=dict(zip(table.facets, row["facets"], strict=True)),
            )
        )
    if not has_more and last.txid < horizon_txid:
        # Caught up, behind the purge horizon (the newest changes were tombstones since purged):
        # step over it, so that the cursor stays good when the horizon moves again. Everything
        # below the horizon has committed (the purge only removes rows below the snapshot's xmin).
        last = ChangeCursor(epoch=epoch, txid=horizon_txid, seq=0, horizon=horizon_txid)
    return DeltaPage(changes=changes, cursor=last, has_more=has_more, held_back=held)


async def head(conn: asyncpg.Connection, feed: ChangeFeed, *, team_id: uuid.UUID) -> ChangeCursor:
    """The team's position now: every change at or before it can be read (one index probe per
    table). Where a live reader of a subset can start the whole feed's reading."""
    row = await conn.fetchrow(feed.head_sql, team_id)
    assert row is not None
    epoch, horizon_txid = row["epoch"], row["purge_horizon_txid"]
    horizon = ChangeCursor(epoch=epoch, txid=horizon_txid, seq=0, horizon=horizon_txid)
    if row["txid"] is None:
        return max(ChangeCursor.start(epoch, horizon_txid), horizon)
    return max(ChangeCursor(epoch, row["txid"], row["seq"], horizon_txid), horizon)


async def moved(
    conn: asyncpg.Connection, feed: ChangeFeed, positions: Sequence[tuple[uuid.UUID, ChangeCursor]]
) -> set[uuid.UUID]:
    """Of the teams at ``positions``, those with a change after it that a delta query would
    read now, in one statement for all (run where every team's rows are visible: the caller's
    business). A team that has not moved costs one index probe per table, not a query."""
    if not positions:
        return set()
    rows = await conn.fetch(
        feed.moved_sql,
        [team for team, _ in positions],
        [cursor.txid for _, cursor in positions],
        [cursor.seq for _, cursor in positions],
    )
    return {row["team"] for row in rows}


async def snapshot_xmin(conn: asyncpg.Connection) -> int:
    """The oldest transaction still running: changes of transactions below it are readable."""
    xmin: int = await conn.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())")
    return xmin
