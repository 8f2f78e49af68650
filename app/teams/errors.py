"""Domain errors of teams and members."""

from __future__ import annotations

from rpc import DomainError

__all__ = ["AlreadyMember", "LastOwner", "NoSuchUser"]


class NoSuchUser(DomainError):
    code = "NO_SUCH_USER"
    status = 404
    default_message = "no account has this email; ask them to sign up first"


class AlreadyMember(DomainError):
    code = "ALREADY_MEMBER"
    status = 409
    default_message = "this user is already a member of the team"


class LastOwner(DomainError):
    code = "LAST_OWNER"
    status = 422
    default_message = "a team keeps at least one owner"
