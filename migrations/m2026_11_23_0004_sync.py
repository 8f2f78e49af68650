"""Sync bookkeeping: local-only subscriber fields, run timings and cron ticks, the task log."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-11-23T00:00:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync bookkeeping, task log"

SQL = """
-- Fields a team keeps on a subscriber that no provider knows; a sync never touches them.
ALTER TABLE subscribers ADD COLUMN local_fields jsonb NOT NULL DEFAULT '{}';

ALTER TABLE sync_runs
    ADD COLUMN cron_tick timestamptz,
    ADD COLUMN fetch_ms integer,
    ADD COLUMN merge_ms integer,
    -- Touched by the running sync after each page: a stale one whose connection lock is free
    -- belongs to a worker that died, and the run is taken over.
    ADD COLUMN heartbeat_at timestamptz;
-- One run per connection per scheduler tick, however many workers or schedulers fire it.
CREATE UNIQUE INDEX sync_runs_cron_tick ON sync_runs (esp_connection_id, cron_tick)
    WHERE cron_tick IS NOT NULL;

-- Every attempt of every job: what ran, how it ended, how long it took.
CREATE TABLE task_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    job varchar(100) NOT NULL,
    job_key varchar(200) NOT NULL,
    team_id uuid,
    attempt integer NOT NULL,
    status varchar(16) NOT NULL CHECK (status IN ('succeeded', 'failed', 'retrying')),
    error text,
    duration_ms real NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_logs_job_key ON task_logs (job_key, created_at);
CREATE INDEX task_logs_created ON task_logs (created_at);
GRANT SELECT, INSERT ON task_logs TO subnest_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON task_logs TO subnest_maint;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
