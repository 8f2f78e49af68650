"""Accounts, sessions and team API keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

import asyncpg
import msgspec

from app.auth.errors import EmailTaken, InvalidCredentials, WrongPassword
from app.auth.hashing import Hashing
from app.auth.schemas import ApiKeyOut, SessionInfo, SessionOut, UserOut
from app.auth.secrets import (
    hash_password,
    new_api_key,
    verify_password,
)
from app.config import Settings
from rpc import NotFound, Unauthenticated

__all__ = ["AuthService", "SessionUser", "normalize_email"]

# Compared against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
_API_KEY_COLUMNS = (
    "id, name, prefix, ip_allowlist, scopes, expires_at, created_at, last_used_at, revoked_at"
)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionUser(msgspec.Struct, frozen=True):
    user: UserOut
    session_id: uuid.UUID
    signed_in_at: dt.datetime


class AuthService:
    def __init__(self, conn: asyncpg.Connection, settings: Settings, hashing: Hashing) -> None:
        self.conn = conn
        self.settings = settings
        self.hashing = hashing  # argon2 and scrypt run in its threads, never on the event loop

    async def sign_up(self, email: str, password: str, name: str) -> UserOut:
        email = normalize_email(email)
        password_hash = await self.hashing.run(hash_password, password)
        row = await self.conn.fetchrow(
            "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) "
            "ON CONFLICT (email) DO NOTHING RETURNING id, email, name",
            email,
            name.strip(),
            password_hash,
        )
        if row is None:
            raise EmailTaken()
        return UserOut(**row)

    async def check_password(self, email: str, password: str) -> UserOut:
        row = await self.conn.fetchrow(
            "SELECT id, email, name, password_hash FROM users "
            "WHERE email = $1 AND deleted_at IS NULL",
            normalize_email(email),
        )
        stored = row["password_hash"] if row else _DUMMY_HASH
        if not await self.hashing.run(verify_password, stored, password) or row is None:
            raise InvalidCredentials()
        return UserOut(id=row["id"], email=row["email"], name=row["name"])

    async def start_session(self, user_id: uuid.UUID, *, ip: str, user_agent: str) -> SessionOut:
        token = f"sns_{secrets.token_urlsafe(32)}"
        expires_at = await self.conn.fetchval(
            "INSERT INTO sessions (user_id, token_hash, signed_in_at, expires_at, ip, user_agent) "
            "VALUES ($1, $2, now(), now() + make_interval(days => $3), $4, $5) "
            "RETURNING expires_at",
            user_id,
            _token_hash(token),
            self.settings.session_ttl_days,
            ip[:64],
            user_agent[:400],
        )
        return SessionOut(token=token, expires_at=expires_at)

    async def end_session(self, session_id: uuid.UUID) -> None:
        await self.conn.execute("DELETE FROM sessions WHERE id = $1", session_id)

    async def end_sessions(
        self,
        user_id: uuid.UUID,
        *,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        """End sessions of ``user_id``: just ``only`` when given (if it is theirs), else all
        but ``keep``. Returns the ids ended (what a caller tells whatever follows sessions,
        such as open streams). The one place that ends sessions besides sign-out."""
        rows = await self.conn.fetch(
            "DELETE FROM sessions WHERE user_id = $1 "
            "AND ($2::uuid IS NULL OR id = $2) AND ($3::uuid IS NULL OR id <> $3) RETURNING id",
            user_id,
            only,
            keep,
        )
        return [row["id"] for row in rows]

    async def sessions_of(self, user_id: uuid.UUID, current: uuid.UUID) -> list[SessionInfo]:
        """The user's live sessions, newest sign-in first (never their tokens)."""
        rows = await self.conn.fetch(
            "SELECT id, created_at, signed_in_at, expires_at, ip, user_agent FROM sessions "
            "WHERE user_id = $1 AND expires_at > now() AND deleted_at IS NULL "
            "ORDER BY signed_in_at DESC, id",
            user_id,
        )
        return [SessionInfo(**row, current=row["id"] == current) for row in rows]

    async def change_password(self, user_id: uuid.UUID, current: str, new: str) -> None:
        """Replace the password after checking ``current`` (WrongPassword) in the hashing
        pool; the caller ends the other sessions."""
        stored = await self.conn.fetchval(
            "SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
            user_id,
        )
        if stored is None or not await self.hashing.run(verify_password, stored, current):
            raise WrongPassword()
        await self.conn.execute(
            "UPDATE users SET password_hash = $2 WHERE id = $1",
            user_id,
            await self.hashing.run(hash_password, new),
        )

    async def session_user(self, token: str) -> SessionUser:
        row = await self.conn.fetchrow(
            "SELECT s.id AS session_id, s.signed_in_at, u.id, u.email, u.name "
            "FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_hash = $1 AND s.expires_at > now() "
            "AND s.deleted_at IS NULL AND u.deleted_at IS NULL",
            _token_hash(token),
        )
        if row is None:
            raise Unauthenticated("the session is unknown or has expired")
        return SessionUser(
            user=UserOut(id=row["id"], email=row["email"], name=row["name"]),
            session_id=row["session_id"],
            signed_in_at=row["signed_in_at"],
        )

    async def create_api_key(
        self,
        team_id: uuid.UUID,
        name: str,
        ip_allowlist: list[str] | None,
        user_id: uuid.UUID,
        *,
        scopes: list[str],
        expires_at: dt.datetime | None,
    ) -> tuple[str, ApiKeyOut]:
        minted = await self.hashing.run(new_api_key)
        row = await self.conn.fetchrow(
            "INSERT INTO api_keys (team_id, name, prefix, key_hash, ip_allowlist, created_by, "
            f"scopes, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            f"RETURNING {_API_KEY_COLUMNS}",
            team_id,
            name.strip(),
            minted.prefix,
            minted.key_hash,
            ip_allowlist,
            user_id,
            scopes,
            expires_at,
        )
        assert row is not None
        return minted.key, ApiKeyOut(**row)

    async def list_api_keys(self) -> list[ApiKeyOut]:
        rows = await self.conn.fetch(
            f"SELECT {_API_KEY_COLUMNS} FROM api_keys WHERE deleted_at IS NULL ORDER BY created_at"
        )
        return [ApiKeyOut(**r) for r in rows]

    async def revoke_api_key(self, key_id: uuid.UUID) -> ApiKeyOut:
        row = await self.conn.fetchrow(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) "
            f"WHERE id = $1 AND deleted_at IS NULL RETURNING {_API_KEY_COLUMNS}",
            key_id,
        )
        if row is None:
            raise NotFound("no such API key in this team")
        return ApiKeyOut(**row)
