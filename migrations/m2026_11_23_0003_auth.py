"""API-key lookup across teams, and the request log of API-key calls."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-11-23T00:00:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "api key lookup, request log"

SQL = """
-- A key arrives before its team is known; RLS hides api_keys outside a team, so the lookup runs
-- as the maintenance role (whose policy sees every team) and returns only what auth needs.
CREATE FUNCTION api_key_lookup(p_prefix text)
RETURNS TABLE (id uuid, team_id uuid, key_hash varchar, ip_allowlist varchar[], revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id, team_id, key_hash, ip_allowlist, revoked_at
    FROM api_keys WHERE prefix = p_prefix AND deleted_at IS NULL
$$;
ALTER FUNCTION api_key_lookup(text) OWNER TO subnest_maint;
REVOKE ALL ON FUNCTION api_key_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_lookup(text) TO subnest_app;

CREATE TABLE request_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    api_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    procedure varchar(100) NOT NULL,
    status integer NOT NULL,
    duration_ms real NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_logs_team_created ON request_logs (team_id, created_at);
CREATE INDEX request_logs_created ON request_logs (created_at);
GRANT SELECT, INSERT ON request_logs TO subnest_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON request_logs TO subnest_maint;
ALTER TABLE request_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE request_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON request_logs
    USING (team_id = nullif(current_setting('app.team_id', true), '')::uuid)
    WITH CHECK (team_id = nullif(current_setting('app.team_id', true), '')::uuid);
CREATE POLICY maintenance ON request_logs TO subnest_maint USING (true) WITH CHECK (true);
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
