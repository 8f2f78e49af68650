"""Piccolo tables of SubscriberNest, one module per aggregate."""

from __future__ import annotations

from piccolo.table import Table

from tables.esp import EspConnection, Subscriber, SubscriberDay, SyncRun
from tables.events import Event, UsageCounter
from tables.exports import Export
from tables.idempotency import IdempotencyKey
from tables.identity import EmailToken, Mail, Session, User
from tables.logs import RequestLog, TaskLog
from tables.teams import ApiKey, Invitation, Membership, Team
from tables.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ALL_TABLES",
    "SYNCED_TABLES",
    "TENANT_TABLES",
    "ApiKey",
    "EmailToken",
    "EspConnection",
    "Event",
    "Export",
    "IdempotencyKey",
    "Invitation",
    "Mail",
    "Membership",
    "RequestLog",
    "Session",
    "Subscriber",
    "SubscriberDay",
    "SyncRun",
    "TaskLog",
    "Team",
    "UsageCounter",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
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
    SubscriberDay,
    Export,
    Event,
    UsageCounter,
    WebhookEndpoint,
    WebhookDelivery,
    WebhookAttempt,
    RequestLog,
    TaskLog,
    EmailToken,
    Invitation,
    Mail,
    IdempotencyKey,
)
# Tables with a team_id column, under row-level security.
TENANT_TABLES: tuple[type[Table], ...] = (
    Membership,
    ApiKey,
    EspConnection,
    SyncRun,
    Subscriber,
    SubscriberDay,
    Export,
    Event,
    UsageCounter,
    WebhookEndpoint,
    WebhookDelivery,
    WebhookAttempt,
    RequestLog,
    TaskLog,
    Invitation,
    IdempotencyKey,
)
# Tables on the change feed: change stamps, tombstones only (no hard delete by the app).
SYNCED_TABLES: tuple[type[Table], ...] = (EspConnection, SyncRun, Subscriber, Export)
