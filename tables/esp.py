"""ESP connections, their sync runs and the subscribers they bring: the synced tables."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.base import ChangeStamped, Timestamped
from tables.teams import Team

__all__ = ["EspConnection", "Subscriber", "SyncRun"]


class EspConnection(ChangeStamped, Timestamped, Table, tablename="esp_connections"):
    """A team's account at a provider. Credentials are AES-256-GCM ciphertext with their key id."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    provider = Varchar(length=32)
    name = Varchar(length=200)
    list_id = Varchar(length=200, null=True, default=None)
    credentials_ciphertext = Bytea(null=True, default=None)
    credentials_key_id = Varchar(length=64, null=True, default=None)
    status = Varchar(length=16, default="active")
    status_reason = Text(null=True, default=None)
    last_synced_at = Timestamptz(null=True, default=None)


class SyncRun(ChangeStamped, Timestamped, Table, tablename="sync_runs"):
    """One sync of one connection; a ``queued`` row is the outbox of the request that made it."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    esp_connection_id = ForeignKey(
        references=EspConnection, null=False, on_delete=OnDelete.cascade, index=True
    )
    status = Varchar(length=16, default="queued")
    trigger = Varchar(length=16, default="manual")
    attempts = Integer(default=0)
    pages = Integer(default=0)
    rows_seen = Integer(default=0)
    created_count = Integer(default=0)
    updated_count = Integer(default=0)
    deleted_count = Integer(default=0)
    unchanged_count = Integer(default=0)
    conflict_count = Integer(default=0)
    skipped_count = Integer(default=0)  # listed rows in a status the connector does not know
    error = Text(null=True, default=None)
    error_kind = Text(null=True, default=None)  # RunErrorKind (app/sync/schemas.py)
    # Decision 0034: why the run deleted none of the rows its listing left out, how many, of how
    # many live rows, the provider's total; an approval run's allowance; a reviewed run's
    # approval run (a foreign key to sync_runs in migration 0021).
    deletions_withheld = Text(null=True, default=None)  # WithheldReason (app/sync/schemas.py)
    withheld_count = Integer(default=0)
    live_before = Integer(null=True, default=None)
    provider_total = Integer(null=True, default=None)
    delete_allowance = Integer(null=True, default=None)
    approval_run_id = UUID(null=True, default=None)
    queued_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    cron_tick = Timestamptz(null=True, default=None)
    fetch_ms = Integer(null=True, default=None)
    merge_ms = Integer(null=True, default=None)
    heartbeat_at = Timestamptz(null=True, default=None)


class Subscriber(ChangeStamped, Timestamped, Table, tablename="subscribers"):
    """A subscriber: from a connection (unique per ``external_id``) or created by hand (no ESP)."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    esp_connection_id = ForeignKey(
        references=EspConnection, null=True, default=None, on_delete=OnDelete.cascade
    )
    external_id = Varchar(length=200, null=True, default=None)
    email = Varchar(length=320)
    first_name = Varchar(length=200, null=True, default=None)
    last_name = Varchar(length=200, null=True, default=None)
    status = Varchar(length=16, default="subscribed")
    custom_fields = JSONB(default="{}")
    content_hash = Varchar(length=64, null=True, default=None)
    local_fields = JSONB(default="{}")
    # The provider's own times, where it reports them (migration 0020).
    provider_created_at = Timestamptz(null=True, default=None)
    provider_updated_at = Timestamptz(null=True, default=None)


class SubscriberDay(Table, tablename="subscriber_days"):
    """A day's count of a team's live subscribers of one connection (NULL: made by hand) and
    status; unique per the four. Written by app/subscribers/days.py, read by the history."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade)
    day = Date()
    esp_connection_id = ForeignKey(
        references=EspConnection, null=True, default=None, on_delete=OnDelete.cascade, index=True
    )
    status = Varchar(length=16)
    total = Integer()
    counted_at = Timestamptz(default=TimestamptzNow())
