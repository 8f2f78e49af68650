"""Scheduled upkeep of identity data: expired sessions, old request logs."""

from __future__ import annotations

import datetime as dt

from app.db import rows_affected
from app.jobs import JobContext, task_logged
from tables import Session

__all__ = ["purge_expired_sessions", "purge_request_logs"]

EXPIRED_SESSION_RETENTION = dt.timedelta(days=1)


@task_logged
async def purge_expired_sessions(ctx: JobContext) -> int:
    """Delete sessions that expired more than a day ago; return how many went."""
    cutoff = dt.datetime.now(dt.UTC) - EXPIRED_SESSION_RETENTION
    async with ctx["runtime"].db.transaction():
        deleted = await Session.delete().where(Session.expires_at < cutoff).returning(Session.id)
    return len(deleted)


@task_logged
async def purge_request_logs(ctx: JobContext) -> int:
    """Delete request-log rows older than REQUEST_LOG_RETENTION_DAYS; return how many went."""
    runtime = ctx["runtime"]
    days = runtime.settings.request_log_retention_days
    async with runtime.db.maintenance() as conn:
        result: str = await conn.execute(
            "DELETE FROM request_logs WHERE created_at < now() - make_interval(days => $1)", days
        )
    return rows_affected(result)
