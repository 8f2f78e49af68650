"""The unit of work: one transaction with the tenant set, and the services that run in it.

Procedures (through their tier), jobs and the CLI all open work the same way::

    async with unit_of_work(runtime, team_id=team) as services:
        await services.teams.list_members(team)
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property

import asyncpg

from app.auth.service import AuthService
from app.db import set_tenant
from app.runtime import Runtime
from app.teams.service import TeamService

__all__ = ["Services", "unit_of_work"]


class Services:
    """Feature services bound to one transaction's connection."""

    def __init__(self, runtime: Runtime, conn: asyncpg.Connection) -> None:
        self.runtime = runtime
        self.conn = conn

    async def set_tenant(
        self, *, team_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
    ) -> None:
        """Switch the tenant RLS sees for the rest of the transaction."""
        await set_tenant(self.conn, team_id=team_id, user_id=user_id)

    @cached_property
    def auth(self) -> AuthService:
        return AuthService(self.conn, self.runtime.settings)

    @cached_property
    def teams(self) -> TeamService:
        return TeamService(self.conn)


@asynccontextmanager
async def unit_of_work(
    runtime: Runtime, *, team_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
) -> AsyncIterator[Services]:
    """A transaction (committed on success, rolled back on error) with the tenant set."""
    async with runtime.db.transaction(team_id=team_id, user_id=user_id) as transaction:
        yield Services(runtime, transaction.connection)
