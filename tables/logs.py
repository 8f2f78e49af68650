"""The request log of API-key calls (written in batches, purged after a retention window)."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, Real, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.teams import ApiKey, Team

__all__ = ["RequestLog"]


class RequestLog(Table, tablename="request_logs"):
    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    api_key_id = ForeignKey(
        references=ApiKey, null=True, default=None, on_delete=OnDelete.set_null
    )
    procedure = Varchar(length=100)
    status = Integer()
    duration_ms = Real()
    created_at = Timestamptz(default=TimestamptzNow())
