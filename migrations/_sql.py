"""Raw SQL steps for Piccolo migrations, run on the migration's own transaction."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

__all__ = ["APP_NAME", "sql_migration"]

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
