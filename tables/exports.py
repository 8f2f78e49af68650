"""Background exports of a team's subscribers: one row per requested file."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tables.base import ChangeStamped, Timestamped
from tables.identity import User
from tables.teams import Team

__all__ = ["Export"]


class Export(ChangeStamped, Timestamped, Table, tablename="exports"):
    """The outbox of an export job and, on the change feed, its progress."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    format = Varchar(length=8)
    gzip = Boolean(default=False)
    filter = JSONB(default="{}")
    # Generated from filter's connectionId (migration 0018): the change feed's key.
    connection_id = UUID(null=True, default=None)
    status = Varchar(length=16, default="queued")
    attempts = Integer(default=0)
    total_rows = Integer(null=True, default=None)
    row_count = Integer(default=0)
    bytes = BigInt(null=True, default=None)
    file_key = Text(null=True, default=None)
    error = Text(null=True, default=None)
    created_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.set_null)
    queued_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
