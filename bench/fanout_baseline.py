"""The baseline of bench/realtime.py (b): a plain Litestar SSE fan-out from one Redis subscription.

No database, no auth, no delta query: a poke on ``base:<team>`` carries its own JSON, and the
server writes it to every stream of that team (``X-API-Key`` names the team). Served like the
product (one uvicorn process, uvloop, httptools, ``gc.freeze()`` after start-up), so the ratio
of (b)'s delivery times to this one's is what the product's write, commit, poke and delta query
add to the fan-out itself.

Run by bench/realtime.py: ``python bench/fanout_baseline.py <port> <redis url>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as aioredis
import uvicorn
from litestar import Litestar, Request, get
from litestar.response import Stream

PREFIX = "base:"
_streams: dict[str, set[asyncio.Queue[bytes]]] = {}


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


def main() -> None:
    port, redis_url = int(sys.argv[1]), sys.argv[2]
    tasks: list[asyncio.Task[None]] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        tasks.append(asyncio.create_task(_listen(redis_url)))
        gc.freeze()
        gc.set_threshold(10_000, 10, 100)
        yield
        tasks[0].cancel()

    app = Litestar([stream], lifespan=[lifespan])
    uvicorn.run(
        app, host="127.0.0.1", port=port, loop="uvloop", http="httptools", log_level="warning",
        timeout_graceful_shutdown=1,
    )  # fmt: skip


if __name__ == "__main__":
    main()
