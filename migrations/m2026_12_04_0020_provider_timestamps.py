"""Subscribers keep their provider's created and updated times (decision 0033), where the
provider reports them."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-12-04T00:00:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "provider timestamps on subscribers"

SQL = """
ALTER TABLE subscribers
    ADD COLUMN provider_created_at timestamptz,
    ADD COLUMN provider_updated_at timestamptz;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
