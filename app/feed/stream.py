"""``GET /realtime/stream``: the team's changes as Server-Sent Events.

Catch-up from ``?cursor=`` or ``Last-Event-ID`` in pages, an ``up-to-date`` event, then live
``change`` events (id = cursor) from the process's ChangeHub, of the subset the other query
parameters select (FeedFilter, as sync.pull's ``filter``; lists comma-separated);
``progress`` events for sync runs and exports; a ping comment every 15 s; ``must-refetch`` and
close when the cursor cannot continue or the client falls too far behind; ``revoked`` (with a
reason) and close when the access it was opened with ends (app/auth/access.py): at once on an
access notice, at the session's or key's expiry, or at the re-check every
STREAM_REAUTH_SECONDS. Authentication as any team call, by header or cookie, never in the URL.
No database connection is held between queries. Events are written as bytes here: a live
change's are made once by the hub and shared by every stream of the team that gets it alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from typing import Any

import msgspec
from litestar import Request, get
from litestar.datastructures import State
from litestar.response import Response, Stream

from app.auth.access import Standing, StreamCredentials, standing
from app.auth.tiers import RequestCaller, authenticate_stream
from app.db import KeptConnection
from app.feed import errors
from app.feed.schemas import FeedFilter
from app.feed.service import FeedService, subset_of
from app.feed.tables import FEED
from app.observability import SSE_CONNECTIONS
from app.runtime import Runtime
from app.streaming import Bound, Slots, opened
from app.work import unit_of_work
from realtime import (
    EVERYTHING,
    Change,
    ChangeCursor,
    ChangeHub,
    DeltaPage,
    FetchPage,
    ReadXmin,
    Subscription,
    Subset,
    moved,
    snapshot_xmin,
)
from rpc import DomainError, ValidationFailed

__all__ = [
    "PING_SECONDS",
    "MovedTeams",
    "fetch_page",
    "live_event",
    "read_xmin",
    "stream",
    "stream_filter",
]

PING_SECONDS = 15.0
_PAGE = 500
_CONNECTED = b": connected\r\nretry: 3000\r\n\r\n"
_PING = b": ping\r\n\r\n"
_MUST_REFETCH = b"event: must-refetch\r\ndata: {}\r\n\r\n"
_encode = msgspec.json.Encoder().encode


@contextlib.asynccontextmanager
async def _counted() -> AsyncIterator[None]:
    """The open-streams gauge, for as long as a stream lasts."""
    SSE_CONNECTIONS.inc()
    try:
        yield
    finally:
        SSE_CONNECTIONS.dec()


def fetch_page(runtime: Runtime, subset: Subset = EVERYTHING) -> FetchPage:
    """The hub's delta query (the whole feed: one short unit of work per page, saying what is
    held back), or a stream's catch-up of its ``subset``."""
    held_back = subset == EVERYTHING

    async def fetch(team_id: uuid.UUID, cursor: ChangeCursor, limit: int) -> DeltaPage:
        async with unit_of_work(runtime, team_id=team_id, read_only=True) as work:
            return await FeedService(work.conn).page(
                team_id, cursor, limit, held_back=held_back, subset=subset
            )

    return fetch


_LISTS = ("tables", "status")  # FeedFilter's list fields: comma-separated in the query


def stream_filter(params: dict[str, str]) -> FeedFilter | None:
    """The filter the stream's query parameters (but ``cursor``) give; None without any.
    400 VALIDATION_FAILED (at ``$.<parameter>``) for a bad or unknown one."""
    given: dict[str, object] = {
        name: value.split(",") if name in _LISTS else value
        for name, value in params.items()
        if name != "cursor"
    }
    if not given:
        return None
    try:
        return msgspec.convert(given, FeedFilter, strict=False)
    except msgspec.ValidationError as exc:
        raise ValidationFailed.of(exc) from None


def read_xmin(runtime: Runtime) -> ReadXmin:
    """The hub's xmin probe: one statement on a pooled connection, no transaction."""

    async def read() -> int:
        async with runtime.db.acquire() as conn:
            return await snapshot_xmin(conn)

    return read


