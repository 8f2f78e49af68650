"""Idempotency keys of team writes: the key, what call claimed it and what it answered."""

from __future__ import annotations

from piccolo.columns import UUID, Bytea, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.teams import Team

__all__ = ["IdempotencyKey"]


class IdempotencyKey(Table, tablename="idempotency_keys"):
    """Unique per ``(team_id, key)``; kept for a day (app/idempotency), then purged."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    key = Varchar(length=255)
    caller = Varchar(length=64)
    procedure = Varchar(length=100)
    fingerprint = Bytea()
    status = Integer(null=True, default=None)
    answer = Bytea(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
