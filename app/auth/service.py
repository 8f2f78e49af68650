"""Accounts, sessions and team API keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Literal

import msgspec

from app.auth.access import access_ended
from app.auth.errors import EmailTaken, InvalidCredentials, InvalidToken, WrongPassword
from app.auth.hashing import hashing
from app.auth.keys import keys_changed
from app.auth.schemas import ApiKeyOut, SessionInfo, SessionOut, UserOut
from app.auth.secrets import (
    hash_password,
    new_api_key,
    verify_password,
)
from app.mail.outbox import queue_mail
from app.work import Work
from rpc import NotFound, Unauthenticated

__all__ = ["AuthService", "SessionUser", "account_email", "mail_token", "token_hash"]

# Compared against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
_API_KEY_COLUMNS = (
    "id, name, prefix, ip_allowlist, scopes, expires_at, created_at, last_used_at, revoked_at"
)


def account_email(email: str) -> str:
    """An account's address as its identity: trimmed and lower-cased whole (sign-in, invitations
    and rate limits match it however it is typed). Not a subscriber's (subscriber_email)."""
    return email.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mail_token() -> str:
    """A single-use token for a mailed link (``snt_``: blanked out of logs by its shape)."""
    return f"snt_{secrets.token_urlsafe(32)}"


class SessionUser(msgspec.Struct, frozen=True):
    user: UserOut
    session_id: uuid.UUID
    signed_in_at: dt.datetime


