"""Usage counters inside a team's unit of work: add (one statement), read, enforce."""

from __future__ import annotations

import datetime as dt
import math
import uuid

import asyncpg
import msgspec

from app.events import emit
from app.mail.outbox import queue_owner_mails
from app.usage.errors import LimitData, PlanLimitReached
from app.usage.plans import METRICS, PLANS, Metric, Plan, period_of
from app.usage.schemas import MetricUsage, UsageOut

__all__ = ["THRESHOLDS", "Counted", "UsageService"]

# Percentages of a limit that are announced (usage.threshold event and webhook), once each
# per period: the one increment that carries the counter across a threshold announces it.
THRESHOLDS = (90, 100)


class Counted(msgspec.Struct, frozen=True):
    period_start: dt.date
    used: int
    limit: int | None


class UsageService:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def plan(self, team_id: uuid.UUID) -> tuple[str, Plan]:
        name: str = await self.conn.fetchval("SELECT plan FROM teams WHERE id = $1", team_id)
        return name, PLANS[name]

    async def add(
        self, team_id: uuid.UUID, metric: Metric, amount: int, *, now: dt.datetime | None = None
    ) -> Counted:
        """Count ``amount`` more of ``metric`` this period: the new total, and the limit.

        One upsert: concurrent additions serialize on the row, so each sees exactly its own
        before and after, and exactly one of them crosses each threshold.
        """
        start, _ = period_of(now or dt.datetime.now(dt.UTC))
        row = await self.conn.fetchrow(
            "WITH counted AS (INSERT INTO usage_counters (team_id, period_start, metric, used) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (team_id, period_start, metric) "
            "DO UPDATE SET used = usage_counters.used + EXCLUDED.used, updated_at = now() "
            "RETURNING used) SELECT counted.used, teams.plan FROM counted, teams "
            "WHERE teams.id = $1",
            team_id,
            start,
            metric,
            amount,
        )
        assert row is not None
        return await self.announce(team_id, metric, amount, start, row["used"], row["plan"])

    async def announce(
        self,
        team_id: uuid.UUID,
        metric: Metric,
        amount: int,
        period_start: dt.date,
        used: int,
        plan: str,
    ) -> Counted:
        """After an increment of ``amount`` brought ``metric`` to ``used``: emit the
        ``usage.threshold`` event of each threshold it crossed, and its mail to the team's
        owners (in this transaction)."""
        limit = PLANS[plan].limit(metric)
        if limit is not None and amount > 0:
            for percent in THRESHOLDS:
                threshold = math.ceil(limit * percent / 100)
                if used - amount < threshold <= used:
                    data = {
                        "metric": metric,
                        "percent": percent,
                        "used": used,
                        "limit": limit,
                        "periodStart": period_start.isoformat(),
                    }
                    await emit(self.conn, team_id, "usage.threshold", data)
                    await queue_owner_mails(self.conn, team_id, "usage_alert", data)
        return Counted(period_start=period_start, used=used, limit=limit)

    async def used(
        self, team_id: uuid.UUID, metric: Metric, *, now: dt.datetime | None = None
    ) -> int:
        start, _ = period_of(now or dt.datetime.now(dt.UTC))
        used: int | None = await self.conn.fetchval(
            "SELECT used FROM usage_counters WHERE team_id = $1 AND period_start = $2 "
            "AND metric = $3",
            team_id,
            start,
            metric,
        )
        return used or 0

    async def require_room(self, team_id: uuid.UUID, metric: Metric) -> None:
        """422 PLAN_LIMIT_REACHED once this period's usage has reached the plan's limit."""
        _, plan = await self.plan(team_id)
        limit = plan.limit(metric)
        if limit is None:
            return
        used = await self.used(team_id, metric)
        if used >= limit:
            raise PlanLimitReached(
                f"{metric.replace('_', ' ')}: {used:,} of {limit:,} used this billing period",
                data=LimitData(metric=metric, used=used, limit=limit),
            )

    async def report(self, team_id: uuid.UUID) -> UsageOut:
        name, plan = await self.plan(team_id)
        start, end = period_of(dt.datetime.now(dt.UTC))
        metrics = []
        for metric in METRICS:
            used, limit = await self.used(team_id, metric), plan.limit(metric)
            percent = round(100 * used / limit, 1) if limit else None
            metrics.append(MetricUsage(metric=metric, used=used, limit=limit, percent=percent))
        return UsageOut(plan=name, period_start=start, period_end=end, metrics=metrics)
