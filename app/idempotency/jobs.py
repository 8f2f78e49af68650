"""Purging idempotency keys past their retention (a worker cron job)."""

from __future__ import annotations

from app.db import rows_affected
from app.idempotency.store import RETENTION
from app.jobs import JobContext, task_logged

__all__ = ["purge_idempotency_keys"]


@task_logged
async def purge_idempotency_keys(ctx: JobContext) -> int:
    """Delete every team's keys older than RETENTION (24 h); return how many went."""
    async with ctx["runtime"].db.maintenance() as conn:
        status = await conn.execute(
            "DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval", RETENTION
        )
    return rows_affected(status)
