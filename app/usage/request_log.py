"""The request log of API-key calls: buffered in memory, written in batches off the request path.

Each flush also counts the calls against the team's plan (usage metric ``api_requests``), and
updates the keys' ``last_used_at``: one statement for every team, on the writer's own
connection of the maintenance role.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid

import msgspec

from app.db import Database, KeptConnection
from app.usage.plans import period_of
from app.usage.quota import ApiQuota
from app.usage.service import UsageService
from rpc import Call

__all__ = ["RequestLogWriter"]

log = logging.getLogger(__name__)
_KEEP = 100_000  # calls kept while flushes fail (the database is away)


class _Entry(msgspec.Struct, frozen=True):
    team_id: uuid.UUID
    api_key_id: uuid.UUID
    procedure: str
    status: int
    duration_ms: float
    at: dt.datetime


class RequestLogWriter:
    """``record`` appends (no I/O); a background task flushes every ``interval`` seconds or when
    ``batch`` entries wait, one transaction per flush; ``stop`` flushes what is left."""

    def __init__(
        self, db: Database, quota: ApiQuota, *, interval: float = 1.0, batch: int = 500
    ) -> None:
        self._quota = quota
        self._interval = interval
        self._batch = batch
        self._pending: list[_Entry] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._conn = KeptConnection(db)  # the maintenance role's, kept open

    def record(self, call: Call, status: int, seconds: float) -> None:
        key_id = call.facts.get("api_key_id")
        if key_id is None:
            return
        self._pending.append(
            _Entry(
                team_id=call.facts["team_id"],
                api_key_id=key_id,
                procedure=call.procedure.name,
                status=status,
                duration_ms=seconds * 1000,
                at=dt.datetime.now(dt.UTC),
            )
        )
        if len(self._pending) >= self._batch:
            self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="request-log-writer")

    async def stop(self) -> None:
        """Let the writer finish its flush (never cut one short), then write what is left."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        await self._flush_logged()
        await self._conn.close()

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            await self._flush_logged()

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:  # the log must never take the API down; the batch is kept for later
            log.exception("request log flush failed; its calls wait for the next one")

    async def flush(self) -> None:
        """Write what waits. On failure nothing of it was written (one transaction): it waits
        again, ahead of newer calls, up to ``_KEEP`` calls (the oldest beyond are dropped)."""
        entries, self._pending = self._pending, []
        if not entries:
            return
        try:
            await self._write(entries)
        except BaseException:
            self._pending[:0] = entries
            if len(self._pending) > _KEEP:
                dropped = len(self._pending) - _KEEP
                del self._pending[:dropped]
                log.warning("request log: %d calls dropped after failed flushes", dropped)
            raise

    async def _write(self, entries: list[_Entry]) -> None:
        period_start, _ = period_of(dt.datetime.now(dt.UTC))
        # One statement for every team's calls, as the maintenance role (RLS would need a
        # statement per team): the transaction holds a txid for one round trip, not for a
        # statement per team, so the change feed's xmin guard hardly ever waits on it.
        async with self._conn.use() as conn, conn.transaction():
            counted = await conn.fetch(
                _RECORD,
                [e.team_id for e in entries],
                [e.api_key_id for e in entries],
                [e.procedure for e in entries],
                [e.status for e in entries],
                [e.duration_ms for e in entries],
                [e.at for e in entries],
                period_start,
            )
            usage = UsageService(conn)
            for row in counted:
                team_id = row["team_id"]
                total = await usage.announce(
                    team_id, "api_requests", row["amount"], period_start, row["used"], row["plan"]
                )
                self._quota.note(team_id, total.period_start, total.used, total.limit)


# The calls of teams that still exist (not erased since), their keys' last use, and each team's
# api_requests counter (upserted in team order); answers each team's new total and plan.
_RECORD = """
WITH calls AS (
    SELECT c.* FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::real[],
        $6::timestamptz[]) AS c (team_id, api_key_id, procedure, status, duration_ms, created_at)
    WHERE EXISTS (SELECT 1 FROM teams t WHERE t.id = c.team_id)
), logged AS (
    INSERT INTO request_logs (team_id, api_key_id, procedure, status, duration_ms, created_at)
    SELECT * FROM calls
), used_keys AS (
    UPDATE api_keys k SET last_used_at = u.at
    FROM (SELECT api_key_id, max(created_at) AS at FROM calls GROUP BY api_key_id) u
    WHERE k.id = u.api_key_id
), amounts AS (
    SELECT team_id, count(*)::int AS amount FROM calls GROUP BY team_id
), counted AS (
    INSERT INTO usage_counters (team_id, period_start, metric, used)
    SELECT team_id, $7, 'api_requests', amount FROM amounts ORDER BY team_id
    ON CONFLICT (team_id, period_start, metric)
    DO UPDATE SET used = usage_counters.used + EXCLUDED.used, updated_at = now()
    RETURNING team_id, used
)
SELECT counted.team_id, counted.used, amounts.amount, teams.plan
FROM counted JOIN amounts USING (team_id) JOIN teams ON teams.id = counted.team_id
"""
