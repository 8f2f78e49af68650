"""Indexed search for the app role: row-level security keeps the planner from using the
full-text index for a condition whose operator (``@@``) is not leakproof, so the search runs
in a function of the maintenance role that applies the tenant rule itself."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-12-01T00:00:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "subscriber search through the full-text index under RLS"

SQL = """
-- The ids of the current team's subscribers (app.team_id, as the RLS policy reads it) whose
-- email or names match the search words: an index scan of subscribers_search, not a walk past
-- every row of the team. Deleted ones too; the caller applies its other conditions.
CREATE FUNCTION subscriber_search_ids(p_term text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
    SELECT id FROM subscribers
    WHERE team_id = nullif(current_setting('app.team_id', true), '')::uuid
      AND subscriber_search_doc(email, first_name, last_name) @@ subscriber_search_query(p_term)
$$;
ALTER FUNCTION subscriber_search_ids(text) OWNER TO subnest_maint;
REVOKE ALL ON FUNCTION subscriber_search_ids(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION subscriber_search_ids(text) TO subnest_app;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
