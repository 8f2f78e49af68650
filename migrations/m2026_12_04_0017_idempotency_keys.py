"""Idempotency keys of team writes (rpc.idempotency, decision 0029): one row per team and key,
claimed in the unit of work of the write it names and holding that write's answer, purged by
the worker once past its retention (app/idempotency)."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration, tenant_policies

ID = "2026-12-04T00:00:17:000000"
VERSION = "1.38.0"
DESCRIPTION = "idempotency keys of team writes"

SQL = f"""
CREATE TABLE idempotency_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    key varchar(255) NOT NULL,
    -- Who made the call ('user:<id>' or 'key:<api key id>'): only they get its answer again.
    caller varchar(64) NOT NULL,
    procedure varchar(100) NOT NULL,
    -- SHA-256 of the call's decoded input: enough to tell another request, never the input.
    fingerprint bytea NOT NULL,
    -- The answer, written in the same transaction as the claim: a committed row has one.
    status integer,
    answer bytea,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Keys are per team: a concurrent twin waits on this index until the first call ends.
CREATE UNIQUE INDEX idempotency_keys_team_key ON idempotency_keys (team_id, key);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
-- The app claims, answers and re-claims an expired key (an update); only the purge deletes.
GRANT SELECT, INSERT, UPDATE ON idempotency_keys TO subnest_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO subnest_maint;
{tenant_policies("idempotency_keys")}"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
