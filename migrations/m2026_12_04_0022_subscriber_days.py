"""A daily rollup of subscribers by status (decision 0035): what ``subscribers.history`` reads,
so a chart of months never scans the subscribers themselves."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration, tenant_table

ID = "2026-12-04T00:00:22:000000"
VERSION = "1.38.0"
DESCRIPTION = "daily rollup of subscribers by status"

SQL = f"""
-- One row per team, day (UTC), connection (NULL: subscribers made by hand) and status: how many
-- live subscribers it had at the day's end; today's, as last counted (app/subscribers/days.py).
CREATE TABLE subscriber_days (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    day date NOT NULL,
    esp_connection_id uuid REFERENCES esp_connections (id) ON DELETE CASCADE,
    status varchar(16) NOT NULL
        CHECK (status IN ('subscribed', 'unsubscribed', 'pending', 'bounced', 'cleaned')),
    total integer NOT NULL CHECK (total >= 0),
    counted_at timestamptz NOT NULL DEFAULT now()
);
-- A team's days in order (what the history reads), and the key the counts are upserted on.
CREATE UNIQUE INDEX subscriber_days_key ON subscriber_days
    (team_id, day, esp_connection_id, status) NULLS NOT DISTINCT;
CREATE INDEX subscriber_days_esp_connection_id ON subscriber_days (esp_connection_id);
{tenant_table("subscriber_days")}
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
