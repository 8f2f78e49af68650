"""Teams (the tenants), their members and their API keys."""

from __future__ import annotations

from piccolo.columns import UUID, Array, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tables.base import Timestamped
from tables.identity import User

__all__ = ["ApiKey", "Invitation", "Membership", "Team"]


class Team(Timestamped, Table, tablename="teams"):
    """A tenant. ``plan`` names its limits (app/usage/plans.py); ``deletion_due_at`` is set while
    a deletion waits out its grace period."""

    id = UUID(primary_key=True)
    name = Varchar(length=200)
    plan = Varchar(length=32, default="free")
    deletion_due_at = Timestamptz(null=True, default=None)


class Membership(Timestamped, Table, tablename="memberships"):
    """A user's role in a team: owner, admin or member. Unique per (team, user)."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    user_id = ForeignKey(references=User, null=False, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=16)


class ApiKey(Timestamped, Table, tablename="api_keys"):
    """A team key: shown once; stored as a scrypt hash, found by its public prefix."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200)
    prefix = Varchar(length=32, unique=True)
    key_hash = Varchar(length=255)
    ip_allowlist = Array(base_column=Varchar(length=64), null=True, default=None)
    created_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.set_null)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # read ⊂ write ⊂ admin, stored as the full set (decision 0023); keys from before: all three.
    scopes = Array(base_column=Varchar(length=16), default=["read", "write", "admin"])
    expires_at = Timestamptz(null=True, default=None)


class Invitation(Timestamped, Table, tablename="invitations"):
    """An invitation mailed to an address; a verified account of that address accepts it."""

    id = UUID(primary_key=True)
    team_id = ForeignKey(references=Team, null=False, on_delete=OnDelete.cascade, index=True)
    email = Varchar(length=320)
    role = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    accepted_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    revoked_at = Timestamptz(null=True, default=None)
