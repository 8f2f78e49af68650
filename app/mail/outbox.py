"""Queue a mail in the caller's transaction: nothing waits on SMTP, nothing is lost when it is
down, and nothing is sent for a write that rolled back."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import asyncpg
import msgspec

from app.credentials import CredentialCipher

__all__ = ["MailKind", "queue_mail", "queue_owner_mails"]

MailKind = Literal[
    "verify_email", "invitation", "reset_password", "usage_alert", "connection_error"
]


async def queue_mail(
    conn: asyncpg.Connection,
    *,
    kind: MailKind,
    to: str,
    data: dict[str, Any],
    team_id: uuid.UUID | None = None,
    token: str | None = None,
    cipher: CredentialCipher | None = None,
) -> uuid.UUID:
    """One mail to ``to``; ``token`` (a link's secret) is sealed with ``cipher``, bound to the
    row, and dropped once the mail is sent. ``data`` must hold nothing secret."""
    mail_id = uuid.uuid4()
    sealed = key_id = None
    if token is not None:
        assert cipher is not None, "a token is sealed"
        box = cipher.seal(mail_id, {"token": token})
        sealed, key_id = box.ciphertext, box.key_id
    await conn.execute(
        "INSERT INTO mails (id, team_id, kind, to_address, data, sealed, key_id) "
        "VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
        mail_id,
        team_id,
        kind,
        to,
        msgspec.json.encode(data).decode(),
        sealed,
        key_id,
    )
    return mail_id


async def queue_owner_mails(
    conn: asyncpg.Connection, team_id: uuid.UUID, kind: MailKind, data: dict[str, Any]
) -> int:
    """The same mail to each owner of the team whose address is verified (the tenant must be
    ``team_id``); how many were queued. Unverified addresses get no alerts: an account cannot
    make this service mail an address nobody proved to be theirs."""
    rows = await conn.fetch(
        "SELECT u.email, t.name AS team_name FROM memberships m "
        "JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id "
        "WHERE m.team_id = $1 AND m.role = 'owner' AND m.deleted_at IS NULL "
        "AND u.deleted_at IS NULL AND u.email_verified_at IS NOT NULL",
        team_id,
    )
    for row in rows:
        await queue_mail(
            conn,
            kind=kind,
            to=row["email"],
            data={"teamName": row["team_name"], **data},
            team_id=team_id,
        )
    return len(rows)
