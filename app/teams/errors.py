"""Domain errors of teams and members."""

from __future__ import annotations

import datetime as dt

import msgspec

from rpc import DomainError

__all__ = [
    "AlreadyMember",
    "DeletionData",
    "InvitationForAnotherAccount",
    "LastOwner",
    "NoSuchUser",
    "TeamDeletionScheduled",
]


class NoSuchUser(DomainError):
    code = "NO_SUCH_USER"
    status = 404
    default_message = "no account has this email; ask them to sign up first"


class AlreadyMember(DomainError):
    code = "ALREADY_MEMBER"
    status = 409
    default_message = "this user is already a member of the team"


class InvitationForAnotherAccount(DomainError):
    code = "INVITATION_FOR_ANOTHER_ACCOUNT"
    status = 403
    default_message = (
        "this invitation was sent to another address: sign in with the invited account"
    )


class LastOwner(DomainError):
    code = "LAST_OWNER"
    status = 422
    default_message = "a team keeps at least one owner"


class DeletionData(msgspec.Struct, rename="camel"):
    deletion_due_at: dt.datetime


class TeamDeletionScheduled(DomainError):
    code = "TEAM_DELETION_SCHEDULED"
    status = 422
    data_type = DeletionData
    default_message = "this team is scheduled for deletion; an owner can undo it with teams.restore"
