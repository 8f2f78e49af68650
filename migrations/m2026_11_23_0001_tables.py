"""Create every table, with its keys, uniqueness rules and indexes."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration

ID = "2026-11-23T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "tables"

_SHARED = """
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
"""
_STAMP = """
    txid xid8,
    seq bigint,
"""

SQL = f"""
CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email varchar(320) NOT NULL UNIQUE,
    name varchar(200) NOT NULL DEFAULT '',
    password_hash varchar(255) NOT NULL DEFAULT '',
    {_SHARED}
);

CREATE TABLE sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash varchar(64) NOT NULL UNIQUE,
    signed_in_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL DEFAULT now(),
    ip varchar(64),
    user_agent varchar(400),
    {_SHARED}
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE teams (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name varchar(200) NOT NULL DEFAULT '',
    {_SHARED}
);

CREATE TABLE memberships (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role varchar(16) NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    {_SHARED},
    UNIQUE (team_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships (user_id);

CREATE TABLE api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name varchar(200) NOT NULL DEFAULT '',
    prefix varchar(32) NOT NULL UNIQUE,
    key_hash varchar(255) NOT NULL DEFAULT '',
    ip_allowlist varchar(64)[],
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    last_used_at timestamptz,
    revoked_at timestamptz,
    {_SHARED}
);
CREATE INDEX api_keys_team_id ON api_keys (team_id);

CREATE TABLE esp_connections (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    provider varchar(32) NOT NULL
        CHECK (provider IN ('mailchimp', 'kit', 'beehiiv', 'mailerlite', 'brevo')),
    name varchar(200) NOT NULL DEFAULT '',
    list_id varchar(200),
    credentials_ciphertext bytea,
    credentials_key_id varchar(64),
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'error')),
    status_reason text,
    last_synced_at timestamptz,
    {_STAMP}
    {_SHARED}
);

CREATE TABLE sync_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    esp_connection_id uuid NOT NULL REFERENCES esp_connections (id) ON DELETE CASCADE,
    status varchar(16) NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    trigger varchar(16) NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'cron')),
    attempts integer NOT NULL DEFAULT 0,
    pages integer NOT NULL DEFAULT 0,
    rows_seen integer NOT NULL DEFAULT 0,
    created_count integer NOT NULL DEFAULT 0,
    updated_count integer NOT NULL DEFAULT 0,
    deleted_count integer NOT NULL DEFAULT 0,
    unchanged_count integer NOT NULL DEFAULT 0,
    conflict_count integer NOT NULL DEFAULT 0,
    error text,
    queued_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    {_STAMP}
    {_SHARED}
);
CREATE INDEX sync_runs_esp_connection_id ON sync_runs (esp_connection_id);
CREATE INDEX sync_runs_queued ON sync_runs (queued_at) WHERE status = 'queued';

CREATE TABLE subscribers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    esp_connection_id uuid REFERENCES esp_connections (id) ON DELETE CASCADE,
    external_id varchar(200),
    email varchar(320) NOT NULL,
    first_name varchar(200),
    last_name varchar(200),
    status varchar(16) NOT NULL DEFAULT 'subscribed'
        CHECK (status IN ('subscribed', 'unsubscribed', 'pending', 'bounced', 'cleaned')),
    custom_fields jsonb NOT NULL DEFAULT '{{}}',
    content_hash varchar(64),
    {_STAMP}
    {_SHARED},
    UNIQUE (esp_connection_id, external_id)
);

-- The change feed reads (txid, seq) > cursor per team: one index probe when nothing is new.
CREATE INDEX esp_connections_change ON esp_connections (team_id, txid, seq);
CREATE INDEX sync_runs_change ON sync_runs (team_id, txid, seq);
CREATE INDEX subscribers_change ON subscribers (team_id, txid, seq);
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
