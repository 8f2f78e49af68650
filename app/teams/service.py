"""Teams and memberships. Runs inside a unit of work whose tenant the caller has set."""

from __future__ import annotations

import datetime as dt
import uuid

from app.auth.access import access_ended
from app.auth.errors import EmailNotVerified, InvalidToken, WrongRole
from app.auth.keys import keys_changed
from app.auth.schemas import UserOut
from app.auth.service import account_email, mail_token, token_hash
from app.mail.outbox import queue_mail
from app.quotas import QuotaData, QuotaExceeded, lock_team_quota
from app.schemas import Role
from app.teams.errors import AlreadyMember, InvitationForAnotherAccount, LastOwner
from app.teams.schemas import InvitationOut, MemberOut, TeamOut
from app.work import Work
from rpc import NotFound

__all__ = ["TeamService"]

_MEMBER_SELECT = (
    "SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at AS joined_at "
    "FROM memberships m JOIN users u ON u.id = m.user_id "
)


_INVITATION_COLUMNS = "id, email, role, invited_by, expires_at, created_at"


class TeamService:
    def __init__(self, work: Work) -> None:
        self.work = work
        self.conn = work.conn
        self.settings = work.runtime.settings
        self.cipher = work.runtime.token_cipher  # seals invitation tokens in the mail outbox

    async def create(self, team_id: uuid.UUID, name: str, owner_id: uuid.UUID) -> TeamOut:
        """Create a team (the tenant must already be ``team_id``) with its creator as owner."""
        row = await self.conn.fetchrow(
            "INSERT INTO teams (id, name) VALUES ($1, $2) RETURNING plan, created_at",
            team_id,
            name.strip(),
        )
        assert row is not None
        await self.conn.execute(
            "INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, 'owner')",
            team_id,
            owner_id,
        )
        return TeamOut(
            id=team_id,
            name=name.strip(),
            role="owner",
            plan=row["plan"],
            deletion_due_at=None,
            created_at=row["created_at"],
        )

    async def teams_of(self, user_id: uuid.UUID) -> list[TeamOut]:
        """The user's teams (visible outside a team context through the memberships policy)."""
        rows = await self.conn.fetch(
            "SELECT t.id, t.name, m.role, t.plan, t.deletion_due_at, t.created_at "
            "FROM memberships m JOIN teams t ON t.id = m.team_id "
            "WHERE m.user_id = $1 AND m.deleted_at IS NULL AND t.deleted_at IS NULL "
            "ORDER BY t.created_at",
            user_id,
        )
        return [TeamOut(**r) for r in rows]

    async def membership(
        self, team_id: uuid.UUID, user_id: uuid.UUID
    ) -> tuple[Role, dt.datetime | None] | None:
        """The user's role in the team, and when the team is due to be deleted (if it is)."""
        row = await self.conn.fetchrow(
            "SELECT m.role, t.deletion_due_at FROM memberships m JOIN teams t ON t.id = m.team_id "
            "WHERE m.team_id = $1 AND m.user_id = $2 AND m.deleted_at IS NULL",
            team_id,
            user_id,
        )
        return None if row is None else (row["role"], row["deletion_due_at"])

    async def schedule_deletion(self, team_id: uuid.UUID, grace_hours: int) -> dt.datetime:
        """Schedule the team's deletion: once this commits, its API keys are read again and its
        streams end."""
        keys_changed(self.work, team_id)
        access_ended(self.work, "teamDeleted", teams=[team_id])
        due: dt.datetime = await self.conn.fetchval(
            "UPDATE teams SET deletion_due_at = coalesce(deletion_due_at, "
            "now() + make_interval(hours => $2)) WHERE id = $1 RETURNING deletion_due_at",
            team_id,
            grace_hours,
        )
        return due

    async def cancel_deletion(self, team_id: uuid.UUID) -> None:
        keys_changed(self.work, team_id)  # its API keys work again
        await self.conn.execute("UPDATE teams SET deletion_due_at = NULL WHERE id = $1", team_id)

    async def members(self, team_id: uuid.UUID) -> list[MemberOut]:
        rows = await self.conn.fetch(
            _MEMBER_SELECT + "WHERE m.team_id = $1 AND m.deleted_at IS NULL ORDER BY m.created_at",
            team_id,
        )
        return [MemberOut(**r) for r in rows]

    async def add_member(self, team_id: uuid.UUID, user_id: uuid.UUID, role: Role) -> None:
        """Make ``user_id`` a member (an invitation accepted); a member already stays as is."""
        await self.conn.execute(
            "INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, $3) "
            "ON CONFLICT (team_id, user_id) DO NOTHING",
            team_id,
            user_id,
            role,
        )

    async def invite(
        self, team_id: uuid.UUID, email: str, role: Role, by: UserOut
    ) -> InvitationOut:
        """Mail an invitation to ``email`` (an open one to the same address is replaced);
        AlreadyMember if an account of that address is a member; QuotaExceeded past
        TEAM_MAX_OPEN_INVITATIONS."""
        email = account_email(email)
        member = await self.conn.fetchval(
            "SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id "
            "WHERE m.team_id = $1 AND u.email = $2 AND m.deleted_at IS NULL",
            team_id,
            email,
        )
        if member:
            raise AlreadyMember()
        await lock_team_quota(self.conn, "invitations", team_id)
        await self.conn.execute(
            "UPDATE invitations SET revoked_at = now() WHERE team_id = $1 AND email = $2 "
            "AND accepted_at IS NULL AND revoked_at IS NULL",
            team_id,
            email,
        )
        limit = self.settings.team_max_open_invitations
        open_now = await self.conn.fetchval(
            "SELECT count(*) FROM invitations WHERE team_id = $1 AND accepted_at IS NULL "
            "AND revoked_at IS NULL AND expires_at > now()",
            team_id,
        )
        if open_now >= limit:
            raise QuotaExceeded(
                f"the team has {open_now} open invitations (TEAM_MAX_OPEN_INVITATIONS is "
                f"{limit}); revoke some, or wait for them to be accepted or expire",
                data=QuotaData(quota="openInvitations", limit=limit, used=open_now, retry_after=60),
            )
        token = mail_token()
        row = await self.conn.fetchrow(
            "INSERT INTO invitations (team_id, email, role, token_hash, invited_by, expires_at) "
            "VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) "
            f"RETURNING {_INVITATION_COLUMNS}",
            team_id,
            email,
            role,
            token_hash(token),
            by.id,
            self.settings.invitation_ttl_days,
        )
        assert row is not None
        team_name = await self.conn.fetchval("SELECT name FROM teams WHERE id = $1", team_id)
        await queue_mail(
            self.conn,
            kind="invitation",
            to=email,
            data={"teamName": team_name, "inviterName": by.name or by.email, "role": role},
            team_id=team_id,
            token=token,
            cipher=self.cipher,
        )
        return InvitationOut(**row)

    async def invitations(self, team_id: uuid.UUID) -> list[InvitationOut]:
        """The team's open invitations (not accepted, revoked or expired)."""
        rows = await self.conn.fetch(
            f"SELECT {_INVITATION_COLUMNS} FROM invitations WHERE team_id = $1 "
            "AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() "
            "ORDER BY created_at",
            team_id,
        )
        return [InvitationOut(**r) for r in rows]

    async def revoke_invitation(self, team_id: uuid.UUID, invitation_id: uuid.UUID) -> None:
        revoked = await self.conn.fetchval(
            "UPDATE invitations SET revoked_at = now() WHERE id = $1 AND team_id = $2 "
            "AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id",
            invitation_id,
            team_id,
        )
        if revoked is None:
            raise NotFound("no open invitation with this id in this team")

    async def accept_invitation(self, token: str, user: UserOut) -> TeamOut:
        """Join the team of an invitation: the signed-in ``user`` must have the invited address
        (InvitationForAnotherAccount), verified (EmailNotVerified). Switches the tenant to the
        team for the rest of the unit of work."""
        row = await self.conn.fetchrow("SELECT * FROM invitation_lookup($1)", token_hash(token))
        if (
            row is None
            or row["accepted_at"] is not None
            or row["revoked_at"] is not None
            or row["expires_at"] <= dt.datetime.now(dt.UTC)
        ):
            raise InvalidToken()
        if account_email(user.email) != row["email"]:
            raise InvitationForAnotherAccount()
        if not user.email_verified:
            raise EmailNotVerified()
        team_id: uuid.UUID = row["team_id"]
        await self.work.set_tenant(team_id=team_id, user_id=user.id)
        accepted = await self.conn.fetchval(
            "UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1 "
            "AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id",
            row["id"],
            user.id,
        )
        if accepted is None:  # accepted or revoked meanwhile
            raise InvalidToken()
        await self.add_member(team_id, user.id, row["role"])
        team = await self.conn.fetchrow(
            "SELECT t.id, t.name, m.role, t.plan, t.deletion_due_at, t.created_at "
            "FROM memberships m JOIN teams t ON t.id = m.team_id "
            "WHERE m.team_id = $1 AND m.user_id = $2",
            team_id,
            user.id,
        )
        assert team is not None
        return TeamOut(**team)

    async def remove_member(self, team_id: uuid.UUID, user_id: uuid.UUID, *, by: Role) -> None:
        """Remove a member; only an owner removes an owner, and the last owner stays."""
        role = await self.conn.fetchval(
            "SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2 FOR UPDATE",
            team_id,
            user_id,
        )
        if role is None:
            raise NotFound("this user is not a member of the team")
        if role == "owner" and by != "owner":
            raise WrongRole("only an owner may remove an owner")
        if role == "owner":
            await self._another_owner_stays(team_id)
        await self.conn.execute(
            "DELETE FROM memberships WHERE team_id = $1 AND user_id = $2", team_id, user_id
        )
        access_ended(self.work, "memberRemoved", members=[(user_id, team_id)])

    async def set_role(
        self, team_id: uuid.UUID, user_id: uuid.UUID, role: Role, *, by: Role
    ) -> MemberOut:
        """Change a member's role; only an owner grants or takes the owner role, and the last
        owner stays one."""
        current = await self.conn.fetchval(
            "SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2 "
            "AND deleted_at IS NULL FOR UPDATE",
            team_id,
            user_id,
        )
        if current is None:
            raise NotFound("this user is not a member of the team")
        if "owner" in (current, role) and by != "owner":
            raise WrongRole("only an owner may grant or take the owner role")
        if current == "owner" and role != "owner":
            await self._another_owner_stays(team_id)
        row = await self.conn.fetchrow(
            "UPDATE memberships SET role = $3 WHERE team_id = $1 AND user_id = $2 RETURNING id",
            team_id,
            user_id,
            role,
        )
        assert row is not None
        member = await self.conn.fetchrow(_MEMBER_SELECT + "WHERE m.id = $1", row["id"])
        assert member is not None
        return MemberOut(**member)

    async def _another_owner_stays(self, team_id: uuid.UUID) -> None:
        """LastOwner unless the team has another owner. Every owner row is locked, so two
        owners removing or demoting each other cannot both pass the count."""
        owners = await self.conn.fetch(
            "SELECT id FROM memberships WHERE team_id = $1 AND role = 'owner' "
            "AND deleted_at IS NULL FOR UPDATE",
            team_id,
        )
        if len(owners) <= 1:
            raise LastOwner()
