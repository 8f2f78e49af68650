"""A mark on each transaction that writes a table of the feed (decision 0039): the unit of work
reads it before it commits, and pokes the team's feed when it is set, so no procedure, service
or job has to remember to."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-12-04T00:00:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "mark the transactions that write the feed's tables"

FEED_TABLES = ("subscribers", "esp_connections", "sync_runs", "exports")

# A statement-level trigger: one call per statement, whatever number of rows it writes (a
# sync's merge is a few statements over many rows). It marks the transaction, until it ends.
SQL = """
CREATE FUNCTION mark_feed_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('subnest.feed_written', 'on', true);
    RETURN NULL;
END
$$;
""" + "".join(
    f"CREATE TRIGGER {table}_feed_written AFTER INSERT OR UPDATE OR DELETE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION mark_feed_written();\n"
    for table in FEED_TABLES
)


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
