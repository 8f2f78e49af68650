"""Piccolo tables of SubscriberNest, one module per aggregate."""

from __future__ import annotations

from piccolo.table import Table

from tables.esp import EspConnection, Subscriber, SyncRun
from tables.identity import Session, User
from tables.logs import RequestLog, TaskLog
from tables.teams import ApiKey, Membership, Team

__all__ = [
    "ALL_TABLES",
    "SYNCED_TABLES",
    "TENANT_TABLES",
    "ApiKey",
    "EspConnection",
    "Membership",
    "RequestLog",
    "Session",
    "Subscriber",
    "SyncRun",
    "TaskLog",
    "Team",
    "User",
]

ALL_TABLES: tuple[type[Table], ...] = (
    User,
    Session,
    Team,
    Membership,
    ApiKey,
    EspConnection,
    SyncRun,
    Subscriber,
    RequestLog,
    TaskLog,
)
# Tables with a team_id column, under row-level security.
TENANT_TABLES: tuple[type[Table], ...] = (
    Membership,
    ApiKey,
    EspConnection,
    SyncRun,
    Subscriber,
    RequestLog,
)
# Tables on the change feed: change stamps, tombstones only (no hard delete by the app).
SYNCED_TABLES: tuple[type[Table], ...] = (EspConnection, SyncRun, Subscriber)
