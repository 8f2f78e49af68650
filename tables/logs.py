"""Logs: API-key requests (batched, purged after a retention window) and job attempts."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, Real, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.teams import ApiKey, Team

__all__ = ["RequestLog", "TaskLog"]


class RequestLog(Table, tablename="request_logs"):
    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    api_key_id = ForeignKey(references=ApiKey, null=True, default=None, on_delete=OnDelete.set_null)
    procedure = Varchar(length=100)
    status = Integer()
    duration_ms = Real()
    created_at = Timestamptz(default=TimestamptzNow())


class TaskLog(Table, tablename="task_logs"):
    """One attempt of one job."""

    id = UUID(primary_key=True)
    job = Varchar(length=100)
    job_key = Varchar(length=200)
    team_id = UUID(null=True, default=None)
    attempt = Integer()
    status = Varchar(length=16)
    error = Text(null=True, default=None)
    duration_ms = Real()
    created_at = Timestamptz(default=TimestamptzNow())
