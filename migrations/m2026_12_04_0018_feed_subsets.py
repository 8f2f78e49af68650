"""Subsets of the change feed (decision 0027): an index per connection-keyed range, and the
connection of a row fixed for its life (a row that moved would leave a subset unseen)."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-12-04T00:00:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "change feed subsets by connection"

SQL = """
-- A subset of one connection reads (txid, seq) > cursor within (team, connection): one range.
CREATE INDEX subscribers_connection_change ON subscribers (team_id, esp_connection_id, txid, seq);
CREATE INDEX sync_runs_connection_change ON sync_runs (team_id, esp_connection_id, txid, seq);
CREATE INDEX esp_connections_connection_change ON esp_connections (team_id, id, txid, seq);
-- An export belongs to the connection its filter names (none: to no connection). A column of
-- its own: under row-level security, only leakproof operators (not ->>, not a cast) may be
-- index conditions ahead of the policy's.
ALTER TABLE exports
    ADD COLUMN connection_id uuid GENERATED ALWAYS AS ((filter->>'connectionId')::uuid) STORED;
CREATE INDEX exports_connection_change ON exports (team_id, connection_id, txid, seq);

-- The feed's keys never change: a subscriber, a sync run or an export keeps its connection.
CREATE FUNCTION refuse_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.% is fixed once written (a change-feed key)', TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER connection_fixed BEFORE UPDATE OF esp_connection_id ON subscribers FOR EACH ROW
    WHEN (OLD.esp_connection_id IS DISTINCT FROM NEW.esp_connection_id)
    EXECUTE FUNCTION refuse_key_change('esp_connection_id');
CREATE TRIGGER connection_fixed BEFORE UPDATE OF esp_connection_id ON sync_runs FOR EACH ROW
    WHEN (OLD.esp_connection_id IS DISTINCT FROM NEW.esp_connection_id)
    EXECUTE FUNCTION refuse_key_change('esp_connection_id');
CREATE TRIGGER connection_fixed BEFORE UPDATE OF filter ON exports FOR EACH ROW
    WHEN (OLD.filter->>'connectionId' IS DISTINCT FROM NEW.filter->>'connectionId')
    EXECUTE FUNCTION refuse_key_change('filter');
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
