"""Wire types of auth.* and apiKeys.*."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from app.schemas import Email, ShortText, Timestamp
from app.teams.schemas import TeamOut
from rpc import SECRET, Input, Output, Scope

__all__ = [
    "ApiKeyList",
    "ApiKeyOut",
    "ChangePasswordInput",
    "CreateApiKeyInput",
    "CreatedApiKey",
    "Me",
    "PasswordChanged",
    "RequestPasswordResetInput",
    "ResetPasswordInput",
    "SessionInfo",
    "SessionList",
    "SessionOut",
    "SignInInput",
    "SignUpInput",
    "SignedIn",
    "TokenInput",
    "UserOut",
]

# SECRET: the same on the wire, masked in reprs and in the call's log lines (rpc.masking).
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=200), SECRET]
Cidr = Annotated[str, msgspec.Meta(min_length=2, max_length=64, examples=["203.0.113.0/24"])]


class SignUpInput(Input):
    email: Email
    password: Password
    name: ShortText
    cookie: bool = False


class SignInInput(Input):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200), SECRET]
    cookie: bool = False


class UserOut(Output):
    id: uuid.UUID
    email: str
    name: str
    email_verified: Annotated[
        bool, msgspec.Meta(description="the address was proved by a mailed link")
    ]


# A mailed link's token (verification, password reset, invitation): a secret, masked in logs.
Token = Annotated[str, msgspec.Meta(min_length=8, max_length=200), SECRET]


class TokenInput(Input):
    token: Token


class RequestPasswordResetInput(Input):
    email: Email


class ResetPasswordInput(Input):
    token: Token
    new_password: Password


class SessionOut(Output):
    token: Annotated[str, SECRET]
    expires_at: Timestamp


class SessionInfo(Output):
    """One of the caller's sessions, as ``auth.sessions.list`` shows it (never its token).
    ``ip`` and ``userAgent`` are the sign-in's; ``current``: the session making the call."""

    id: uuid.UUID
    created_at: Timestamp
    signed_in_at: Timestamp
    expires_at: Timestamp
    ip: str | None
    user_agent: str | None
    current: bool


class SessionList(Output):
    items: list[SessionInfo]


class ChangePasswordInput(Input):
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=200), SECRET]
    new_password: Password


class PasswordChanged(Output):
    """``endedSessions``: how many other sessions of the account were ended."""

    ended_sessions: int


class SignedIn(Output):
    user: UserOut
    session: SessionOut


class Me(Output):
    user: UserOut
    teams: list[TeamOut]


class CreateApiKeyInput(Input):
    name: ShortText
    scopes: (
        Annotated[
            list[Scope],
            msgspec.Meta(
                min_length=1,
                max_length=3,
                description="read ⊂ write ⊂ admin: the key gets the highest given and those "
                "below it. Without it, admin (what every key could do before scopes)",
            ),
        ]
        | None
    ) = None
    expires_at: (
        Annotated[Timestamp, msgspec.Meta(description="when the key stops working (future)")] | None
    ) = None
    expires_in_days: (
        Annotated[
            int,
            msgspec.Meta(ge=1, le=3650, description="or: the key stops working in this many days"),
        ]
        | None
    ) = None
    ip_allowlist: (
        Annotated[
            list[Cidr],
            msgspec.Meta(description="at most API_KEY_ALLOWLIST_MAX entries (100 by default)"),
        ]
        | None
    ) = None


class ApiKeyOut(Output):
    id: uuid.UUID
    name: str
    prefix: str
    ip_allowlist: list[str] | None
    scopes: Annotated[
        list[Scope], msgspec.Meta(description="what the key may call: read ⊂ write ⊂ admin")
    ]
    expires_at: Timestamp | None
    created_at: Timestamp
    last_used_at: Timestamp | None
    revoked_at: Timestamp | None


class CreatedApiKey(Output):
    """The key itself is shown here once and never again."""

    key: Annotated[str, SECRET]
    api_key: ApiKeyOut


class ApiKeyList(Output):
    items: list[ApiKeyOut]
