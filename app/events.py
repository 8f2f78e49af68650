"""Events: what happened to a team, recorded in the transaction that made it happen.

The ``events`` table is an outbox: webhook deliveries are made from it after commit, so an event
is never lost, nor announced for a write that rolled back. Subscriber events are emitted for
API writes; a sync reports its counts in ``sync.completed`` rather than one event per row.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal, get_args

import asyncpg
import msgspec

__all__ = ["EVENT_TYPES", "EventType", "emit"]

_EventName = Literal[
    "sync.completed",
    "sync.failed",
    "sync.needs_review",
    "subscriber.created",
    "subscriber.deleted",
    "usage.threshold",
    "export.ready",
    "webhook.disabled",
]
# Titled, so the SDKs declare it once, by name, wherever it is used.
EventType = Annotated[_EventName, msgspec.Meta(title="EventType", description="What happened.")]
EVENT_TYPES: tuple[str, ...] = get_args(_EventName)


async def emit(
    conn: asyncpg.Connection, team_id: uuid.UUID, event: EventType, data: dict[str, Any]
) -> uuid.UUID:
    """Record the event in the caller's transaction (under the team's RLS); its id."""
    event_id: uuid.UUID = await conn.fetchval(
        "INSERT INTO events (team_id, type, data) VALUES ($1, $2, $3::jsonb) RETURNING id",
        team_id,
        event,
        msgspec.json.encode(data).decode(),
    )
    return event_id
