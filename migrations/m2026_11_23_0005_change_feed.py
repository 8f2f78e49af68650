"""The change feed's identity: a database epoch made here, and the tombstone purge horizon."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-11-23T00:00:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "change feed epoch and purge horizon"

SQL = """
-- One row. A cursor names the epoch it was made in: a cursor from another database (or one
-- recreated from scratch) is refused with MUST_REFETCH. purge_horizon_txid: tombstones of
-- transactions before it may be gone, so older cursors must refetch too.
CREATE TABLE change_feed (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch text NOT NULL DEFAULT substr(md5(gen_random_uuid()::text), 1, 12),
    purge_horizon_txid xid8 NOT NULL DEFAULT '0'
);
INSERT INTO change_feed DEFAULT VALUES;
GRANT SELECT ON change_feed TO subnest_app;
GRANT SELECT, UPDATE ON change_feed TO subnest_maint;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
