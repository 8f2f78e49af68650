"""The events outbox and usage counters."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, BigInt, Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.teams import Team

__all__ = ["Event", "UsageCounter"]


class Event(Table, tablename="events"):
    """Something that happened to a team; ``dispatched_at`` once webhook deliveries exist."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    type = Varchar(length=64)
    data = JSONB(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())
    dispatched_at = Timestamptz(null=True, default=None)


class UsageCounter(Table, tablename="usage_counters"):
    """How much of a metric a team used in one billing period (unique per the three)."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    period_start = Date()
    metric = Varchar(length=32)
    used = BigInt(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
