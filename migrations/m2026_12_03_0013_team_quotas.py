"""Indexes for the per-team quotas (app/quotas.py): a team's syncs and exports queued or
running, and its stored export files, counted without a scan of the team's history."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-12-03T00:00:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "per-team quota indexes"

SQL = """
CREATE INDEX sync_runs_team_active ON sync_runs (team_id) WHERE status IN ('queued', 'running');
CREATE INDEX exports_team_active ON exports (team_id) WHERE status IN ('queued', 'running');
CREATE INDEX exports_team_stored ON exports (team_id) WHERE status = 'succeeded';
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
