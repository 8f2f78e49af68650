"""The events outbox (what webhooks deliver), usage metering per billing period, plans, and
account deletion with a grace period."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration, tenant_table

ID = "2026-11-23T00:00:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "events, usage, plans, account deletion"

SQL = f"""
-- What happened to a team, written in the transaction that made it happen: the outbox that
-- webhook deliveries are made from (so an event is never lost, nor sent for a rolled-back write).
CREATE TABLE events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    type varchar(64) NOT NULL,
    data jsonb NOT NULL DEFAULT '{{}}',
    created_at timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz
);
CREATE INDEX events_undispatched ON events (created_at) WHERE dispatched_at IS NULL;
CREATE INDEX events_team ON events (team_id, created_at);
{tenant_table("events")}

-- A team's plan (its limits live in code: app/usage/plans.py) and its deletion schedule.
ALTER TABLE teams
    ADD COLUMN plan varchar(32) NOT NULL DEFAULT 'free',
    ADD COLUMN deletion_due_at timestamptz;
CREATE INDEX teams_deletion_due ON teams (deletion_due_at) WHERE deletion_due_at IS NOT NULL;

-- One row per team, billing period and metric; incremented by one statement each time.
CREATE TABLE usage_counters (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    period_start date NOT NULL,
    metric varchar(32) NOT NULL CHECK (metric IN ('synced_subscribers', 'api_requests')),
    used bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, period_start, metric)
);
{tenant_table("usage_counters")}
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
