"""Verified emails, invitations, password resets and the mail outbox (decision 0025)."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from migrations._sql import sql_migration, tenant_policies

ID = "2026-12-03T00:00:16:000000"
VERSION = "1.38.0"
DESCRIPTION = "email verification, invitations, password reset, mail outbox"

_SHARED = """
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz"""

SQL = f"""
-- Existing accounts stay unverified (NULL) and keep working; only what needs a verified
-- address (accepting an invitation, alert mails) asks for it.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- Single-use, expiring tokens mailed to a user: stored as their SHA-256 only.
CREATE TABLE email_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose varchar(16) NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    email varchar(320) NOT NULL,
    token_hash varchar(64) NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    {_SHARED}
);
CREATE INDEX email_tokens_user_id ON email_tokens (user_id);
CREATE INDEX email_tokens_expires_at ON email_tokens (expires_at);
GRANT SELECT, INSERT, UPDATE ON email_tokens TO subnest_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON email_tokens TO subnest_maint;
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON email_tokens
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- An invitation to a team, mailed to an address; it grants nothing until accepted by a
-- verified account of that address.
CREATE TABLE invitations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    email varchar(320) NOT NULL,
    role varchar(16) NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    token_hash varchar(64) NOT NULL UNIQUE,
    invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at timestamptz,
    {_SHARED}
);
CREATE INDEX invitations_team_id ON invitations (team_id);
-- One open invitation per address and team: inviting again replaces it.
CREATE UNIQUE INDEX invitations_open ON invitations (team_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON invitations TO subnest_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON invitations TO subnest_maint;
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON invitations
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
{tenant_policies("invitations")}
-- A token arrives before its team is known: looked up as the maintenance role (its policy sees
-- every team), returning only what accepting needs.
CREATE FUNCTION invitation_lookup(p_token_hash text)
RETURNS TABLE (id uuid, team_id uuid, email varchar, role varchar, expires_at timestamptz,
               accepted_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id, team_id, email, role, expires_at, accepted_at, revoked_at
    FROM invitations WHERE token_hash = p_token_hash AND deleted_at IS NULL
$$;
ALTER FUNCTION invitation_lookup(text) OWNER TO subnest_maint;
REVOKE ALL ON FUNCTION invitation_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION invitation_lookup(text) TO subnest_app;

-- The mail outbox: written in the unit of work of what it tells, sent by the worker.
-- What the message says is rendered when it is sent, from its kind and data; a link's token is
-- sealed (SECRET_KEYS) and dropped once sent.
CREATE TABLE mails (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id uuid REFERENCES teams (id) ON DELETE CASCADE,
    kind varchar(32) NOT NULL,
    to_address varchar(320) NOT NULL,
    data jsonb NOT NULL DEFAULT '{{}}'::jsonb,
    sealed bytea,
    key_id varchar(64),
    status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error varchar(2000),
    sent_at timestamptz,
    {_SHARED}
);
CREATE INDEX mails_due ON mails (next_attempt_at) WHERE status = 'pending';
GRANT INSERT ON mails TO subnest_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON mails TO subnest_maint;
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON mails
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL)
