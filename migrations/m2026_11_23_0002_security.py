"""Roles, grants, change-stamp triggers, refusal of hard deletes, and row-level security.

Roles are cluster-wide: ``subnest_app`` (what the API and worker connect as: no superuser, no
BYPASSRLS, RLS forced) and ``subnest_maint`` (purges and account deletion; may hard-delete).
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-11-23T00:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "roles, grants, change stamps, row-level security"

ALL = [
    "users",
    "sessions",
    "teams",
    "memberships",
    "api_keys",
    "esp_connections",
    "sync_runs",
    "subscribers",
]
TENANT = ["memberships", "api_keys", "esp_connections", "sync_runs", "subscribers"]
SYNCED = ["esp_connections", "sync_runs", "subscribers"]
# Tables the app may hard-delete from (no tombstone needed: not on the change feed).
APP_DELETABLE = ["sessions", "memberships", "api_keys"]

_TEAM = "nullif(current_setting('app.team_id', true), '')::uuid"
_USER = "nullif(current_setting('app.user_id', true), '')::uuid"

ROLES = """
DO $$
BEGIN
    CREATE ROLE subnest_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$
BEGIN
    CREATE ROLE subnest_maint LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
ALTER ROLE subnest_app SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE subnest_maint SET idle_in_transaction_session_timeout = '300s';
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO subnest_app, subnest_maint', current_database());
END $$;
GRANT USAGE ON SCHEMA public TO subnest_app, subnest_maint;
REVOKE ALL ON TABLE migration FROM PUBLIC;
"""

FUNCTIONS = """
CREATE SEQUENCE change_seq AS bigint;
GRANT USAGE ON SEQUENCE change_seq TO subnest_app, subnest_maint;

-- Every insert and update of a synced row gets the writing transaction and a fresh sequence
-- number: the change feed reads (txid, seq) > cursor below the oldest running transaction.
CREATE FUNCTION stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.txid := pg_current_xact_id();
    NEW.seq := nextval('change_seq');
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

-- Synced rows are soft-deleted (deleted_at) so replicas see a tombstone; only the maintenance
-- role may remove them for good.
CREATE FUNCTION refuse_hard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_user <> 'subnest_maint' THEN
        RAISE EXCEPTION 'hard delete on % is refused: set deleted_at instead', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$;
"""


def _table_sql() -> str:
    out: list[str] = []
    for table in ALL:
        out.append(f"GRANT SELECT, INSERT, UPDATE ON {table} TO subnest_app;")
        out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO subnest_maint;")
        if table in APP_DELETABLE:
            out.append(f"GRANT DELETE ON {table} TO subnest_app;")
        if table in SYNCED:
            out.append(
                f"CREATE TRIGGER stamp_change BEFORE INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION stamp_change();"
            )
            out.append(
                f"CREATE TRIGGER refuse_hard_delete BEFORE DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_hard_delete();"
            )
        else:
            out.append(
                f"CREATE TRIGGER touch_updated_at BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION touch_updated_at();"
            )
    for table in [*TENANT, "teams"]:
        key = "id" if table == "teams" else "team_id"
        out.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;")
        out.append(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;")
        out.append(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING ({key} = {_TEAM}) WITH CHECK ({key} = {_TEAM});"
        )
        out.append(
            f"CREATE POLICY maintenance ON {table} TO subnest_maint USING (true) WITH CHECK (true);"
        )
    # Outside a team context a signed-in user still sees their own memberships and teams.
    out.append(
        f"CREATE POLICY own_memberships ON memberships FOR SELECT USING (user_id = {_USER});"
    )
    out.append(
        "CREATE POLICY member_teams ON teams FOR SELECT USING "
        f"(id IN (SELECT team_id FROM memberships WHERE user_id = {_USER}));"
    )
    return "\n".join(out)


SQL = ROLES + FUNCTIONS + _table_sql()


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
