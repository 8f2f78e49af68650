"""The baseline of bench/realtime.py (b): a plain Litestar SSE fan-out from one Redis subscription.

No database, no auth, no delta query: a poke on ``base:<team>`` carries its own JSON, and the
server writes it to every stream of that team (``X-API-Key`` names the team). Served like the
product (one uvicorn process, uvloop, httptools, ``gc.freeze()`` after start-up), so the ratio
of (b)'s delivery times to this one's is what the product's write, commit, poke and delta query
add to the fan-out itself.

With a database URL (the second baseline), it also takes the product's write request,
``POST /rpc/espConnections.update {id, name}`` with ``X-API-Key: <team>``, and does the least
of that work: one ``UPDATE`` of the team's row in a transaction (BEGIN, the statement, COMMIT on
a pooled asyncpg connection), then one ``PUBLISH`` carrying the event, then the answer. No auth,
no tenant, no request log, no delta query: the ratio against it is the product's fan-out
against a bare fan-out of the same write, both timed from the same HTTP client.

Run by bench/realtime.py: ``python bench/fanout_baseline.py <port> <redis url> [<database url>]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
import redis.asyncio as aioredis
import uvicorn
from litestar import Litestar, Request, Response, get, post
from litestar.response import Stream

PREFIX = "base:"
_streams: dict[str, set[asyncio.Queue[bytes]]] = {}
_TABLE = "CREATE TABLE IF NOT EXISTS fanout_baseline (team text PRIMARY KEY, name text NOT NULL)"
_written: dict[str, Any] = {}  # the second baseline's pool and Redis client


class _Write(msgspec.Struct):
    id: str
    name: str


async def _listen(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url, socket_timeout=None)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.psubscribe(f"{PREFIX}*")
    async for message in pubsub.listen():
        if message.get("type") != "pmessage":
            continue
        team = message["channel"].decode().removeprefix(PREFIX)
        event = b"event: change\r\ndata: %s\r\n\r\n" % message["data"]
        for queue in _streams.get(team, ()):
            queue.put_nowait(event)


@get("/realtime/stream", media_type="text/event-stream")
async def stream(request: Request[Any, Any, Any]) -> Stream:
    team = request.headers.get("x-api-key", "")

    async def events() -> AsyncIterator[bytes]:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        _streams.setdefault(team, set()).add(queue)
        try:
            yield b"event: up-to-date\r\ndata: {}\r\n\r\n"
            while True:
                yield await queue.get()
        finally:
            _streams[team].discard(queue)

    return Stream(events(), media_type="text/event-stream")


@post("/rpc/espConnections.update", status_code=200)
async def write(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The product's write, bare: one UPDATE committed, then the event published."""
    team = request.headers.get("x-api-key", "")
    data = msgspec.json.decode(await request.body(), type=_Write)
    pool: asyncpg.Pool = _written["pool"]
    async with pool.acquire() as conn, conn.transaction():
        made = await conn.fetchval(  # now(): the transaction's start, as the product's updatedAt
            "INSERT INTO fanout_baseline (team, name) VALUES ($1, $2) "
            "ON CONFLICT (team) DO UPDATE SET name = excluded.name RETURNING now()",
            team,
            data.name,
        )
    event = msgspec.json.encode({"id": data.id, "name": data.name, "updatedAt": made})
    await _written["redis"].publish(f"{PREFIX}{team}", event)
    return Response(event, media_type="application/json")


def main() -> None:
    port, redis_url = int(sys.argv[1]), sys.argv[2]
    database_url = sys.argv[3] if len(sys.argv) > 3 else None
    tasks: list[asyncio.Task[None]] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        tasks.append(asyncio.create_task(_listen(redis_url)))
        if database_url is not None:
            _written["pool"] = await asyncpg.create_pool(database_url, min_size=20, max_size=20)
            await _written["pool"].execute(_TABLE)
            _written["redis"] = aioredis.Redis.from_url(redis_url)
        gc.freeze()
        gc.set_threshold(10_000, 10, 100)
        yield
        tasks[0].cancel()
        if database_url is not None:
            await _written["pool"].close()
            await _written["redis"].aclose()

    app = Litestar([stream, *([write] if database_url else [])], lifespan=[lifespan])
    uvicorn.run(
        app, host="127.0.0.1", port=port, loop="uvloop", http="httptools", log_level="warning",
        timeout_graceful_shutdown=1,
    )  # fmt: skip


if __name__ == "__main__":
    main()