class MovedTeams:
    """The hub's sweep: which teams moved past their positions, one statement for all on a
    kept connection of the maintenance role (it sees every team; the statement reads stamps
    only, never a row)."""

    def __init__(self, runtime: Runtime) -> None:
        self._conn = KeptConnection(runtime.db)

    async def __call__(self, positions: Sequence[tuple[uuid.UUID, ChangeCursor]]) -> set[uuid.UUID]:
        async with self._conn.use() as conn:
            return await moved(conn, FEED, positions)

    async def close(self) -> None:
        await self._conn.close()


def _unavailable(runtime: Runtime) -> bytes:
    """The last event of a stream whose database went away: reconnect (with Last-Event-ID)
    after ``retryAfter`` seconds, also set as the EventSource's ``retry``."""
    seconds = runtime.unavailable.retry_after
    return b"retry: %d\r\n%s" % (
        seconds * 1000,
        _event(b"unavailable", _encode({"retryAfter": seconds})),
    )


def _revoked(reason: str) -> bytes:
    """The last event of a stream whose access ended: do not reconnect with the same
    credentials (they are refused)."""
    return _event(b"revoked", _encode({"reason": reason}))


def _event(event: bytes, data: bytes) -> bytes:
    """One SSE event; ``data`` is JSON, so it has no line breaks."""
    return b"event: %s\r\ndata: %s\r\n\r\n" % (event, data)


# Tables whose changes are also ``progress`` events: the id's name, and the fields shown.
_PROGRESS = {
    "sync_runs": (
        "syncRunId",
        ("status", "pages", "rowsSeen", "created", "updated", "deleted", "unchanged"),
    ),
    "exports": ("exportId", ("status", "rowCount", "totalRows")),
}


class _WireChange(msgspec.Struct, frozen=True):
    """A change as the stream sends it: a ChangeOut, as sync.pull's (a Change without the
    facets the hub filters by)."""

    table: str
    op: str
    id: uuid.UUID
    row: msgspec.Raw
    cursor: str


def _change_event(change: Change) -> bytes:
    body = _encode(_WireChange(change.table, change.op, change.id, change.row, change.cursor))
    return b"id: %s\r\n%s" % (change.cursor.encode(), _event(b"change", body))


def live_event(change: Change) -> bytes:
    """A live change's events: ``change``, and ``progress`` after a change of a sync run or an
    export (the hub's ``render``)."""
    if change.table not in _PROGRESS:
        return _change_event(change)
    id_name, keys = _PROGRESS[change.table]
    row = msgspec.json.decode(change.row)
    body = {id_name: str(change.id), **{k: row.get(k) for k in keys}}
    return _change_event(change) + _event(b"progress", _encode(body))


def _refused(exc: DomainError) -> Response[bytes]:
    """A stream refused before its headers, as JSON (429 and 503 say when to retry)."""
    retry_after = getattr(exc.data, "retry_after", None)
    return Response(
        msgspec.json.encode(exc.body()),
        status_code=exc.status,
        media_type="application/json",
        headers={"Retry-After": str(retry_after)} if isinstance(retry_after, int) else None,
    )


