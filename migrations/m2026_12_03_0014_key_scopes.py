"""Scoped, expiring API keys (decision 0023): each key carries its scopes (``read``, ``write``,
``admin``, each including the ones before) and an optional expiry; every key made before this
migration gets all three, so it keeps doing what it did. Webhooks record who made them (a member
or a key): they belong to the team and outlive their creator, shown in webhooks.list. The key
lookup returns the scopes and expiry with the rest of the row."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-12-03T00:00:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "API-key scopes and expiry; webhook creators"

SQL = """
ALTER TABLE api_keys
    ADD COLUMN scopes varchar(16)[] NOT NULL DEFAULT ARRAY['read', 'write', 'admin']::varchar[]
        CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'admin']::varchar[]),
    ADD COLUMN expires_at timestamptz;

ALTER TABLE webhook_endpoints
    ADD COLUMN created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN created_by_key uuid REFERENCES api_keys (id) ON DELETE SET NULL;

DROP FUNCTION api_key_lookup(text);
CREATE FUNCTION api_key_lookup(p_prefix text)
RETURNS TABLE (id uuid, team_id uuid, key_hash varchar, ip_allowlist varchar[],
               revoked_at timestamptz, deletion_due_at timestamptz, scopes varchar[],
               expires_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT k.id, k.team_id, k.key_hash, k.ip_allowlist, k.revoked_at, t.deletion_due_at,
           k.scopes, k.expires_at
    FROM api_keys k JOIN teams t ON t.id = k.team_id
    WHERE k.prefix = p_prefix AND k.deleted_at IS NULL;
END $$;
ALTER FUNCTION api_key_lookup(text) OWNER TO subnest_maint;
REVOKE ALL ON FUNCTION api_key_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_lookup(text) TO subnest_app;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
