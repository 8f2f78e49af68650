"""Plain routes of exports: streamed downloads, and the files of background exports.

``GET /exports/subscribers.csv`` · ``.ndjson``: the subscribers ``subscribers.list`` would
select with the same query parameters, streamed by PostgreSQL's ``COPY`` through a bounded
buffer (constant memory; a slow client slows the query, a client that leaves cancels it).
Each runs in a download slot (DOWNLOAD_CONCURRENCY, DOWNLOAD_CONCURRENCY_PER_TEAM: over
either, 429 ``RATE_LIMITED``), under DOWNLOAD_STATEMENT_TIMEOUT_SECONDS, and a client that
reads nothing for DOWNLOAD_SEND_TIMEOUT_SECONDS is cut off: a slow reader costs only itself.
``GET /exports/files/{team}/{export}?expires=&signature=``: a signed link from ``exports.get``.

They answer with Litestar's low-level ASGI responses: its ``Stream`` takes the route's media
type over its own, and errors must stay JSON on a CSV route.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from anyio import CancelScope, create_task_group, fail_after
from litestar import Request, get
from litestar.datastructures import State
from litestar.params import Parameter
from litestar.response.base import ASGIResponse
from litestar.response.streaming import ASGIStreamingResponse
from litestar.types import Message, Receive, Send

from app.auth.tiers import RequestCaller, authenticate_team
from app.exports.copy import ExportFormat, copy_out, snapshot
from app.exports.links import download_links
from app.exports.storage import StoredFileMissing, export_storage
from app.runtime import Runtime
from app.streaming import Bound, Slots, opened
from app.subscribers.query import Selection
from app.subscribers.schemas import SubscriberFilter
from app.subscribers.service import check_search
from app.work import unit_of_work
from rpc import DomainError, NotFound, ValidationFailed

__all__ = ["download_file", "stream_csv", "stream_ndjson"]

log = logging.getLogger(__name__)

_MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
# Chunks in flight between the COPY and the client: what bounds the memory of one download.
_BUFFERED_CHUNKS = 8


def _problem(exc: DomainError) -> ASGIResponse:
    retry_after = getattr(exc.data, "retry_after", None)
    return ASGIResponse(
        body=msgspec.json.encode(exc.body()),
        status_code=exc.status,
        media_type="application/json",
        headers={"Retry-After": str(retry_after)} if isinstance(retry_after, int) else None,
    )


class ClientNotReading(Exception):
    """The client took none of the download for DOWNLOAD_SEND_TIMEOUT_SECONDS."""


class _TimedStream(ASGIStreamingResponse):
    """A streamed response whose every send must finish within ``send_timeout`` seconds: a
    client that stops reading is cut off (the server closes its socket) and the iterator is
    closed at once, which ends the COPY and gives its connection back."""

    __slots__ = ("send_timeout",)

    def __init__(self, *, send_timeout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.send_timeout = send_timeout

    async def send_body(self, send: Send, receive: Receive) -> None:
        async def timed(message: Message) -> None:
            with fail_after(self.send_timeout):
                await send(message)

        async with create_task_group() as group:

            async def stream() -> None:
                try:
                    await self._stream(timed)
                except TimeoutError:
                    log.warning(
                        "a download's client read nothing for %g s: cut off", self.send_timeout
                    )
                finally:
                    closing = getattr(self.iterator, "aclose", None)
                    if closing is not None:
                        with CancelScope(shield=True):  # also when the client left
                            await closing()
                    group.cancel_scope.cancel()  # done: stop listening for a disconnect

            group.start_soon(stream)
            await self._listen_for_disconnect(cancel_scope=group.cancel_scope, receive=receive)


def _filter(request: Request[Any, Any, Any]) -> SubscriberFilter:
    params = {key: request.query_params.getall(key)[-1] for key in request.query_params}
    try:
        spec = msgspec.convert(params, SubscriberFilter, strict=False)
    except msgspec.ValidationError as exc:
        raise ValidationFailed.of(exc) from None
    check_search(spec)
    return spec


async def _copy_chunks(
    runtime: Runtime, team_id: uuid.UUID, fmt: ExportFormat, spec: SubscriberFilter
) -> AsyncGenerator[bytes, None]:
    """The COPY's chunks, in the team's download slot (taken here, given back when the COPY
    ends); RateLimited before anything runs when no slot is free."""
    settings = runtime.settings
    selection = Selection.of(team_id, spec)
    # The queue holds the chunks and, past them, the end (None): only chunks take space, so
    # the end never waits for a reader.
    chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
    space = asyncio.Semaphore(_BUFFERED_CHUNKS)
    failure: list[BaseException] = []
    slots = runtime.held(_download_slots)
    slots.take(team=team_id)

    async def forward(chunk: bytes) -> None:
        # The reader stalls, the buffer stays full: the COPY waits, then gives up (twice the
        # send timeout: the send's own timeout normally ends it first).
        try:
            await asyncio.wait_for(space.acquire(), settings.download_send_timeout_seconds * 2)
        except TimeoutError:
            raise ClientNotReading("the client stopped reading the download") from None
        chunks.put_nowait(bytes(chunk))  # asyncpg hands over a bytearray

    async def produce() -> None:
        try:
            timeout = settings.download_statement_timeout_seconds
            async with (
                runtime.db.acquire() as conn,
                snapshot(conn, team_id, statement_timeout=timeout),
            ):
                await copy_out(conn, fmt, selection, forward)
        except Exception as exc:
            failure.append(exc)
        finally:
            slots.give_back(team=team_id)
        chunks.put_nowait(None)

    try:
        producer = asyncio.create_task(produce())
    except BaseException:
        slots.give_back(team=team_id)
        raise
    try:
        while (chunk := await chunks.get()) is not None:
            space.release()
            yield chunk
        if failure:
            # Headers are gone: the client sees a cut-off body, never a partial file as whole.
            if isinstance(failure[0], ClientNotReading):
                log.warning("a download's client read nothing: its COPY was stopped")
            else:
                runtime.unavailable.log(failure[0], "export stream", log)
            raise failure[0]
    finally:
        # The client left (or we are done): cancelling the COPY makes asyncpg cancel the query.
        producer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await producer


async def _stream(
    request: Request[Any, Any, Any], runtime: Runtime, fmt: ExportFormat
) -> ASGIResponse:
    try:
        team_id = await authenticate_team(runtime, RequestCaller.of(request))
        spec = _filter(request)
    except DomainError as exc:
        return _problem(exc)
    # The first chunk before the headers: a database that cannot be reached answers 503 (by
    # the app's handler), not a 200 with an empty body; no free slot answers 429.
    try:
        body = await opened(_copy_chunks(runtime, team_id, fmt, spec))
    except DomainError as exc:
        return _problem(exc)
    day = dt.datetime.now(dt.UTC).date().isoformat()
    return _TimedStream(
        send_timeout=runtime.settings.download_send_timeout_seconds,
        iterator=body,
        media_type=_MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="subscribers-{day}.{fmt}"',
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        },
    )


@get("/exports/subscribers.csv")
async def stream_csv(request: Request[Any, Any, Any], state: State) -> ASGIResponse:
    """The team's subscribers as CSV (team auth; the filters of subscribers.list)."""
    return await _stream(request, state.runtime, "csv")


