"""Per-team quotas on what all teams share: syncs and exports at once, stored export bytes.

Each check runs in the unit of work that would add the row it counts, after a transaction-level
advisory lock on (quota, team): two concurrent requests of one team take turns, and the second
counts the first's row once it has committed, so neither slips past the limit. A refusal is 429
``QUOTA_EXCEEDED`` with ``Retry-After``: the quota frees itself as work finishes (or files
expire).
"""

from __future__ import annotations

import uuid
from typing import Literal

import asyncpg
import msgspec

from app.config import Settings
from rpc import DomainError

__all__ = [
    "QuotaData",
    "QuotaExceeded",
    "check_export_quota",
    "check_sync_quota",
    "lock_team_quota",
    "running_syncs",
]

Quota = Literal["concurrentSyncs", "concurrentExports", "exportBytes"]
RETRY_AFTER_SECONDS = 30


class QuotaData(msgspec.Struct, rename="camel"):
    quota: str
    limit: int
    used: int
    retry_after: int


class QuotaExceeded(DomainError):
    code = "QUOTA_EXCEEDED"
    status = 429
    data_type = QuotaData
    default_message = "the team's quota is used up; retry after Retry-After seconds"


def _refuse(quota: Quota, setting: str, limit: int, used: int, what: str) -> QuotaExceeded:
    return QuotaExceeded(
        f"the team has {what} ({setting} is {limit}); retry once some have finished",
        data=QuotaData(quota=quota, limit=limit, used=used, retry_after=RETRY_AFTER_SECONDS),
    )


async def lock_team_quota(conn: asyncpg.Connection, kind: str, team_id: uuid.UUID) -> None:
    """Until the transaction ends, this team's ``kind`` quota is checked by one caller at once."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"quota:{kind}:{team_id}"
    )


async def check_export_quota(
    conn: asyncpg.Connection, settings: Settings, team_id: uuid.UUID
) -> None:
    """QuotaExceeded when the team has TEAM_MAX_CONCURRENT_EXPORTS exports queued or running,
    or keeps TEAM_MAX_EXPORT_BYTES of export files; the caller then inserts its export."""
    await lock_team_quota(conn, "exports", team_id)
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE status IN ('queued', 'running')) AS active, "
        "coalesce(sum(bytes) FILTER (WHERE status = 'succeeded'), 0)::bigint AS stored "
        "FROM exports WHERE team_id = $1 AND deleted_at IS NULL",
        team_id,
    )
    assert row is not None
    limit = settings.team_max_concurrent_exports
    if row["active"] >= limit:
        what = f"{row['active']} exports queued or running"
        raise _refuse(
            "concurrentExports", "TEAM_MAX_CONCURRENT_EXPORTS", limit, row["active"], what
        )
    if row["stored"] >= settings.team_max_export_bytes:
        what = f"{row['stored']} bytes of export files kept"
        raise _refuse(
            "exportBytes",
            "TEAM_MAX_EXPORT_BYTES",
            settings.team_max_export_bytes,
            row["stored"],
            what,
        )


async def check_sync_quota(
    conn: asyncpg.Connection, settings: Settings, team_id: uuid.UUID
) -> None:
    """QuotaExceeded when the team has TEAM_MAX_CONCURRENT_SYNCS runs queued or running; the
    caller then inserts its run."""
    await lock_team_quota(conn, "syncs", team_id)
    active: int = await conn.fetchval(
        "SELECT count(*) FROM sync_runs WHERE team_id = $1 AND status IN ('queued', 'running')",
        team_id,
    )
    limit = settings.team_max_concurrent_syncs
    if active >= limit:
        what = f"{active} syncs queued or running"
        raise _refuse("concurrentSyncs", "TEAM_MAX_CONCURRENT_SYNCS", limit, active, what)


async def running_syncs(conn: asyncpg.Connection, team_id: uuid.UUID, but: uuid.UUID) -> int:
    """The team's runs ``running`` other than ``but`` (under the caller's quota lock)."""
    running: int = await conn.fetchval(
        "SELECT count(*) FROM sync_runs WHERE team_id = $1 AND status = 'running' AND id <> $2",
        team_id,
        but,
    )
    return running
