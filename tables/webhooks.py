"""Outgoing webhooks: endpoints, deliveries and their attempts."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    Bytea,
    ForeignKey,
    Integer,
    Real,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.base import Timestamped
from tables.events import Event
from tables.identity import User
from tables.teams import ApiKey, Team

__all__ = ["WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]


class WebhookEndpoint(Timestamped, Table, tablename="webhook_endpoints"):
    """A team's URL for events; its signing secret sealed as ESP credentials are."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    url = Text()
    events = Array(base_column=Text())
    secret_ciphertext = Bytea()
    secret_key_id = Varchar(length=64)
    status = Varchar(length=16, default="active")
    consecutive_failures = Integer(default=0)
    disabled_reason = Text(null=True, default=None)
    # Who made it (a member, or an API key): it belongs to the team all the same (decision 0023).
    created_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.set_null)
    created_by_key = ForeignKey(
        references=ApiKey, null=True, default=None, on_delete=OnDelete.set_null
    )


class WebhookDelivery(Table, tablename="webhook_deliveries"):
    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    endpoint_id = ForeignKey(references=WebhookEndpoint, null=False, on_delete=OnDelete.cascade)
    event_id = ForeignKey(references=Event, null=True, default=None, on_delete=OnDelete.cascade)
    event_type = Varchar(length=64)
    payload = JSONB()
    status = Varchar(length=16, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class WebhookAttempt(Table, tablename="webhook_attempts"):
    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    delivery_id = ForeignKey(references=WebhookDelivery, null=False, on_delete=OnDelete.cascade)
    attempt = Integer()
    response_status = Integer(null=True, default=None)
    error = Text(null=True, default=None)
    duration_ms = Real()
    created_at = Timestamptz(default=TimestamptzNow())
