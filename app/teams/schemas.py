"""Wire types of teams.* and members.*."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from app.schemas import Email, Role, ShortText, Timestamp
from rpc import Input, Output

__all__ = [
    "AddMemberInput",
    "CreateTeamInput",
    "DeletionOut",
    "InvitationList",
    "InvitationOut",
    "MemberList",
    "MemberOut",
    "RemoveMemberInput",
    "SetRoleInput",
    "TeamList",
    "TeamOut",
]


class CreateTeamInput(Input):
    name: ShortText


class TeamOut(Output):
    id: uuid.UUID
    name: str
    role: Role
    plan: str
    deletion_due_at: Annotated[
        Timestamp | None,
        msgspec.Meta(description="set while the team waits out its deletion's grace period"),
    ]
    created_at: Timestamp


class DeletionOut(Output):
    deletion_due_at: Timestamp


class TeamList(Output):
    items: list[TeamOut]


class AddMemberInput(Input):
    email: Email
    role: Role = "member"


class RemoveMemberInput(Input):
    user_id: uuid.UUID


class SetRoleInput(Input):
    user_id: uuid.UUID
    role: Role


class MemberOut(Output):
    user_id: uuid.UUID
    email: str
    name: str
    role: Role
    joined_at: Timestamp


class MemberList(Output):
    items: list[MemberOut]


class InvitationOut(Output):
    """An invitation: mailed to ``email``; it grants nothing until a verified account of that
    address accepts it (``invitations.accept``)."""

    id: uuid.UUID
    email: str
    role: Role
    invited_by: uuid.UUID | None
    expires_at: Timestamp
    created_at: Timestamp


class InvitationList(Output):
    items: list[InvitationOut]
