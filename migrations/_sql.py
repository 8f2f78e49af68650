"""Raw SQL steps for Piccolo migrations, run on the migration's own transaction."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

__all__ = ["APP_NAME", "sql_migration", "tenant_policies", "tenant_table"]

APP_NAME = "subnest"


def sql_migration(migration_id: str, description: str, sql: str) -> MigrationManager:
    """A migration made of one raw SQL script (several statements), run in its transaction."""
    manager = MigrationManager(
        migration_id=migration_id, app_name=APP_NAME, description=description
    )

    async def step() -> None:
        engine = engine_finder()
        assert isinstance(engine, PostgresEngine)
        transaction = engine.current_transaction.get()
        assert isinstance(transaction, PostgresTransaction), "migrations run in a transaction"
        await transaction.connection.execute(sql)

    manager.add_raw(step)
    return manager


_TEAM = "nullif(current_setting('app.team_id', true), '')::uuid"


def tenant_table(table: str) -> str:
    """Grants and row-level security of a tenant table: the app sees its team's rows only
    (select, insert, update); the maintenance role sees and deletes every team's."""
    return f"""
GRANT SELECT, INSERT, UPDATE ON {table} TO subnest_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO subnest_maint;
{tenant_policies(table)}"""


def tenant_policies(table: str) -> str:
    """Row-level security, enabled and forced, of a table with ``team_id``: every role sees
    the current team's rows (none with no team set, and never a row of no team); the
    maintenance role sees and writes all."""
    return f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {table}
    USING (team_id = {_TEAM}) WITH CHECK (team_id = {_TEAM});
CREATE POLICY maintenance ON {table} TO subnest_maint USING (true) WITH CHECK (true);
"""
