"""Domain errors of authentication and authorization."""

from __future__ import annotations

from rpc import DomainError

__all__ = [
    "EmailNotVerified",
    "EmailTaken",
    "InvalidCredentials",
    "InvalidToken",
    "IpNotAllowed",
    "SessionTooOld",
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


class SessionTooOld(DomainError):
    code = "SESSION_TOO_OLD"
    status = 403
    default_message = "sign in again: this needs a session started in the last 10 minutes"


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
