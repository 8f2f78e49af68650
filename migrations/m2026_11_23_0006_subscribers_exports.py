"""Subscriber search and keyset pages, manual-subscriber uniqueness, background exports."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-11-23T00:00:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "subscriber search and pages, exports"

_TEAM = "nullif(current_setting('app.team_id', true), '')::uuid"

SQL = f"""
-- Full-text search over email and names, by word prefix. The email is split at '@' and '.' so
-- "ada", "example" and "example.com" all find ada@example.com. (pg_trgm is a contrib module the
-- embedded server does not ship; the 'simple' configuration is built in.)
CREATE FUNCTION subscriber_search_doc(email text, first_name text, last_name text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple'::regconfig,
        translate(lower(email), '@.+_', '    ') || ' ' ||
        lower(coalesce(first_name, '')) || ' ' || lower(coalesce(last_name, '')))
$$;
-- What a search box sends, as the same words, each a prefix, all required (NULL when it has none).
CREATE FUNCTION subscriber_search_query(term text)
RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsquery('simple'::regconfig, string_agg(quote_literal(lexeme) || ':*', ' & '))
    FROM unnest(to_tsvector('simple'::regconfig, translate(lower(term), '@.+_', '    ')))
$$;
CREATE INDEX subscribers_search ON subscribers
    USING gin (subscriber_search_doc(email, first_name, last_name));

-- Keyset pages, newest first: one index seek per page at any depth.
CREATE INDEX subscribers_page ON subscribers (team_id, created_at DESC, id DESC);

-- A manual subscriber (no ESP) is unique per team by address, among live rows; lookups of an
-- address (the duplicate check) use the same expression.
CREATE INDEX subscribers_email ON subscribers (team_id, lower(email));
CREATE UNIQUE INDEX subscribers_manual_email ON subscribers (team_id, lower(email))
    WHERE esp_connection_id IS NULL AND deleted_at IS NULL;

-- A background export: the row is the job's outbox and its progress on the change feed.
CREATE TABLE exports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    format varchar(8) NOT NULL CHECK (format IN ('csv', 'ndjson')),
    gzip boolean NOT NULL DEFAULT false,
    filter jsonb NOT NULL DEFAULT '{{}}',
    status varchar(16) NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'expired')),
    attempts integer NOT NULL DEFAULT 0,
    total_rows integer,
    row_count integer NOT NULL DEFAULT 0,
    bytes bigint,
    file_key text,
    error text,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    queued_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    expires_at timestamptz,
    txid xid8,
    seq bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX exports_change ON exports (team_id, txid, seq);
CREATE INDEX exports_queued ON exports (queued_at) WHERE status IN ('queued', 'running');
CREATE INDEX exports_expiry ON exports (expires_at) WHERE status = 'succeeded';

GRANT SELECT, INSERT, UPDATE ON exports TO subnest_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON exports TO subnest_maint;
CREATE TRIGGER stamp_change BEFORE INSERT OR UPDATE ON exports
    FOR EACH ROW EXECUTE FUNCTION stamp_change();
CREATE TRIGGER refuse_hard_delete BEFORE DELETE ON exports
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_hard_delete();
ALTER TABLE exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE exports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON exports USING (team_id = {_TEAM}) WITH CHECK (team_id = {_TEAM});
CREATE POLICY maintenance ON exports TO subnest_maint USING (true) WITH CHECK (true);
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
