"""teams.* and members.*."""

from __future__ import annotations

import uuid

from app.auth.errors import EmailNotVerified, InvalidToken
from app.auth.schemas import TokenInput
from app.auth.tiers import PROTECTED, TEAM, TEAM_SENSITIVE, TeamContext, UserContext
from app.quotas import QuotaExceeded
from app.schemas import Empty, IdInput, Ok
from app.teams.errors import AlreadyMember, InvitationForAnotherAccount, LastOwner
from app.teams.schemas import (
    AddMemberInput,
    CreateTeamInput,
    DeletionOut,
    InvitationList,
    InvitationOut,
    MemberList,
    MemberOut,
    RemoveMemberInput,
    SetRoleInput,
    TeamList,
    TeamOut,
)
from app.teams.service import TeamService
from rpc import NotFound, Registry

__all__ = ["procedures"]

procedures = Registry()


@procedures.procedure("teams.create", tier=PROTECTED)
async def create_team(ctx: UserContext, data: CreateTeamInput) -> TeamOut:
    """Create a team; its creator becomes its owner."""
    team_id = uuid.uuid4()
    await ctx.work.set_tenant(team_id=team_id, user_id=ctx.session.user.id)
    return await TeamService(ctx.work).create(team_id, data.name, ctx.session.user.id)


@procedures.procedure("teams.list", tier=PROTECTED)
async def list_teams(ctx: UserContext, data: Empty) -> TeamList:
    """The teams the signed-in user belongs to, with their role."""
    return TeamList(items=await TeamService(ctx.work).teams_of(ctx.session.user.id))


@procedures.procedure("members.list", tier=TEAM, scope="read")
async def list_members(ctx: TeamContext, data: Empty) -> MemberList:
    """The team's members and their roles."""
    return MemberList(items=await TeamService(ctx.work).members(ctx.team_id))


@procedures.procedure(
    "members.add",
    idempotent=True,
    tier=TEAM,
    scope="admin",
    errors=(AlreadyMember, QuotaExceeded),
    fresh_session=True,
)
async def add_member(ctx: TeamContext, data: AddMemberInput) -> InvitationOut:
    """Invite an address to the team (owner or admin, signed in within
    SESSION_FRESH_MINUTES: not with an API key).

    Answers the invitation, not a member: a link is mailed to the address, and the person
    joins once they accept it (``invitations.accept``) signed in with a verified account of
    that address. Inviting the address again replaces its open invitation. Only an owner
    invites an owner.
    """
    ctx.require("owner" if data.role == "owner" else "admin", member=True)
    assert ctx.session is not None
    return await TeamService(ctx.work).invite(ctx.team_id, data.email, data.role, ctx.session.user)


@procedures.procedure("invitations.list", tier=TEAM, scope="read")
async def list_invitations(ctx: TeamContext, data: Empty) -> InvitationList:
    """The team's open invitations (not accepted, revoked or expired)."""
    return InvitationList(items=await TeamService(ctx.work).invitations(ctx.team_id))


@procedures.procedure(
    "invitations.revoke", idempotent=True, tier=TEAM, scope="admin", errors=(NotFound,)
)
async def revoke_invitation(ctx: TeamContext, data: IdInput) -> Ok:
    """Revoke an open invitation (owner or admin, signed in): its link stops working."""
    ctx.require("admin", member=True)
    await TeamService(ctx.work).revoke_invitation(ctx.team_id, data.id)
    return Ok()


@procedures.procedure(
    "invitations.accept",
    tier=PROTECTED,
    errors=(InvalidToken, InvitationForAnotherAccount, EmailNotVerified),
)
async def accept_invitation(ctx: UserContext, data: TokenInput) -> TeamOut:
    """Join the team with the token of an invitation's link: signed in with the invited
    address, verified. The team, with the role the invitation gave."""
    return await TeamService(ctx.work).accept_invitation(data.token, ctx.session.user)


@procedures.procedure(
    "members.remove",
    idempotent=True,
    tier=TEAM,
    scope="admin",
    errors=(NotFound, LastOwner),
    fresh_session=True,
)
async def remove_member(ctx: TeamContext, data: RemoveMemberInput) -> Ok:
    """Remove a member (owner or admin, signed in within SESSION_FRESH_MINUTES); the last
    owner stays. The member's live streams of the team end."""
    ctx.require("admin", member=True)
    await TeamService(ctx.work).remove_member(ctx.team_id, data.user_id, by=ctx.role)
    return Ok()


@procedures.procedure(
    "members.setRole",
    idempotent=True,
    tier=TEAM,
    scope="admin",
    errors=(NotFound, LastOwner),
    fresh_session=True,
)
async def set_member_role(ctx: TeamContext, data: SetRoleInput) -> MemberOut:
    """Change a member's role (owner or admin, signed in within SESSION_FRESH_MINUTES: not
    with an API key). Only an owner grants or takes the owner role; the last owner stays."""
    ctx.require("admin", member=True)
    return await TeamService(ctx.work).set_role(ctx.team_id, data.user_id, data.role, by=ctx.role)


@procedures.procedure(
    "teams.delete", idempotent=True, tier=TEAM_SENSITIVE, scope="admin", fresh_session=True
)
async def delete_team(ctx: TeamContext, data: Empty) -> DeletionOut:
    """Schedule the team's deletion (owner, signed in within 10 minutes). For the grace period
    (TEAM_DELETION_GRACE_HOURS) the team's calls and API keys answer 422
    TEAM_DELETION_SCHEDULED (its live streams end) and ``teams.restore`` undoes it; then every
    row and file of the team is erased."""
    ctx.require("owner", member=True)
    grace = ctx.work.runtime.settings.team_deletion_grace_hours
    due = await TeamService(ctx.work).schedule_deletion(ctx.team_id, grace)
    return DeletionOut(deletion_due_at=due)


@procedures.procedure(
    "teams.restore", idempotent=True, tier=TEAM_SENSITIVE, scope="admin", fresh_session=True
)
async def restore_team(ctx: TeamContext, data: Empty) -> Ok:
    """Cancel a scheduled deletion during its grace period (owner, signed in within 10 minutes)."""
    ctx.require("owner", member=True)
    await TeamService(ctx.work).cancel_deletion(ctx.team_id)
    return Ok()