@get("/realtime/stream", media_type="text/event-stream")
async def stream(request: Request[Any, Any, Any], state: State) -> Any:
    """Server-Sent Events of the team's changes (see the module docstring)."""
    runtime: Runtime = state.runtime
    hub: ChangeHub = state.hub
    caller = RequestCaller.of(request)
    raw_cursor = request.headers.get("last-event-id") or request.query_params.get("cursor")
    try:
        credentials = await authenticate_stream(runtime, caller)
        team_id = credentials.team_id
        params = {name: request.query_params.getall(name)[-1] for name in request.query_params}
        subset = subset_of(stream_filter(params))
        async with unit_of_work(runtime, team_id=team_id, read_only=True) as work:
            feed = FeedService(work.conn)
            start = await feed.position(raw_cursor)
            await feed.page(team_id, start, 1)  # MUST_REFETCH now, as a plain 409
            # Where the hub starts reading the whole feed, if this is the team's first stream
            # here: a subset's cursor may lie far behind the team's other changes, all of
            # which the hub would read again (its catch-up reads only the subset's).
            seed = start if subset == EVERYTHING else await feed.head(team_id)
    except DomainError as exc:
        return _refused(exc)
    fetch = fetch_page(runtime, subset)
    slots = runtime.held(_stream_slots)

    key_id = credentials.key_id
    loop = asyncio.get_running_loop()
    reauth = runtime.settings.stream_reauth_seconds

    def next_check() -> float:  # jittered, so that streams opened together do not check together
        return loop.time() + reauth * random.uniform(0.8, 1.0)

    async def events() -> AsyncGenerator[bytes, None]:
        cursor = start
        slots.take(team=team_id, key=key_id)  # RateLimited (429) before the headers, from opened()
        # Registered inside the generator: if the client leaves first, `finally` still runs.
        try:
            async with (
                hub.subscribe(team_id, seed, credentials.tags, subset) as subscription,
                _counted(),
            ):
                # After subscribing: access that ends from here on ends the stream by notice.
                held = await _standing(credentials)
                if held.ended is not None:
                    yield _revoked(held.ended)
                    return
                yield _CONNECTED
                expires_at = None if held.expires_in is None else loop.time() + held.expires_in
                async for event in relay(cursor, subscription, expires_at):
                    yield event
        finally:
            slots.give_back(team=team_id, key=key_id)

    async def _standing(credentials: StreamCredentials) -> Standing:
        try:
            return await standing(runtime, credentials)
        except Exception as exc:  # an outage: the hub ends the stream if it lasts
            if not runtime.unavailable.matches(exc):
                raise
            runtime.unavailable.note(exc, "/realtime/stream")
            return Standing(None)

    async def relay(
        cursor: ChangeCursor, subscription: Subscription, expires_at: float | None
    ) -> AsyncIterator[bytes]:
        """Catch-up pages, ``up-to-date``, then live changes and pings until the stream ends."""
        while True:  # catch-up, while live changes queue up behind
            if subscription.ended is not None:
                yield _revoked(subscription.ended)
                return
            try:
                page = await fetch(team_id, cursor, _PAGE)
            except errors.MustRefetch:
                yield _MUST_REFETCH
                return
            except Exception as exc:
                if not runtime.unavailable.matches(exc):
                    raise
                runtime.unavailable.note(exc, "/realtime/stream")
                yield _unavailable(runtime)
                return
            if page.changes:
                yield b"".join(_change_event(change) for change in page.changes)
            cursor = page.cursor
            if not page.has_more:
                break
        yield _event(b"up-to-date", _encode({"cursor": cursor.encode()}))
        ping_at = loop.time() + PING_SECONDS * random.uniform(0.5, 1.0)
        check_at = next_check()
        while True:
            if subscription.ended is not None:  # checked first: nothing more after it
                yield _revoked(subscription.ended)
                return
            if subscription.overflowed.is_set():
                yield _MUST_REFETCH
                return
            wake_at = min(ping_at, check_at, check_at if expires_at is None else expires_at)
            try:
                async with asyncio.timeout_at(wake_at):
                    live = await subscription.queue.get()
            except TimeoutError:
                now = loop.time()
                if expires_at is not None and now >= expires_at:
                    subscription.end(credentials.expired)
                elif now >= check_at:
                    held = await _standing(credentials)
                    if held.ended is not None:
                        subscription.end(held.ended)
                    elif held.expires_in is not None:
                        expires_at = loop.time() + held.expires_in
                    check_at = next_check()
                if now >= ping_at:
                    yield _PING
                    ping_at = now + PING_SECONDS
                continue
            if live is None:  # ended, or the client resumes from its last id
                if subscription.ended is not None:
                    continue  # said at the top of the loop
                if subscription.unavailable:  # the database went away
                    yield _unavailable(runtime)
                return  # or the server is stopping
            if live.position <= cursor:
                continue  # seen during catch-up: delivery is at-least-once, not twice here
            cursor = live.position
            yield live.data

    try:
        body = await opened(events())
    except DomainError as exc:
        return _refused(exc)
    return Stream(
        body,
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no", "Cache-Control": "no-cache"},
    )


def _stream_slots(runtime: Runtime) -> Slots:
    """Live streams open in this process (STREAM_CONCURRENCY, per team and per key too)."""
    settings = runtime.settings
    return Slots(
        "live streams",
        10,
        Bound(None, settings.stream_concurrency, "STREAM_CONCURRENCY", "this server"),
        Bound(
            "team",
            settings.stream_concurrency_per_team,
            "STREAM_CONCURRENCY_PER_TEAM",
            "this team",
        ),
        Bound(
            "key",
            settings.stream_concurrency_per_key,
            "STREAM_CONCURRENCY_PER_KEY",
            "this API key",
        ),
    )
