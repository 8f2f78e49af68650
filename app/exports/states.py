"""An export's life, every change of its status in one place (``ExportStatus``)::

    queued ─start─▶ running ─succeed─▶ succeeded ─expire─▶ expired
      ▲               │ │
      └──── retry ────┘ └─ fail / give_up ─▶ failed

``exports.create`` makes the row ``queued`` (the outbox). ``start`` also takes over a running
export whose heartbeat stopped (its worker died); ``give_up`` fails those that had all their
attempts. Each transition is one statement; the callers choose the connection and transaction
(the job's unit of work, the side pool while it holds its snapshot, the maintenance role for
the sweeps across teams) and say which team's feed moved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import NamedTuple

import asyncpg
import msgspec

from app.db import error_text
from app.exports.copy import ExportFormat
from app.exports.schemas import ExportStatus
from app.subscribers.schemas import SubscriberFilter

__all__ = [
    "ExportStatus",
    "Started",
    "beat",
    "expire",
    "give_up",
    "progress",
    "start",
    "stopped",
    "stranded",
    "succeed",
]


class Started(NamedTuple):
    """What a started export is to write."""

    format: ExportFormat
    gzip: bool
    filter: SubscriberFilter


async def start(
    conn: asyncpg.Connection, export: uuid.UUID, stale_seconds: float
) -> Started | None:
    """queued → running, or running → running again when its heartbeat is older than
    ``stale_seconds`` (its worker died). None: finished, or running elsewhere."""
    row = await conn.fetchrow(
        "UPDATE exports SET status = 'running', attempts = attempts + 1, "
        "started_at = coalesce(started_at, now()) WHERE id = $1 AND (status = 'queued' "
        "OR (status = 'running' AND updated_at < now() - make_interval(secs => $2))) "
        "RETURNING format, gzip, filter",
        export,
        stale_seconds,
    )
    if row is None:
        return None
    spec = msgspec.json.decode(row["filter"], type=SubscriberFilter)
    return Started(row["format"], row["gzip"], spec)


async def beat(conn: asyncpg.Connection, export: uuid.UUID) -> None:
    """A running export's heartbeat (``updated_at``)."""
    await conn.execute(
        "UPDATE exports SET updated_at = now() WHERE id = $1 AND status = 'running'", export
    )


async def progress(conn: asyncpg.Connection, export: uuid.UUID, rows: int, total: int) -> None:
    await conn.execute(
        "UPDATE exports SET row_count = $2, total_rows = $3 WHERE id = $1", export, rows, total
    )


async def stopped(conn: asyncpg.Connection, export: uuid.UUID, error: str, *, final: bool) -> None:
    """running → failed (``final``: no attempt left) or → queued (its job is retried)."""
    await conn.execute(
        "UPDATE exports SET error = $2, status = CASE WHEN $3 THEN 'failed' ELSE 'queued' END, "
        "finished_at = CASE WHEN $3 THEN now() END WHERE id = $1",
        export,
        error_text(error),
        final,
    )


async def succeed(
    conn: asyncpg.Connection,
    export: uuid.UUID,
    *,
    rows: int,
    size: int,
    file_key: str,
    retention_hours: int,
) -> None:
    """running → succeeded: its file is written, kept ``retention_hours``."""
    await conn.execute(
        "UPDATE exports SET status = 'succeeded', row_count = $2, bytes = $3, file_key = $4, "
        "error = NULL, finished_at = now(), expires_at = now() + make_interval(hours => $5) "
        "WHERE id = $1",
        export,
        rows,
        size,
        file_key,
        retention_hours,
    )


async def give_up(conn: asyncpg.Connection, stale_seconds: float, attempts: int) -> set[uuid.UUID]:
    """running → failed for exports whose worker stopped during each of ``attempts``; the
    teams they belong to."""
    rows = await conn.fetch(
        "UPDATE exports SET status = 'failed', finished_at = now(), error = "
        "'its worker stopped during each of ' || attempts || ' attempts; not retried' "
        "WHERE status = 'running' AND updated_at < now() - make_interval(secs => $1) "
        "AND attempts >= $2 RETURNING team_id",
        stale_seconds,
        attempts,
    )
    return {row["team_id"] for row in rows}


async def stranded(
    conn: asyncpg.Connection, queued_seconds: float, stale_seconds: float
) -> list[asyncpg.Record]:
    """Exports to queue again (``id, team_id, attempts``): queued for ``queued_seconds`` with
    no job at work, or running with a heartbeat older than ``stale_seconds``."""
    return await conn.fetch(
        "SELECT id, team_id, attempts FROM exports WHERE "
        "(status = 'queued' AND queued_at < now() - make_interval(secs => $1)) OR "
        "(status = 'running' AND updated_at < now() - make_interval(secs => $2)) "
        "ORDER BY queued_at",
        queued_seconds,
        stale_seconds,
    )


async def expire(conn: asyncpg.Connection, now: dt.datetime) -> list[asyncpg.Record]:
    """succeeded → expired past ``expires_at``: the file is no longer theirs (``team_id,
    file_key`` of each, for the caller to delete)."""
    return await conn.fetch(
        "WITH due AS (SELECT id, team_id, file_key FROM exports WHERE status = 'succeeded' "
        "AND expires_at < $1 FOR UPDATE) UPDATE exports SET status = 'expired', "
        "file_key = NULL FROM due WHERE exports.id = due.id "
        "RETURNING due.team_id, due.file_key",
        now,
    )
