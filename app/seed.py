"""Demo data for ``subnest dev``: a user, a team, an ESP connection, subscribers, an API key."""

from __future__ import annotations

import uuid

import msgspec

from app.auth.secrets import hash_password, new_api_key
from app.db import Database

__all__ = [
    "DEMO_CONNECTION_ID",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "DEMO_TEAM_ID",
    "DemoData",
    "seed_demo",
]

DEMO_EMAIL = "demo@subscribernest.dev"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo account of `subnest dev`
DEMO_TEAM_ID = uuid.UUID("00000000-0000-4000-8000-00000000de00")
DEMO_CONNECTION_ID = uuid.UUID("00000000-0000-4000-8000-00000000de01")
DEMO_KEY_NAME = "demo key (subnest dev)"
_STATUSES = ["subscribed"] * 6 + ["unsubscribed", "pending", "bounced", "cleaned"]


class DemoData(msgspec.Struct, frozen=True):
    team_id: uuid.UUID
    api_key: str
    subscribers: int


async def seed_demo(db: Database, *, subscribers: int = 3000) -> DemoData:
    """Create the demo data once; on every call mint a fresh demo API key (older ones revoked)."""
    async with db.transaction(team_id=DEMO_TEAM_ID) as tx:
        conn = tx.connection
        user_id = await conn.fetchval("SELECT id FROM users WHERE email = $1", DEMO_EMAIL)
        if user_id is None:
            user_id = await conn.fetchval(
                "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id",
                DEMO_EMAIL,
                "Demo Operator",
                hash_password(DEMO_PASSWORD),
            )
        created = await conn.fetchval(
            "INSERT INTO teams (id, name) VALUES ($1, 'Demo Newsletter') "
            "ON CONFLICT (id) DO NOTHING RETURNING true",
            DEMO_TEAM_ID,
        )
        if created:
            await conn.execute(
                "INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, 'owner')",
                DEMO_TEAM_ID,
                user_id,
            )
            await conn.execute(
                "INSERT INTO esp_connections (id, team_id, provider, name, list_id) "
                "VALUES ($1, $2, 'mailchimp', 'Demo Mailchimp', 'demo-list')",
                DEMO_CONNECTION_ID,
                DEMO_TEAM_ID,
            )
            await conn.execute(
                """
                INSERT INTO subscribers
                    (team_id, esp_connection_id, external_id, email, first_name, last_name,
                     status, custom_fields)
                SELECT $1, $2, 'demo-' || n, 'reader' || n || '@example.com',
                       'Reader', 'No. ' || n, ($3::text[])[1 + n % cardinality($3::text[])],
                       jsonb_build_object('source', 'demo', 'signup_week', n % 52)
                FROM generate_series(1, $4) AS n
                """,
                DEMO_TEAM_ID,
                DEMO_CONNECTION_ID,
                _STATUSES,
                subscribers,
            )
        await conn.execute(
            "UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL",
            DEMO_KEY_NAME,
        )
        key = new_api_key()
        await conn.execute(
            "INSERT INTO api_keys (team_id, name, prefix, key_hash, created_by) "
            "VALUES ($1, $2, $3, $4, $5)",
            DEMO_TEAM_ID,
            DEMO_KEY_NAME,
            key.prefix,
            key.key_hash,
            user_id,
        )
        count = await conn.fetchval("SELECT count(*) FROM subscribers WHERE deleted_at IS NULL")
    return DemoData(team_id=DEMO_TEAM_ID, api_key=key.key, subscribers=count)
