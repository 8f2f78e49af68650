"""Users and their sessions: global (not tenant) tables."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tables.base import Timestamped

__all__ = ["Session", "User"]


class User(Timestamped, Table, tablename="users"):
    id = UUID(primary_key=True)
    email = Varchar(length=320, unique=True)
    name = Varchar(length=200)
    password_hash = Varchar(length=255)


class Session(Timestamped, Table, tablename="sessions"):
    """An opaque bearer token, stored only as its SHA-256 hash."""

    id = UUID(primary_key=True)
    user_id = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    signed_in_at = Timestamptz()
    expires_at = Timestamptz()
    ip = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=400, null=True, default=None)
