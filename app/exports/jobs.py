"""Export jobs: write one export file, re-queue stranded exports, purge expired files."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import msgspec

from app.events import emit
from app.exports import states
from app.exports.copy import copy_out, snapshot
from app.exports.queueing import EXPORT_RETRIES, enqueue_export
from app.exports.service import ExportService
from app.exports.storage import export_storage
from app.jobs import JobContext, task_logged
from app.runtime import Runtime
from app.subscribers.query import ORDER, Selection
from app.work import unit_of_work

__all__ = ["CHUNK_ROWS", "export_subscribers", "purge_exports", "sweep_exports"]

log = logging.getLogger(__name__)

# Rows per COPY: progress is reported after each, and the row is touched (a liveness sign).
CHUNK_ROWS = 20_000


async def _side(
    runtime: Runtime,
    team: uuid.UUID,
    change: Callable[[asyncpg.Connection], Awaitable[None]],
) -> None:
    """A change of the export's row while the job holds its snapshot's connection: on the side
    pool, whose connections are each held for one statement, so waiting for one never
    deadlocks; then a poke (it is the progress on the feed)."""
    async with runtime.db.side_transaction(team_id=team) as conn:
        await change(conn)
    await runtime.poke(team)


@contextlib.asynccontextmanager
async def _heartbeat(runtime: Runtime, team: uuid.UUID, export: uuid.UUID) -> AsyncIterator[None]:
    """Touch the running export's row every EXPORT_HEARTBEAT_SECONDS (``updated_at`` is its
    heartbeat), also in the middle of a long chunk: ``sweep_exports`` takes over an export
    whose heartbeat stopped, its worker having died."""
    every = runtime.settings.export_heartbeat_seconds
    ended = asyncio.Event()

    async def beat() -> None:
        # Until the export ends, not merely until cancelled: a beat may absorb its cancellation
        # and return (redis-py writes under asyncio.wait_for, which on Python 3.11 returns when
        # cancelled just as the write completes), and a loop that went on would hold the job in
        # the ``await beating`` below for good, its export running with a live heartbeat.
        while not ended.is_set():
            await asyncio.sleep(every)
            try:
                await _side(runtime, team, functools.partial(states.beat, export=export))
            except Exception as exc:  # an outage: the next beat tries again
                runtime.unavailable.log(exc, "the heartbeat of an export", log)

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        ended.set()
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


@task_logged
async def export_subscribers(ctx: JobContext, *, export_id: str, team_id: str) -> dict[str, Any]:
    """Write the file of one export, in chunks from one consistent snapshot."""
    runtime = ctx["runtime"]
    job = ctx.get("job")
    export, team = uuid.UUID(export_id), uuid.UUID(team_id)
    # Queued, or running with a stale heartbeat (its worker died): a second job of an export
    # whose worker is alive (the sweep and a retry both queued one) leaves it alone.
    async with unit_of_work(runtime, team_id=team) as work:
        started = await states.start(
            work.conn, export, runtime.settings.export_heartbeat_seconds * 2
        )
    if started is None:
        return {"skipped": "the export is finished, or running elsewhere"}
    key = f"{team}/{export}.{started.format}{'.gz' if started.gzip else ''}"
    try:
        async with _heartbeat(runtime, team, export):
            rows = await _write(runtime, team, export, started, key)
    except Exception as exc:
        final = job is None or job.attempts >= job.retries
        async with unit_of_work(runtime, team_id=team) as work:
            await states.stopped(work.conn, export, f"{type(exc).__name__}: {exc}", final=final)
        raise
    async with unit_of_work(runtime, team_id=team) as work:
        await states.succeed(
            work.conn,
            export,
            rows=rows,
            size=export_storage(runtime).size(key),
            file_key=key,
            retention_hours=runtime.settings.export_retention_hours,
        )
        ready = await ExportService(work).get(export)
        await emit(work.conn, team, "export.ready", {"export": msgspec.to_builtins(ready)})
    return {"rows": rows}


async def _write(
    runtime: Runtime, team: uuid.UUID, export: uuid.UUID, started: states.Started, key: str
) -> int:
    written = 0
    fmt, spec = started.format, started.filter
    async with runtime.db.acquire() as conn, snapshot(conn, team):
        everything = Selection.of(team, spec)
        total = await conn.fetchval(
            f"SELECT count(*) FROM subscribers WHERE {everything.where}", *everything.args
        )
        await _progress(runtime, team, export, written, total)
        with export_storage(runtime).writer(key, compress=started.gzip) as out:

            async def sink(chunk: bytes) -> None:
                out.write(chunk)

            after: asyncpg.Record | None = None
            while True:
                chunk = Selection.of(team, spec)
                if after is not None:
                    chunk.add("(created_at, id) < ({}, {})", after["created_at"], after["id"])
                last = await conn.fetchrow(
                    f"SELECT created_at, id FROM subscribers WHERE {chunk.where} "
                    f"ORDER BY {ORDER} OFFSET {CHUNK_ROWS - 1} LIMIT 1",
                    *chunk.args,
                )
                if last is not None:
                    chunk.add("(created_at, id) >= ({}, {})", last["created_at"], last["id"])
                written += await copy_out(conn, fmt, chunk, sink, header=after is None)
                await _progress(runtime, team, export, written, total)
                if last is None:
                    return written
                after = last


async def _progress(
    runtime: Runtime, team: uuid.UUID, export: uuid.UUID, rows: int, total: int
) -> None:
    await _side(
        runtime, team, functools.partial(states.progress, export=export, rows=rows, total=total)
    )


@task_logged
async def sweep_exports(ctx: JobContext) -> int:
    """The outbox's guarantee, as for sync runs: queue again exports still ``queued`` after
    SYNC_REQUEUE_AFTER_SECONDS, and ``running`` ones whose heartbeat is older than twice
    EXPORT_HEARTBEAT_SECONDS (their worker died); one that has had all its attempts is
    failed instead, with the reason on its row (and so on the change feed)."""
    runtime = ctx["runtime"]
    settings = runtime.settings
    stale = settings.export_heartbeat_seconds * 2
    async with runtime.db.maintenance() as conn:
        given_up = await states.give_up(conn, stale, EXPORT_RETRIES)
        stranded = await states.stranded(conn, settings.sync_requeue_after_seconds, stale)
    for team in given_up:
        await runtime.poke(team)
    for row in stranded:
        await enqueue_export(
            runtime.queue, export_id=row["id"], team_id=row["team_id"], attempt=row["attempts"]
        )
    return len(stranded) + len(given_up)


@task_logged
async def purge_exports(ctx: JobContext) -> int:
    """Delete the files of exports past ``expires_at``; their rows say ``expired``."""
    runtime = ctx["runtime"]
    async with runtime.db.maintenance() as conn:
        expired = await states.expire(conn, dt.datetime.now(dt.UTC))
    for row in expired:
        export_storage(runtime).delete(row["file_key"])
    for team in {row["team_id"] for row in expired}:
        await runtime.poke(team)
    return len(expired)
