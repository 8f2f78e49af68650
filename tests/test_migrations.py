"""Migrations build the whole schema from an empty database, once, and match the tables."""

from __future__ import annotations

import asyncio

from app.db import applied_migrations, known_migrations, migrate
from tables import ALL_TABLES
from tests.support import fetch

# Piccolo column class -> PostgreSQL data_type as information_schema reports it
_PG_TYPES = {
    "UUID": "uuid",
    "Varchar": "character varying",
    "Text": "text",
    "Timestamptz": "timestamp with time zone",
    "Integer": "integer",
    "BigInt": "bigint",
    "JSONB": "jsonb",
    "Bytea": "bytea",
    "Array": "ARRAY",
    "Xid8": "xid8",
    "Real": "real",
    "Boolean": "boolean",
    "Date": "date",
}


async def test_migrate_from_empty_then_idempotent(empty_database_url: str) -> None:
    assert await applied_migrations(empty_database_url) == []
    applied = await migrate(empty_database_url)
    assert applied == known_migrations()
    assert len(applied) >= 2
    assert await applied_migrations(empty_database_url) == known_migrations()
    assert await migrate(empty_database_url) == []


async def test_concurrent_migrators_apply_each_migration_once(empty_database_url: str) -> None:
    results = await asyncio.gather(*(migrate(empty_database_url) for _ in range(3)))
    assert sorted(len(r) for r in results) == [0, 0, len(known_migrations())]
    rows = await fetch(empty_database_url, "SELECT name FROM migration")
    assert sorted(r["name"] for r in rows) == known_migrations()


async def test_tables_match_the_piccolo_classes(database_url: str) -> None:
    rows = await fetch(
        database_url,
        "SELECT table_name, column_name, data_type, is_nullable FROM "
        "information_schema.columns WHERE table_schema = 'public'",
    )
    in_db = {(r["table_name"], r["column_name"]): (r["data_type"], r["is_nullable"]) for r in rows}
    for table in ALL_TABLES:
        declared = set()
        for column in table._meta.columns:
            key = (table._meta.tablename, column._meta.db_column_name)
            declared.add(key)
            kind = "UUID" if type(column).__name__ == "ForeignKey" else type(column).__name__
            assert key in in_db, f"{key} is declared but not created"
            data_type, nullable = in_db[key]
            assert data_type == _PG_TYPES[kind], f"{key}: {data_type} vs {kind}"
            assert (nullable == "YES") == column._meta.null, f"{key}: nullability differs"
        created = {k for k in in_db if k[0] == table._meta.tablename}
        assert created == declared, f"{table._meta.tablename}: columns differ"
