"""Account deletion: an API key of a team scheduled for deletion is told so at lookup, and the
maintenance role's erasure may cascade through the synced tables."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-11-23T00:00:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "team deletion in the API key lookup"

SQL = """
-- Cascaded deletes run as the table owner, not as the session's role: let the maintenance
-- role's session through as well, whoever the current user of the cascade is.
CREATE OR REPLACE FUNCTION refuse_hard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_user <> 'subnest_maint' AND session_user <> 'subnest_maint' THEN
        RAISE EXCEPTION 'hard delete on % is refused: set deleted_at instead', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$;

DROP FUNCTION api_key_lookup(text);
CREATE FUNCTION api_key_lookup(p_prefix text)
RETURNS TABLE (id uuid, team_id uuid, key_hash varchar, ip_allowlist varchar[],
               revoked_at timestamptz, deletion_due_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT k.id, k.team_id, k.key_hash, k.ip_allowlist, k.revoked_at, t.deletion_due_at
    FROM api_keys k JOIN teams t ON t.id = k.team_id
    WHERE k.prefix = p_prefix AND k.deleted_at IS NULL
$$;
ALTER FUNCTION api_key_lookup(text) OWNER TO subnest_maint;
REVOKE ALL ON FUNCTION api_key_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_lookup(text) TO subnest_app;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
