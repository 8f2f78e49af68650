"""Users and their sessions: global (not tenant) tables."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Bytea, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tables.base import Timestamped

__all__ = ["EmailToken", "Mail", "Session", "User"]


class User(Timestamped, Table, tablename="users"):
    id = UUID(primary_key=True)
    email = Varchar(length=320, unique=True)
    name = Varchar(length=200)
    password_hash = Varchar(length=255)
    email_verified_at = Timestamptz(null=True, default=None)


class Session(Timestamped, Table, tablename="sessions"):
    """An opaque bearer token, stored only as its SHA-256 hash."""

    id = UUID(primary_key=True)
    user_id = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    signed_in_at = Timestamptz()
    expires_at = Timestamptz()
    ip = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=400, null=True, default=None)


class EmailToken(Timestamped, Table, tablename="email_tokens"):
    """A single-use, expiring token mailed to a user (verify the address, reset the password),
    stored only as its SHA-256 hash."""

    id = UUID(primary_key=True)
    user_id = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=16)
    email = Varchar(length=320)
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class Mail(Timestamped, Table, tablename="mails"):
    """The mail outbox: a message to send, rendered from ``kind`` and ``data`` when sent; the
    token of its link sealed until then."""

    id = UUID(primary_key=True)
    team_id = UUID(null=True, default=None)
    kind = Varchar(length=32)
    to_address = Varchar(length=320)
    data = JSONB(default="{}")
    sealed = Bytea(null=True, default=None)
    key_id = Varchar(length=64, null=True, default=None)
    status = Varchar(length=16, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    last_error = Varchar(length=2000, null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
