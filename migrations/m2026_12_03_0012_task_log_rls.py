"""Row-level security on the task log, the one tenant table without it: a team's job attempts
are its own through the app role (which may still only select and insert: a log is written
once); system jobs' attempts (no team) and every team's are the maintenance role's."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration, tenant_policies

ID = "2026-12-03T00:00:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "row-level security on task_logs"

# The grants stay as they were (app: select, insert; maintenance: everything).
SQL = tenant_policies("task_logs")


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
