"""A merge that cannot mass-delete by mistake (decision 0034): a run says why it withheld its
deletions (a listing short of the provider's total, an empty one, or more than
SYNC_MAX_DELETE_SHARE of the connection's rows), waits in ``needs_review`` for
``syncRuns.approve``, whose run may delete up to what was shown; a deleted connection's
subscribers are found again by their shared ``deleted_at`` for ``espConnections.restore``."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-12-04T00:00:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "merge guards: withheld deletions, review and approval, connection restore"

SQL = """
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'needs_review'));
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_trigger_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_trigger_check
    CHECK (trigger IN ('manual', 'cron', 'approval'));
ALTER TABLE sync_runs
    ADD COLUMN deletions_withheld text
        CHECK (deletions_withheld IN ('short_listing', 'empty_listing', 'mass_deletion')),
    -- Rows missing from the listing that the run left as they were.
    ADD COLUMN withheld_count integer NOT NULL DEFAULT 0,
    -- The connection's live rows before the merge, and the total the provider reported.
    ADD COLUMN live_before integer,
    ADD COLUMN provider_total integer,
    -- On a run queued by syncRuns.approve: how many rows it may delete whatever their share.
    ADD COLUMN delete_allowance integer,
    -- On a reviewed run: the run its approval queued (one approval per review).
    ADD COLUMN approval_run_id uuid REFERENCES sync_runs (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX sync_runs_approval_run ON sync_runs (approval_run_id)
    WHERE approval_run_id IS NOT NULL;
-- The purge of connections past CONNECTION_RESTORE_HOURS finds them without a scan.
CREATE INDEX esp_connections_deleted ON esp_connections (deleted_at)
    WHERE deleted_at IS NOT NULL;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
