"""The request log of API-key calls: buffered in memory, written in batches off the request path.

Each flush also counts the calls against the team's plan (usage metric ``api_requests``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections import defaultdict

import msgspec

from app.db import Database, set_tenant
from app.usage.quota import ApiQuota
from app.usage.service import UsageService
from rpc import Call

__all__ = ["RequestLogWriter"]

log = logging.getLogger(__name__)


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
        self._db = db
        self._quota = quota
        self._interval = interval
        self._batch = batch
        self._pending: list[_Entry] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

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

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            await self._flush_logged()

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:  # the log must never take the API down; that batch is dropped
            log.exception("request log flush failed")

    async def flush(self) -> None:
        entries, self._pending = self._pending, []
        if not entries:
            return
        by_team: dict[uuid.UUID, list[_Entry]] = defaultdict(list)
        for entry in entries:
            by_team[entry.team_id].append(entry)
        async with self._db.transaction() as transaction:
            conn = transaction.connection
            for team_id, group in by_team.items():
                await set_tenant(conn, team_id=team_id)
                if not await conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1)", team_id
                ):
                    continue  # erased (account deletion) since these calls were made
                await conn.execute(
                    "INSERT INTO request_logs "
                    "(team_id, api_key_id, procedure, status, duration_ms, created_at) "
                    "SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::int[], "
                    "$5::real[], $6::timestamptz[])",
                    team_id,
                    [e.api_key_id for e in group],
                    [e.procedure for e in group],
                    [e.status for e in group],
                    [e.duration_ms for e in group],
                    [e.at for e in group],
                )
                await conn.execute(
                    "UPDATE api_keys SET last_used_at = $2 WHERE id = ANY($1::uuid[])",
                    list({e.api_key_id for e in group}),
                    max(e.at for e in group),
                )
                counted = await UsageService(conn).add(team_id, "api_requests", len(group))
                self._quota.note(team_id, counted.period_start, counted.used, counted.limit)
