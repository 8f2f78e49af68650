"""The API-key lookup in PL/pgSQL: a SQL-language SECURITY DEFINER function is never inlined, and
PostgreSQL 16 parses and plans its body on every call (~200 µs of the ~300 µs it cost per
API-key call); PL/pgSQL keeps the plan for the session. Same signature, owner and grants."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-12-01T00:00:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "API-key lookup with a cached plan"

SQL = """
CREATE OR REPLACE FUNCTION api_key_lookup(p_prefix text)
RETURNS TABLE (id uuid, team_id uuid, key_hash varchar, ip_allowlist varchar[],
               revoked_at timestamptz, deletion_due_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT k.id, k.team_id, k.key_hash, k.ip_allowlist, k.revoked_at, t.deletion_due_at
    FROM api_keys k JOIN teams t ON t.id = k.team_id
    WHERE k.prefix = p_prefix AND k.deleted_at IS NULL;
END $$;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
