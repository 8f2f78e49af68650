"""The unit of work: one transaction with the tenant set, and the services that run in it.

Procedures (through their tier), jobs and the CLI all open work the same way::

    async with unit_of_work(runtime, team_id=team) as services:
        await services.teams.list_members(team)
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import cached_property

import asyncpg

from app.auth.service import AuthService
from app.credentials import CredentialCipher
from app.db import set_tenant
from app.exports.service import ExportService
from app.feed.service import FeedService
from app.runtime import Runtime
from app.subscribers.service import SubscriberService
from app.sync.service import ConnectionService
from app.teams.service import TeamService
from app.usage.service import UsageService
from app.webhooks.service import WebhookService

__all__ = ["Services", "unit_of_work"]

log = logging.getLogger(__name__)


class Services:
    """Feature services bound to one transaction's connection."""

    def __init__(self, runtime: Runtime, conn: asyncpg.Connection) -> None:
        self.runtime = runtime
        self.conn = conn
        self._after_commit: list[Callable[[], Awaitable[object]]] = []
        self._poke: set[uuid.UUID] = set()
        self._keys_changed: set[uuid.UUID] = set()

    def after_commit(self, action: Callable[[], Awaitable[object]]) -> None:
        """Run ``action`` once the transaction has committed (not at all if it rolls back).

        For side effects outside the database (enqueueing a job); a failure is logged, not
        raised: durable state, such as a queued sync run, is what recovers from it (while Redis
        is down, a rate-limited warning rather than a traceback per call).
        """
        self._after_commit.append(action)

    def changed(self, team_id: uuid.UUID) -> None:
        """Note that the team's synced rows changed: a poke goes out after commit."""
        self._poke.add(team_id)

    def keys_changed(self, team_id: uuid.UUID) -> None:
        """Note that what a call by one of the team's API keys may do changed (a key revoked,
        the team's deletion scheduled or cancelled): this process reads them again after commit."""
        self._keys_changed.add(team_id)

    async def _committed(self) -> None:
        for team in self._keys_changed:
            self.runtime.api_keys.forget_team(team)
        actions = [*self._after_commit]
        actions += [functools.partial(self.runtime.poke, team) for team in self._poke]
        for action in actions:
            try:
                await action()
            except Exception as exc:
                self.runtime.unavailable.log(exc, "after-commit action", log)

    async def set_tenant(
        self, *, team_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
    ) -> None:
        """Switch the tenant RLS sees for the rest of the transaction."""
        await set_tenant(self.conn, team_id=team_id, user_id=user_id)

    @cached_property
    def auth(self) -> AuthService:
        return AuthService(self.conn, self.runtime.settings, self.runtime.hashing, self._cipher())

    def _cipher(self) -> CredentialCipher | None:
        """The cipher that seals mailed tokens (none without SECRET_KEYS: a CLI command)."""
        return self.runtime.cipher if self.runtime.settings.secret_keys else None

    @cached_property
    def teams(self) -> TeamService:
        return TeamService(self.conn, self.runtime.settings, self._cipher())

    @cached_property
    def feed(self) -> FeedService:
        return FeedService(self.conn)

    @cached_property
    def subscribers(self) -> SubscriberService:
        return SubscriberService(self.conn)

    @cached_property
    def webhooks(self) -> WebhookService:
        return WebhookService(self.conn, self.runtime)

    @cached_property
    def usage(self) -> UsageService:
        return UsageService(self.conn)

    @cached_property
    def exports(self) -> ExportService:
        return ExportService(self.conn, self.runtime)

    @cached_property
    def connections(self) -> ConnectionService:
        return ConnectionService(self.conn, self.runtime)


@asynccontextmanager
async def unit_of_work(
    runtime: Runtime, *, team_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
) -> AsyncIterator[Services]:
    """A transaction (committed on success, rolled back on error) with the tenant set."""
    async with runtime.db.transaction(team_id=team_id, user_id=user_id) as transaction:
        services = Services(runtime, transaction.connection)
        yield services
    await services._committed()
