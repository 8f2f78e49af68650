"""Teams and memberships. Runs inside a unit of work whose tenant the caller has set."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from app.auth.errors import WrongRole
from app.auth.service import normalize_email
from app.schemas import Role
from app.teams.errors import AlreadyMember, LastOwner, NoSuchUser
from app.teams.schemas import MemberOut, TeamOut
from rpc import NotFound

__all__ = ["TeamService"]

_MEMBER_SELECT = (
    "SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at AS joined_at "
    "FROM memberships m JOIN users u ON u.id = m.user_id "
)


class TeamService:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

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
        due: dt.datetime = await self.conn.fetchval(
            "UPDATE teams SET deletion_due_at = coalesce(deletion_due_at, "
            "now() + make_interval(hours => $2)) WHERE id = $1 RETURNING deletion_due_at",
            team_id,
            grace_hours,
        )
        return due

    async def cancel_deletion(self, team_id: uuid.UUID) -> None:
        await self.conn.execute("UPDATE teams SET deletion_due_at = NULL WHERE id = $1", team_id)

    async def members(self, team_id: uuid.UUID) -> list[MemberOut]:
        rows = await self.conn.fetch(
            _MEMBER_SELECT + "WHERE m.team_id = $1 AND m.deleted_at IS NULL ORDER BY m.created_at",
            team_id,
        )
        return [MemberOut(**r) for r in rows]

    async def add_member(self, team_id: uuid.UUID, email: str, role: Role) -> MemberOut:
        user_id = await self.conn.fetchval(
            "SELECT id FROM users WHERE email = $1 AND deleted_at IS NULL", normalize_email(email)
        )
        if user_id is None:
            raise NoSuchUser()
        inserted = await self.conn.fetchval(
            "INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, $3) "
            "ON CONFLICT (team_id, user_id) DO NOTHING RETURNING id",
            team_id,
            user_id,
            role,
        )
        if inserted is None:
            raise AlreadyMember()
        row = await self.conn.fetchrow(_MEMBER_SELECT + "WHERE m.id = $1", inserted)
        assert row is not None
        return MemberOut(**row)

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
