"""espConnections.*, syncRuns.* and cron.*."""

from __future__ import annotations

import datetime as dt

from app.auth.tiers import CRON, TEAM, CronContext, TeamContext
from app.quotas import QuotaExceeded
from app.schemas import Empty, IdInput, Ok
from app.sync.errors import CredentialsRejected, EspUnavailable, RestoreExpired, RunNotInReview
from app.sync.jobs import queue_active_connections
from app.sync.schemas import (
    ConnectionList,
    ConnectionOut,
    ConnectionsInput,
    CreateConnectionInput,
    SyncAllOut,
    SyncQueued,
    SyncRunList,
    SyncRunOut,
    SyncRunsInput,
    UpdateConnectionInput,
)
from app.sync.service import ConnectionService
from app.usage.errors import PlanLimitReached
from app.usage.service import UsageService
from rpc import NotFound, Registry

__all__ = ["procedures"]

procedures = Registry()


@procedures.procedure(
    "espConnections.create",
    idempotent=True,
    tier=TEAM,
    scope="admin",
    errors=(CredentialsRejected, EspUnavailable),
)
async def create_connection(ctx: TeamContext, data: CreateConnectionInput) -> ConnectionOut:
    """Connect an ESP account (admin). The credentials are checked with the provider first.

    They are stored encrypted and never returned.
    """
    ctx.require("admin")
    return await ConnectionService(ctx.work).create(
        ctx.team_id, data.provider, data.name, data.credentials, data.list_id
    )


@procedures.procedure("espConnections.list", tier=TEAM, scope="read")
async def list_connections(ctx: TeamContext, data: ConnectionsInput) -> ConnectionList:
    """The team's ESP connections; with ``includeDeleted``, the deleted ones too."""
    connections = await ConnectionService(ctx.work).all(include_deleted=data.include_deleted)
    return ConnectionList(items=connections)


@procedures.procedure("espConnections.get", tier=TEAM, scope="read", errors=(NotFound,))
async def get_connection(ctx: TeamContext, data: IdInput) -> ConnectionOut:
    """One ESP connection."""
    return await ConnectionService(ctx.work).get(data.id)


@procedures.procedure(
    "espConnections.update",
    idempotent=True,
    tier=TEAM,
    scope="admin",
    errors=(NotFound, CredentialsRejected, EspUnavailable),
)
async def update_connection(ctx: TeamContext, data: UpdateConnectionInput) -> ConnectionOut:
    """Rename, pause or resume a connection, or replace its credentials (admin).

    New credentials are checked with the provider first, and clear an ``error`` status.
    """
    ctx.require("admin")
    return await ConnectionService(ctx.work).update(
        data.id, name=data.name, status=data.status, credentials=data.credentials
    )


@procedures.procedure(
    "espConnections.delete", idempotent=True, tier=TEAM, scope="admin", errors=(NotFound,)
)
async def delete_connection(ctx: TeamContext, data: IdInput) -> Ok:
    """Remove a connection (admin); its subscribers become tombstones. For
    CONNECTION_RESTORE_HOURS ``espConnections.restore`` brings both back; then the subscribers
    are removed for good, local fields and all."""
    ctx.require("admin")
    await ConnectionService(ctx.work).delete(data.id)
    return Ok()


@procedures.procedure(
    "espConnections.restore",
    idempotent=True,
    tier=TEAM,
    scope="admin",
    errors=(NotFound, RestoreExpired),
)
async def restore_connection(ctx: TeamContext, data: IdInput) -> ConnectionOut:
    """Undo ``espConnections.delete`` within CONNECTION_RESTORE_HOURS (admin): the connection
    comes back ``paused`` (resume it with espConnections.update) with exactly the subscribers
    the deletion tombstoned, local fields included. 422 CONNECTION_RESTORE_EXPIRED after."""
    ctx.require("admin")
    return await ConnectionService(ctx.work).restore(data.id)


@procedures.procedure(
    "espConnections.sync",
    idempotent=True,
    tier=TEAM,
    scope="write",
    errors=(NotFound, PlanLimitReached, QuotaExceeded),
    status_code=202,
)
async def sync_connection(ctx: TeamContext, data: IdInput) -> SyncQueued:
    """Queue a sync of the connection now; follow it with syncRuns.get or the change feed.

    422 PLAN_LIMIT_REACHED once the period's synced subscribers reach the plan's limit; 429
    QUOTA_EXCEEDED while the team has TEAM_MAX_CONCURRENT_SYNCS runs queued or running.
    """
    await UsageService(ctx.work.conn).require_room(ctx.team_id, "synced_subscribers")
    run_id = await ConnectionService(ctx.work).queue_sync(ctx.team_id, data.id)
    return SyncQueued(sync_run_id=run_id)


@procedures.procedure("syncRuns.list", tier=TEAM, scope="read")
async def list_runs(ctx: TeamContext, data: SyncRunsInput) -> SyncRunList:
    """Recent sync runs, newest first, of one connection or all."""
    return SyncRunList(items=await ConnectionService(ctx.work).runs(data.connection_id, data.limit))


@procedures.procedure("syncRuns.get", tier=TEAM, scope="read", errors=(NotFound,))
async def get_run(ctx: TeamContext, data: IdInput) -> SyncRunOut:
    """One sync run: status, counts, error, timings."""
    return await ConnectionService(ctx.work).run(data.id)


@procedures.procedure(
    "syncRuns.approve",
    idempotent=True,
    tier=TEAM,
    scope="admin",
    errors=(NotFound, RunNotInReview, PlanLimitReached, QuotaExceeded),
    status_code=202,
)
async def approve_run(ctx: TeamContext, data: IdInput) -> SyncQueued:
    """Allow the deletions a ``needs_review`` run withheld (admin): queues a run (trigger
    ``approval``) that lists the provider again and may delete up to as many rows as the
    reviewed run would have; if the listing now leaves out more, it waits in review again.
    Approving twice gives the same run. 409 SYNC_RUN_NOT_IN_REVIEW for any other run."""
    ctx.require("admin")
    await UsageService(ctx.work.conn).require_room(ctx.team_id, "synced_subscribers")
    run_id = await ConnectionService(ctx.work).approve(ctx.team_id, data.id)
    return SyncQueued(sync_run_id=run_id)


@procedures.procedure("cron.syncAll", tier=CRON)
async def sync_all(ctx: CronContext, data: Empty) -> SyncAllOut:
    """Queue every active connection, as the midnight job does (once per minute at most); not
    those of teams scheduled for deletion or at their plan's synced-subscriber limit."""
    tick = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    return SyncAllOut(queued=await queue_active_connections(ctx.work.runtime, tick))
