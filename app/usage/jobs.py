"""Billing period roll-over."""

from __future__ import annotations

import datetime as dt

from app.jobs import JobContext, task_logged
from app.usage.plans import METRICS, period_of

__all__ = ["USAGE_KEPT_PERIODS", "roll_billing_period"]

USAGE_KEPT_PERIODS = 13


@task_logged
async def roll_billing_period(ctx: JobContext) -> int:
    """Open the new period: a zero counter per team and metric (what ``usage.get`` and the
    thresholds count from), and drop counters older than USAGE_KEPT_PERIODS periods. Idempotent:
    a second run in the same period changes nothing. The number of counters opened."""
    runtime = ctx["runtime"]
    start, _ = period_of(dt.datetime.now(dt.UTC))
    oldest = start
    for _ in range(USAGE_KEPT_PERIODS - 1):
        oldest = period_of(dt.datetime.combine(oldest, dt.time(), dt.UTC) - dt.timedelta(days=1))[0]
    async with runtime.db.maintenance() as conn, conn.transaction():
        opened = await conn.fetch(
            "INSERT INTO usage_counters (team_id, period_start, metric) "
            "SELECT t.id, $1, m FROM teams t, unnest($2::text[]) m "
            "ON CONFLICT (team_id, period_start, metric) DO NOTHING RETURNING id",
            start,
            list(METRICS),
        )
        await conn.execute("DELETE FROM usage_counters WHERE period_start < $1", oldest)
    return len(opened)
