"""Demo data for ``subnest dev``: a user, a team, an ESP connection, subscribers, an API key."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import asyncpg
import msgspec

from app.auth.secrets import hash_password, new_api_key
from app.db import Database
from app.esp import NormalizedSubscriber
from app.schemas import SubscriberStatus
from app.subscribers.days import count_days
from app.sync.runner import content_hash

__all__ = [
    "DEMO_CONNECTION_ID",
    "DEMO_EMAIL",
    "DEMO_LIST_ID",
    "DEMO_PASSWORD",
    "DEMO_TEAM_ID",
    "DemoData",
    "demo_member",
    "seed_demo",
]

DEMO_EMAIL = "demo@subscribernest.dev"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo account of `subnest dev`
DEMO_TEAM_ID = uuid.UUID("00000000-0000-4000-8000-00000000de00")
DEMO_CONNECTION_ID = uuid.UUID("00000000-0000-4000-8000-00000000de01")
DEMO_LIST_ID = "demo-list"  # the demo connection's Mailchimp audience (app/esp/sandbox.py)
DEMO_KEY_NAME = "demo key (subnest dev)"
# A Mailchimp audience: it has no "bounced" (a bounced address is "cleaned").
_STATUSES: tuple[SubscriberStatus, ...] = (
    *(("subscribed",) * 7),
    "unsubscribed",
    "pending",
    "cleaned",
)
HISTORY_DAYS = 120  # the demo's history before today, in the daily rollup
_SIGNED_UP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # member n signed up n hours later


def demo_member(n: int) -> NormalizedSubscriber:
    """The demo audience's ``n``-th member (from 1): as seeded, and as the sandbox lists it."""
    return NormalizedSubscriber(
        external_id=f"demo-{n}",
        email=f"reader{n}@example.com",
        first_name="Reader",
        last_name=f"No. {n}",
        status=_STATUSES[n % len(_STATUSES)],
        custom_fields={"source": "demo", "signup_week": n % 52},
        provider_created_at=_SIGNED_UP + dt.timedelta(hours=n),
    )


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
                # Verified: the demo owner gets the alert mails (caught by the dev sink).
                "INSERT INTO users (email, name, password_hash, email_verified_at) "
                "VALUES ($1, $2, $3, now()) RETURNING id",
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
                "VALUES ($1, $2, 'mailchimp', 'Demo Mailchimp', $3)",
                DEMO_CONNECTION_ID,
                DEMO_TEAM_ID,
                DEMO_LIST_ID,
            )
            members = [demo_member(n) for n in range(1, subscribers + 1)]
            # Each as the sandbox's audience lists it (content hashes included): its first sync
            # finds what moved since (app/esp/sandbox.py), not every row edited here.
            await conn.execute(
                """
                INSERT INTO subscribers
                    (team_id, esp_connection_id, external_id, email, first_name, last_name,
                     status, custom_fields, content_hash, provider_created_at)
                SELECT $1, $2, m.* FROM unnest($3::text[], $4::text[], $5::text[], $6::text[],
                                               $7::text[], $8::jsonb[], $9::text[],
                                               $10::timestamptz[]) AS m
                """,
                DEMO_TEAM_ID,
                DEMO_CONNECTION_ID,
                [m.external_id for m in members],
                [m.email for m in members],
                [m.first_name for m in members],
                [m.last_name for m in members],
                [m.status for m in members],
                [msgspec.json.encode(m.custom_fields).decode() for m in members],
                [content_hash(m) for m in members],
                [m.provider_created_at for m in members],
            )
            await count_days(conn, [DEMO_TEAM_ID])
            await _seed_history(conn)
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


async def _seed_history(conn: asyncpg.Connection) -> None:
    """HISTORY_DAYS of the demo connection's daily counts before today, ending at today's:
    sign-ups most days (more early in the week), a few unsubscribes, some cleaned addresses,
    pending ones coming and going."""
    rows = await conn.fetch(
        "SELECT day, status, total FROM subscriber_days WHERE esp_connection_id = $1",
        DEMO_CONNECTION_ID,
    )
    today = rows[0]["day"]
    level = {status: 0 for status in _STATUSES} | {row["status"]: row["total"] for row in rows}
    rng = random.Random(20261204)  # demo data, the same every time
    rate = max(1.0, level["subscribed"] * 0.006)  # sign-ups a day
    days: list[dt.date] = []
    statuses: list[str] = []
    totals: list[int] = []
    for back in range(1, HISTORY_DAYS + 1):
        day = today - dt.timedelta(days=back)
        # The end of this day: the next one's end, less what happened on the next one.
        weekday = (day + dt.timedelta(days=1)).weekday()
        joined = round(rng.uniform(0.4, 1.6) * rate * (1.4 if weekday < 2 else 0.8))
        left = min(level["unsubscribed"], rng.randint(0, max(1, round(rate / 4))))
        cleaned = min(level["cleaned"], 1 if rng.random() < 0.3 else 0)
        level["subscribed"] = max(0, level["subscribed"] - joined + left + cleaned)
        level["unsubscribed"] -= left
        level["cleaned"] -= cleaned
        level["pending"] = max(0, level["pending"] + rng.randint(-2, 2))
        for status, total in level.items():
            days.append(day)
            statuses.append(status)
            totals.append(total)
    await conn.execute(
        "INSERT INTO subscriber_days (team_id, day, esp_connection_id, status, total, "
        "counted_at) SELECT $1, d, $2, s, t, (d + 1)::timestamp AT TIME ZONE 'UTC' "
        "FROM unnest($3::date[], $4::text[], $5::int[]) AS h(d, s, t)",
        DEMO_TEAM_ID,
        DEMO_CONNECTION_ID,
        days,
        statuses,
        totals,
    )