@get("/exports/subscribers.ndjson")
async def stream_ndjson(request: Request[Any, Any, Any], state: State) -> ASGIResponse:
    """The team's subscribers as NDJSON, one object per line (team auth)."""
    return await _stream(request, state.runtime, "ndjson")


@get("/exports/files/{team_id:uuid}/{export_id:uuid}")
async def download_file(
    state: State,
    team_id: uuid.UUID,
    export_id: uuid.UUID,
    expires: int = Parameter(query="expires", default=0),
    signature: str = Parameter(query="signature", default=""),
) -> ASGIResponse:
    """The file of a background export, by the signed link ``exports.get`` gives."""
    runtime: Runtime = state.runtime
    if not download_links(runtime).valid(team_id, export_id, expires, signature):
        return _problem(NotFound("this link is not valid or has expired: get the export again"))
    async with unit_of_work(runtime, team_id=team_id, read_only=True) as work:
        row = await work.conn.fetchrow(
            "SELECT format, gzip, file_key, status FROM exports WHERE id = $1", export_id
        )
    if row is None or row["status"] != "succeeded":
        return _problem(NotFound("this export has no file (expired or not finished)"))
    try:
        chunks = export_storage(runtime).reader(row["file_key"])
    except StoredFileMissing:
        return _problem(NotFound("this export's file is gone"))
    name = f"subscribers-{export_id}.{row['format']}{'.gz' if row['gzip'] else ''}"
    return _TimedStream(  # no connection held, but a file: a reader that stops is cut off too
        send_timeout=runtime.settings.download_send_timeout_seconds,
        iterator=chunks,
        media_type="application/gzip" if row["gzip"] else _MEDIA_TYPES[row["format"]],
        content_length=export_storage(runtime).size(row["file_key"]),
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def _download_slots(runtime: Runtime) -> Slots:
    """Streamed downloads running in this process (DOWNLOAD_CONCURRENCY, per team too)."""
    settings = runtime.settings
    return Slots(
        "downloads",
        5,
        Bound(None, settings.download_concurrency, "DOWNLOAD_CONCURRENCY", "this server"),
        Bound(
            "team",
            settings.download_concurrency_per_team,
            "DOWNLOAD_CONCURRENCY_PER_TEAM",
            "this team",
        ),
    )