class AuthService:
    def __init__(self, work: Work) -> None:
        self.work = work
        self.conn = work.conn
        self.settings = work.runtime.settings
        # argon2 and scrypt run in its threads, never on the event loop
        self.hashing = hashing(work.runtime)
        self.cipher = work.runtime.token_cipher  # seals the tokens of mailed links in the outbox

    async def sign_up(self, email: str, password: str, name: str) -> UserOut:
        email = account_email(email)
        password_hash = await self.hashing.run(hash_password, password)
        row = await self.conn.fetchrow(
            "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) "
            "ON CONFLICT (email) DO NOTHING RETURNING id, email, name, false AS email_verified",
            email,
            name.strip(),
            password_hash,
        )
        if row is None:
            raise EmailTaken()
        return UserOut(**row)

    async def check_password(self, email: str, password: str) -> UserOut:
        row = await self.conn.fetchrow(
            "SELECT id, email, name, password_hash, email_verified_at IS NOT NULL AS verified "
            "FROM users WHERE email = $1 AND deleted_at IS NULL",
            account_email(email),
        )
        stored = row["password_hash"] if row else _DUMMY_HASH
        if not await self.hashing.run(verify_password, stored, password) or row is None:
            raise InvalidCredentials()
        return UserOut(
            id=row["id"], email=row["email"], name=row["name"], email_verified=row["verified"]
        )

    async def start_session(self, user_id: uuid.UUID, *, ip: str, user_agent: str) -> SessionOut:
        token = f"sns_{secrets.token_urlsafe(32)}"
        expires_at = await self.conn.fetchval(
            "INSERT INTO sessions (user_id, token_hash, signed_in_at, expires_at, ip, user_agent) "
            "VALUES ($1, $2, now(), now() + make_interval(days => $3), $4, $5) "
            "RETURNING expires_at",
            user_id,
            token_hash(token),
            self.settings.session_ttl_days,
            ip[:64],
            user_agent[:400],
        )
        return SessionOut(token=token, expires_at=expires_at)

    async def end_session(self, session_id: uuid.UUID) -> None:
        """Sign out: the session ends, and the streams opened with it once this commits."""
        await self.conn.execute("DELETE FROM sessions WHERE id = $1", session_id)
        access_ended(self.work, "signedOut", sessions=[session_id])

    async def end_sessions(
        self,
        user_id: uuid.UUID,
        *,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        """End sessions of ``user_id``: just ``only`` when given (if it is theirs), else all
        but ``keep``, and the streams opened with them once this commits. Returns the ids
        ended. The one place that ends sessions besides sign-out."""
        rows = await self.conn.fetch(
            "DELETE FROM sessions WHERE user_id = $1 "
            "AND ($2::uuid IS NULL OR id = $2) AND ($3::uuid IS NULL OR id <> $3) RETURNING id",
            user_id,
            only,
            keep,
        )
        ended = [row["id"] for row in rows]
        access_ended(self.work, "signedOut", sessions=ended)
        return ended

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
            "SELECT s.id AS session_id, s.signed_in_at, u.id, u.email, u.name, "
            "u.email_verified_at IS NOT NULL AS verified "
            "FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_hash = $1 AND s.expires_at > now() "
            "AND s.deleted_at IS NULL AND u.deleted_at IS NULL",
            token_hash(token),
        )
        if row is None:
            raise Unauthenticated("the session is unknown or has expired")
        return SessionUser(
            user=UserOut(
                id=row["id"], email=row["email"], name=row["name"], email_verified=row["verified"]
            ),
            session_id=row["session_id"],
            signed_in_at=row["signed_in_at"],
        )

    async def _mail_link(
        self, user: UserOut, purpose: Literal["verify_email", "reset_password"], hours: float
    ) -> None:
        """A token of ``purpose`` for the user's address, mailed to it (in this unit of work)."""
        token = mail_token()
        await self.conn.execute(
            "INSERT INTO email_tokens (user_id, purpose, email, token_hash, expires_at) "
            "VALUES ($1, $2, $3, $4, now() + $5::interval)",
            user.id,
            purpose,
            user.email,
            token_hash(token),
            dt.timedelta(hours=hours),
        )
        await queue_mail(
            self.conn,
            kind=purpose,
            to=user.email,
            data={"name": user.name},
            token=token,
            cipher=self.cipher,
        )

    async def send_verification(self, user: UserOut) -> None:
        """Mail ``user`` a link that verifies their address (in this unit of work's outbox)."""
        await self._mail_link(user, "verify_email", self.settings.email_verification_ttl_hours)

    async def _consume(self, token: str, purpose: str) -> tuple[uuid.UUID, str]:
        """Use a mailed token once: its user and the address it was sent to, or InvalidToken
        (unknown, used, expired, or the account's address changed since)."""
        row = await self.conn.fetchrow(
            "UPDATE email_tokens t SET used_at = now() FROM users u "
            "WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL "
            "AND t.expires_at > now() AND u.id = t.user_id AND u.email = t.email "
            "AND u.deleted_at IS NULL RETURNING t.user_id, t.email",
            token_hash(token),
            purpose,
        )
        if row is None:
            raise InvalidToken()
        return row["user_id"], row["email"]

    async def verify_email(self, token: str) -> None:
        user_id, _ = await self._consume(token, "verify_email")
        await self.conn.execute(
            "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1",
            user_id,
        )

    async def request_password_reset(self, email: str) -> None:
        """Mail a reset link if an account has ``email``; the same (nothing) either way."""
        row = await self.conn.fetchrow(
            "SELECT id, email, name, email_verified_at IS NOT NULL AS verified FROM users "
            "WHERE email = $1 AND deleted_at IS NULL",
            account_email(email),
        )
        if row is None:
            return
        user = UserOut(
            id=row["id"], email=row["email"], name=row["name"], email_verified=row["verified"]
        )
        await self._mail_link(user, "reset_password", self.settings.password_reset_ttl_minutes / 60)

    async def reset_password(self, token: str, new_password: str) -> None:
        """Set a new password with a reset token: the token and every other open reset token
        of the user are used up, the address counts as verified (the link reached it), and
        every session of the user ends (``end_sessions``)."""
        user_id, _ = await self._consume(token, "reset_password")
        password_hash = await self.hashing.run(hash_password, new_password)
        await self.conn.execute(
            "UPDATE email_tokens SET used_at = now() WHERE user_id = $1 "
            "AND purpose = 'reset_password' AND used_at IS NULL",
            user_id,
        )
        await self.conn.execute(
            "UPDATE users SET password_hash = $2, "
            "email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1",
            user_id,
            password_hash,
        )
        await self.end_sessions(user_id)

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

    async def revoke_api_key(self, team_id: uuid.UUID, key_id: uuid.UUID) -> ApiKeyOut:
        """Revoke a key: this process reads the team's keys again, and the key's streams end on
        every process, once this commits."""
        keys_changed(self.work, team_id)
        row = await self.conn.fetchrow(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) "
            f"WHERE id = $1 AND deleted_at IS NULL RETURNING {_API_KEY_COLUMNS}",
            key_id,
        )
        if row is None:
            raise NotFound("no such API key in this team")
        access_ended(self.work, "keyRevoked", keys=[key_id])
        return ApiKeyOut(**row)
