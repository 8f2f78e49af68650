"""Sync runs say what kind of failure ended them (decision 0032), and how many listed rows were
skipped for a status the connector does not know."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-12-04T00:00:19:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync run error kinds and skipped rows"

SQL = """
ALTER TABLE sync_runs
    ADD COLUMN error_kind text CHECK (error_kind IN ('credentials_rejected', 'provider_error',
        'provider_unavailable', 'connection_deleted', 'internal')),
    ADD COLUMN skipped_count integer NOT NULL DEFAULT 0;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
