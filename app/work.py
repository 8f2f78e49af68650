"""The unit of work: one transaction with the tenant set, and what it leaves to do once committed.

Procedures (through their tier), jobs and the CLI open work the same way, and build the feature
services they use on it, where they use them::

    async with unit_of_work(runtime, team_id=team) as work:
        await SubscriberService(work.conn).get(subscriber_id)

What a write leaves to do outside the database is recorded on the work and done once it has
committed (nothing if it rolls back; decision 0039):

- the team's change feed is poked when the transaction wrote a table of the feed under the
  team's tenant: the database marks such a transaction (a statement trigger on each of those
  tables, migration 0024), so no caller has to remember it;
- what services queued with ``after_commit`` (a job to enqueue, an access notice, API keys
  this process reads again).

A unit opened ``read_only`` (team procedures of the read scope) is ``BEGIN READ ONLY``: it can
write nothing, and is not asked whether it did.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg

from app.db import set_tenant
from app.runtime import Runtime

__all__ = ["FEED_WRITTEN", "AfterCommit", "Work", "held_unit_of_work", "unit_of_work"]

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[object]]

# Set by the trigger on the feed's tables until the transaction ends (migration 0024).
FEED_WRITTEN = "SELECT current_setting('subnest.feed_written', true) = 'on'"


class Work:
    """One open transaction's connection, and what is left to do once it commits."""

    __slots__ = ("_after_commit", "_team_id", "conn", "read_only", "runtime")

    def __init__(
        self,
        runtime: Runtime,
        conn: asyncpg.Connection,
        team_id: uuid.UUID | None,
        *,
        read_only: bool = False,
    ) -> None:
        self.runtime = runtime
        self.conn = conn
        self.read_only = read_only
        self._team_id = team_id
        self._after_commit: list[AfterCommit] = []

    @property
    def team_id(self) -> uuid.UUID | None:
        """The team whose rows RLS shows now (None: no team yet)."""
        return self._team_id

    def after_commit(self, action: AfterCommit) -> None:
        """Run ``action`` once the transaction has committed (not at all if it rolls back).

        For side effects outside the database (enqueueing a job, a notice to other processes); a
        failure is logged, not raised: durable state, such as a queued sync run, is what
        recovers from it (while Redis is down, a rate-limited warning rather than a traceback
        per call).
        """
        self._after_commit.append(action)

    async def set_tenant(
        self, *, team_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
    ) -> None:
        """Switch the tenant RLS sees for the rest of the transaction."""
        await set_tenant(self.conn, team_id=team_id, user_id=user_id)
        self._team_id = team_id

    async def _wrote(self) -> uuid.UUID | None:
        """The team to poke: the tenant's, when the transaction wrote a table of the feed."""
        if self.read_only or self._team_id is None:
            return None
        wrote = await self.conn.fetchval(FEED_WRITTEN)
        return self._team_id if wrote else None

    async def _committed(self, poke: uuid.UUID | None) -> None:
        actions = [*self._after_commit]
        if poke is not None:
            actions.append(lambda: self.runtime.poke(poke))
        for action in actions:
            try:
                await action()
            except Exception as exc:
                self.runtime.unavailable.log(exc, "after-commit action", log)


@asynccontextmanager
async def unit_of_work(
    runtime: Runtime,
    *,
    team_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    read_only: bool = False,
) -> AsyncIterator[Work]:
    """A transaction (committed on success, rolled back on error) with the tenant set."""
    async with runtime.db.transaction(
        team_id=team_id, user_id=user_id, read_only=read_only
    ) as transaction:
        work = Work(runtime, transaction.connection, team_id, read_only=read_only)
        yield work
        poke = await work._wrote()
    await work._committed(poke)


@asynccontextmanager
async def held_unit_of_work(
    runtime: Runtime, conn: asyncpg.Connection, *, team_id: uuid.UUID
) -> AsyncIterator[Work]:
    """A unit of work on a connection the task already holds (a job's own, which it never
    gives up for a second one: decision 0019): the same transaction, tenant and follow-ups."""
    async with conn.transaction():
        await set_tenant(conn, team_id=team_id)
        work = Work(runtime, conn, team_id)
        yield work
        poke = await work._wrote()
    await work._committed(poke)
