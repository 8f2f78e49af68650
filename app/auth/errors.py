"""Domain errors of authentication and authorization."""

from __future__ import annotations

import msgspec

from app.schemas import Timestamp
from rpc import DomainError

__all__ = [
    "EmailNotVerified",
    "EmailTaken",
    "InvalidCredentials",
    "InvalidToken",
    "IpNotAllowed",
    "SessionAge",
    "SessionTooOld",
    "WrongPassword",
    "WrongRole",
]


class InvalidCredentials(DomainError):
    code = "INVALID_CREDENTIALS"
    status = 401
    default_message = "email or password is wrong"


class EmailTaken(DomainError):
    code = "EMAIL_TAKEN"
    status = 409
    default_message = "an account with this email exists"


class SessionAge(msgspec.Struct, rename="camel"):
    signed_in_at: Timestamp
    max_age_minutes: int


class SessionTooOld(DomainError):
    """An owner action on a session signed in longer ago than SESSION_FRESH_MINUTES: sign in
    again (the answer says when this session signed in) and repeat the call."""

    code = "SESSION_TOO_OLD"
    status = 403
    data_type = SessionAge
    default_message = "sign in again: this needs a session signed in within SESSION_FRESH_MINUTES"


class WrongPassword(DomainError):
    """auth.changePassword with a current password that is not the account's (403, not 401:
    the session itself is still good)."""

    code = "WRONG_PASSWORD"
    status = 403
    default_message = "the current password is wrong"


class WrongRole(DomainError):
    code = "WRONG_ROLE"
    status = 403
    default_message = "your role in this team does not allow this"


class IpNotAllowed(DomainError):
    code = "IP_NOT_ALLOWED"
    status = 403
    default_message = "this API key may not be used from your address"


class InvalidToken(DomainError):
    code = "INVALID_TOKEN"
    status = 400
    default_message = "this link is unknown, already used, revoked or expired; ask for a new one"


class EmailNotVerified(DomainError):
    code = "EMAIL_NOT_VERIFIED"
    status = 403
    default_message = (
        "verify your email address first (auth.resendVerification sends the link again)"
    )
