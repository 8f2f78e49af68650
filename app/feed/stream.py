"""``GET /realtime/stream``: the team's changes as Server-Sent Events.

Catch-up from ``?cursor=`` or ``Last-Event-ID`` in pages, an ``up-to-date`` event, then live
``change`` events (id = cursor) from the process's ChangeHub; ``progress`` events for sync runs;
a ping comment every 15 s; ``must-refetch`` and close when the cursor cannot continue or the
client falls too far behind. Authentication as any team call, by header or cookie, never in the
URL. No database connection is held between queries.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import Request, get
from litestar.datastructures import State
from litestar.response import Response, ServerSentEvent, ServerSentEventMessage

from app.auth.tiers import authenticate_team
from app.feed import errors
from app.runtime import Runtime
from app.services import unit_of_work
from realtime.cursor import ChangeCursor
from realtime.delta import Change, DeltaPage
from realtime.hub import ChangeHub
from rpc import DomainError

__all__ = ["PING_SECONDS", "fetch_page", "stream"]

PING_SECONDS = 15.0
_RETRY_MS = 3000
_PAGE = 500


@dataclass
class _RequestCaller:
    headers: Any
    cookies: Any
    client_ip: str
    facts: dict[str, Any] = field(default_factory=dict)


def fetch_page(runtime: Runtime) -> Any:
    """The hub's delta query: one short unit of work per page."""

    async def fetch(team_id: uuid.UUID, cursor: ChangeCursor, limit: int) -> DeltaPage:
        async with unit_of_work(runtime, team_id=team_id) as services:
            return await services.feed.page(team_id, cursor, limit)

    return fetch


def _message(change: Change) -> ServerSentEventMessage:
    body = msgspec.json.encode(
        {"table": change.table, "op": change.op, "id": change.id, "row": change.row}
    )
    return ServerSentEventMessage(data=body.decode(), event="change", id=change.cursor)


def _progress(change: Change) -> ServerSentEventMessage | None:
    if change.table != "sync_runs":
        return None
    row = msgspec.json.decode(change.row)
    keys = ("status", "pages", "rowsSeen", "created", "updated", "deleted", "unchanged")
    body = {"syncRunId": str(change.id), **{k: row.get(k) for k in keys}}
    return ServerSentEventMessage(data=msgspec.json.encode(body).decode(), event="progress")


@get("/realtime/stream", media_type="text/event-stream")
async def stream(request: Request[Any, Any, Any], state: State) -> Any:
    """Server-Sent Events of the team's changes (see the module docstring)."""
    runtime: Runtime = state.runtime
    hub: ChangeHub = state.hub
    client = request.scope.get("client")
    caller = _RequestCaller(request.headers, request.cookies, client[0] if client else "")
    raw_cursor = request.headers.get("last-event-id") or request.query_params.get("cursor")
    try:
        team_id = await authenticate_team(runtime, caller)
        async with unit_of_work(runtime, team_id=team_id) as services:
            start = await services.feed.position(raw_cursor)
            await services.feed.page(team_id, start, 1)  # MUST_REFETCH now, as a plain 409
    except DomainError as exc:
        return Response(
            msgspec.json.encode(exc.body()), status_code=exc.status, media_type="application/json"
        )
    fetch = fetch_page(runtime)

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        cursor = start
        # Registered inside the generator: if the client leaves first, `finally` still runs.
        async with hub.subscribe(team_id, cursor) as subscription:
            yield ServerSentEventMessage(data=None, retry=_RETRY_MS, comment="connected")
            while True:  # catch-up, while live changes queue up behind
                try:
                    page = await fetch(team_id, cursor, _PAGE)
                except errors.MustRefetch:
                    yield ServerSentEventMessage(event="must-refetch", data="{}")
                    return
                for change in page.changes:
                    yield _message(change)
                    cursor = ChangeCursor.decode(change.cursor)
                if not page.has_more:
                    break
            yield ServerSentEventMessage(
                event="up-to-date", data=msgspec.json.encode({"cursor": cursor.encode()}).decode()
            )
            ping = PING_SECONDS * random.uniform(0.5, 1.0)
            while True:
                if subscription.overflowed.is_set():
                    yield ServerSentEventMessage(event="must-refetch", data="{}")
                    return
                try:
                    change = await asyncio.wait_for(subscription.queue.get(), ping)
                except TimeoutError:
                    yield ServerSentEventMessage(comment="ping")
                    ping = PING_SECONDS
                    continue
                if change is None:
                    return  # the server is stopping; the client resumes from its last id
                position = ChangeCursor.decode(change.cursor)
                if position <= cursor:
                    continue  # seen during catch-up: delivery is at-least-once, not twice here
                cursor = position
                yield _message(change)
                progress = _progress(change)
                if progress is not None:
                    yield progress

    return ServerSentEvent(
        events(), headers={"X-Accel-Buffering": "no", "Cache-Control": "no-cache"}
    )
