"""subscribers.*: a write reaches the change feed by the unit of work's poke after commit."""

from __future__ import annotations

from app.auth.tiers import TEAM, TeamContext
from app.schemas import IdInput, Ok, check_json_field
from app.subscribers.errors import SubscriberDeleted, SubscriberExists
from app.subscribers.schemas import (
    CountsInput,
    CreateSubscriberInput,
    HistoryInput,
    SubscriberCounts,
    SubscriberHistory,
    SubscriberList,
    SubscriberOut,
    SubscriberPageInput,
    UpdateSubscriberInput,
)
from app.subscribers.service import SubscriberService
from rpc import NotFound, Registry

__all__ = ["procedures"]

procedures = Registry()


@procedures.procedure("subscribers.list", tier=TEAM, scope="read")
async def list_subscribers(ctx: TeamContext, data: SubscriberPageInput) -> SubscriberList:
    """A page of subscribers, newest first, filtered by status, connection and search words.

    Pass the page's ``nextAfter`` as ``after`` for the next one (null on the last page); rows
    added meanwhile never shift a page, so nothing is skipped or repeated.
    """
    return await SubscriberService(ctx.work.conn).page(ctx.team_id, data)


@procedures.procedure("subscribers.counts", tier=TEAM, scope="read")
async def count_subscribers(ctx: TeamContext, data: CountsInput) -> SubscriberCounts:
    """How many subscribers have each status (live ones), and how many are deleted."""
    return await SubscriberService(ctx.work.conn).counts(ctx.team_id, data.connection_id)


@procedures.procedure("subscribers.history", tier=TEAM, scope="read")
async def subscriber_history(ctx: TeamContext, data: HistoryInput) -> SubscriberHistory:
    """How many subscribers had each status, per day over the last ``days`` (90 by default),
    for a chart: read from the daily rollup (decision 0035), never from the subscribers."""
    return await SubscriberService(ctx.work.conn).history(ctx.team_id, data)


@procedures.procedure("subscribers.get", tier=TEAM, scope="read", errors=(NotFound,))
async def get_subscriber(ctx: TeamContext, data: IdInput) -> SubscriberOut:
    """One subscriber, soft-deleted ones included."""
    return await SubscriberService(ctx.work.conn).get(data.id)


@procedures.procedure(
    "subscribers.create", idempotent=True, tier=TEAM, scope="write", errors=(SubscriberExists,)
)
async def create_subscriber(ctx: TeamContext, data: CreateSubscriberInput) -> SubscriberOut:
    """Add a subscriber by hand (no ESP). The email is trimmed, its domain lower-cased; an
    address the team already has answers 409 with that subscriber's id. ``customFields`` and
    ``localFields``: JSON objects of at most JSON_FIELDS_MAX_BYTES / _KEYS / _DEPTH each."""
    _check_fields(ctx, data)
    return await SubscriberService(ctx.work.conn).create(ctx.team_id, data)


@procedures.procedure(
    "subscribers.update",
    idempotent=True,
    tier=TEAM,
    scope="write",
    errors=(NotFound, SubscriberExists, SubscriberDeleted),
)
async def update_subscriber(ctx: TeamContext, data: UpdateSubscriberInput) -> SubscriberOut:
    """Edit a subscriber. On a synced one, the provider's fields are overwritten by the next
    sync (the provider wins; the run counts a conflict); ``localFields`` are never touched.
    The JSON fields are bounded as in subscribers.create."""
    _check_fields(ctx, data)
    return await SubscriberService(ctx.work.conn).update(data)


@procedures.procedure(
    "subscribers.delete", idempotent=True, tier=TEAM, scope="write", errors=(NotFound,)
)
async def delete_subscriber(ctx: TeamContext, data: IdInput) -> Ok:
    """Soft-delete a subscriber: replicas get a tombstone; ``subscribers.restore`` undoes it.
    A synced subscriber the provider still lists comes back with the next sync."""
    await SubscriberService(ctx.work.conn).delete(data.id)
    return Ok()


@procedures.procedure(
    "subscribers.restore",
    idempotent=True,
    tier=TEAM,
    scope="write",
    errors=(NotFound, SubscriberExists),
)
async def restore_subscriber(ctx: TeamContext, data: IdInput) -> SubscriberOut:
    """Bring back a soft-deleted subscriber (409 if its address was taken meanwhile)."""
    return await SubscriberService(ctx.work.conn).restore(data.id)


def _check_fields(ctx: TeamContext, data: CreateSubscriberInput | UpdateSubscriberInput) -> None:
    settings = ctx.work.runtime.settings
    check_json_field(data.custom_fields, "$.customFields", settings)
    check_json_field(data.local_fields, "$.localFields", settings)
