"""The SSE stream: catch-up, up-to-date, live changes through the Redis fan-out, resume."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import redis.asyncio as aioredis
from httpx_sse import aconnect_sse

from app.config import Settings
from app.db import role_url
from realtime import change_channel
from tests.support import Caller, ServerProcess, member_of_new_team, start_server, wait_for


async def _insert(database_url: str, team: uuid.UUID, emails: list[str]) -> None:
    """Write as the app role, then poke, as the API and the worker do after a commit."""
    conn = await asyncpg.connect(role_url(database_url, "subnest_app"))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.team_id', $1, true)", str(team))
            for email in emails:
                await conn.execute(
                    "INSERT INTO subscribers (team_id, email) VALUES ($1, $2)", team, email
                )
    finally:
        await conn.close()


async def _poke(settings: Settings, team: uuid.UUID) -> None:
    client = aioredis.Redis.from_url(settings.redis_url or "")
    try:
        await client.publish(change_channel(team), b"")
    finally:
        await client.aclose()


async def _events(
    base_url: str, headers: dict[str, str], **params: str
) -> AsyncIterator[tuple[str, str, Any]]:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as http,
        aconnect_sse(http, "GET", "/realtime/stream", headers=headers, params=params) as source,
    ):
        assert source.response.headers["x-accel-buffering"] == "no"
        async for event in source.aiter_sse():
            yield event.event, event.id, json.loads(event.data) if event.data else None


async def test_catch_up_then_live_then_resume_without_a_gap(
    server: ServerProcess, settings: Settings, database_url: str
) -> None:
    caller, team_id = member_of_new_team(server.base_url)
    team = uuid.UUID(team_id)
    await _insert(database_url, team, [f"old{n}@example.com" for n in range(3)])
    seen: list[str] = []
    last_id = ""
    async with asyncio.timeout(30):
        stream = _events(server.base_url, caller.headers)
        async for kind, event_id, data in stream:
            if kind == "change" and data["table"] == "subscribers":
                seen.append(data["row"]["email"])
                last_id = event_id
            if kind == "up-to-date":
                await _insert(database_url, team, ["live1@example.com", "live2@example.com"])
                await _poke(settings, team)
            if len(seen) == 5:
                break
        await stream.aclose()
    assert seen[:3] == [f"old{n}@example.com" for n in range(3)]
    assert sorted(seen[3:]) == ["live1@example.com", "live2@example.com"]

    # Disconnected; more is written; resuming from Last-Event-ID brings exactly the rest.
    await _insert(database_url, team, ["after1@example.com", "after2@example.com"])
    resumed: list[str] = []
    async with asyncio.timeout(30):
        stream = _events(server.base_url, {**caller.headers, "Last-Event-ID": last_id})
        async for kind, _, data in stream:
            if kind == "change" and data["table"] == "subscribers":
                resumed.append(data["row"]["email"])
            if kind == "up-to-date":
                break
        await stream.aclose()
    assert resumed == ["after1@example.com", "after2@example.com"]


async def test_the_stream_refuses_bad_credentials_and_foreign_cursors(
    server: ServerProcess,
) -> None:
    caller, _ = member_of_new_team(server.base_url)
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        anonymous = await http.get("/realtime/stream")
        assert anonymous.status_code == 401
        assert anonymous.json()["code"] == "UNAUTHENTICATED"
        assert anonymous.headers["content-type"].startswith("application/json")
        foreign = await http.get(
            "/realtime/stream", params={"cursor": "v1.000000000000.5.5"}, headers=caller.headers
        )
        assert foreign.status_code == 409
        assert foreign.json()["code"] == "MUST_REFETCH"


def test_live_streams_are_bounded_per_team_and_per_process(settings: Settings) -> None:
    """A team's streams past STREAM_CONCURRENCY_PER_TEAM, and any past STREAM_CONCURRENCY,
    answer 429 with Retry-After before the stream starts; a closed stream frees its slot."""
    limits = {"STREAM_CONCURRENCY_PER_TEAM": "2", "STREAM_CONCURRENCY": "3"}
    with (
        start_server(settings, **limits) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as http,
        contextlib.ExitStack() as streams,
    ):
        hog, _ = member_of_new_team(server.base_url)
        other, _ = member_of_new_team(server.base_url, "other@example.com")
        readers: list[Iterator[bytes]] = []

        def opened(caller: Caller) -> httpx.Response | None:
            """A stream that started (kept open), or None when it was refused."""
            response = streams.enter_context(
                http.stream("GET", "/realtime/stream", headers=caller.headers)
            )
            if response.status_code != 200:
                response.read()
                assert response.status_code == 429, response.text
                assert response.json()["code"] == "RATE_LIMITED"
                assert int(response.headers["retry-after"]) > 0
                return None
            reader = response.iter_raw()
            readers.append(reader)  # kept: a reader collected half-read closes its connection
            assert next(reader).startswith(b": connected")
            return response

        def refused(caller: Caller, setting: str) -> None:
            response = http.get("/realtime/stream", headers=caller.headers)
            assert response.status_code == 429, response.text
            assert setting in response.json()["message"]

        first = opened(hog)
        assert first is not None and opened(hog) is not None
        refused(hog, "STREAM_CONCURRENCY_PER_TEAM")
        assert opened(other) is not None  # another team still streams
        refused(other, "STREAM_CONCURRENCY")  # the process is full
        first.close()  # the server sees the client leave and gives the slot back
        wait_for(lambda: opened(hog), timeout=10, what="the closed stream's slot back")
        refused(hog, "STREAM_CONCURRENCY")


async def _until(
    events: AsyncIterator[tuple[str, str, Any]], predicate: Any, *, after: Any = None
) -> list[Any]:
    """Collect change rows until ``predicate(rows)``; run ``after()`` once up to date."""
    rows: list[Any] = []
    async for kind, _, data in events:
        if kind == "up-to-date" and after is not None:
            await after()
            after = None
        if kind == "change":
            rows.append(data)
            if predicate(rows):
                return rows
    raise AssertionError("the stream ended")


async def test_a_write_through_one_api_process_reaches_clients_of_another(
    server: ServerProcess, settings: Settings
) -> None:
    from tests.fakes import fake_esp
    from tests.support import start_server

    with (
        fake_esp("kit", size=5) as fake,
        start_server(settings, ESP_KIT_BASE_URL=fake.base_url) as writer_api,
    ):
        caller, _ = member_of_new_team(server.base_url)
        writer = type(caller)(writer_api.base_url, caller.headers)

        async def write() -> None:
            await asyncio.to_thread(
                writer,
                "espConnections.create",
                provider="kit",
                name="Written elsewhere",
                credentials=fake.credentials,
            )

        async with asyncio.timeout(30):
            stream = _events(server.base_url, caller.headers)
            rows = await _until(
                stream,
                lambda rows: any(r["row"].get("name") == "Written elsewhere" for r in rows),
                after=write,
            )
            await stream.aclose()
    assert rows[-1]["table"] == "esp_connections"


async def test_clients_catch_up_after_redis_restarts(
    settings: Settings, database_url: str, tmp_path: Any
) -> None:
    import msgspec

    from app.embedded import EmbeddedRedis
    from tests.support import start_server

    cache = EmbeddedRedis(tmp_path, name="restarting-redis")
    own = msgspec.structs.replace(settings, redis_url=cache.start())
    try:
        with start_server(own) as api:
            caller, team_id = member_of_new_team(api.base_url)
            team = uuid.UUID(team_id)

            async def outage() -> None:
                cache.stop()
                await _insert(database_url, team, [f"during{n}@example.com" for n in range(3)])
                cache.start()
                await _insert(database_url, team, ["after@example.com"])
                await _poke(own, team)

            async with asyncio.timeout(30):
                stream = _events(api.base_url, caller.headers)
                rows = await _until(stream, lambda rows: len(rows) == 4, after=outage)
                await stream.aclose()
    finally:
        cache.stop()
    assert sorted(r["row"]["email"] for r in rows) == [
        "after@example.com",
        *[f"during{n}@example.com" for n in range(3)],
    ]


async def test_the_sdk_sync_client_pulls_then_streams_and_resumes(
    settings: Settings, database_url: str, tmp_path: Any
) -> None:
    from subnest_sdk.sync import DictStore, SQLiteStore, SyncClient

    from tests.support import start_server

    with start_server(settings) as api:
        caller, team_id = member_of_new_team(api.base_url)
        team = uuid.UUID(team_id)
        await _insert(database_url, team, [f"first{n}@example.com" for n in range(3)])
        credentials = {
            "session_token": caller.headers["Authorization"].removeprefix("Bearer "),
            "team_id": team_id,
        }
        memory = DictStore()
        async with SyncClient(api.base_url, store=memory, **credentials) as sync:
            runner = asyncio.create_task(
                sync.run(until=lambda s: len(memory.rows("subscribers")) == 5)
            )
            async with asyncio.timeout(30):
                await sync.up_to_date.wait()
                assert len(memory.rows("subscribers")) == 3
                await _insert(database_url, team, ["live1@example.com", "live2@example.com"])
                await _poke(settings, team)
                await runner
        assert {r["email"] for r in memory.rows("subscribers").values()} == {
            *[f"first{n}@example.com" for n in range(3)],
            "live1@example.com",
            "live2@example.com",
        }

        # A persistent replica: closed, reopened later, it resumes from its saved cursor.
        path = str(tmp_path / "replica.db")
        stored = SQLiteStore(path)
        async with SyncClient(api.base_url, store=stored, **credentials) as first:
            async with asyncio.timeout(30):
                await first.run(until=lambda _: len(stored.rows("subscribers")) == 5)
        await _insert(database_url, team, ["later@example.com"])
        reopened = SQLiteStore(path)
        assert reopened.cursor is not None and len(reopened.rows("subscribers")) == 5
        async with SyncClient(api.base_url, store=reopened, **credentials) as second:
            async with asyncio.timeout(30):
                await second.run(until=lambda _: len(reopened.rows("subscribers")) == 6)


async def test_a_client_that_leaves_mid_query_leaves_no_transaction_open(
    settings: Settings, database_url: str, tmp_path: Any
) -> None:
    """A client leaves while its stream waits on a query (Litestar cancels the stream's task
    at every await until it ends): no transaction is left open, and asyncpg's pool never rolls
    one back itself, reporting "Resetting connection with an active transaction"
    (bench/realtime.py, as 5,000 clients left). The query here is the stream's re-check of its
    key, which streams now share (it goes on for the others); the cancelled query itself is
    tests/test_units_of_work.py's."""
    log = tmp_path / "server.log"
    with (
        log.open("wb") as stderr,
        start_server(settings, stderr=stderr, STREAM_REAUTH_SECONDS="1") as api,
    ):
        caller, _ = member_of_new_team(api.base_url)
        key = caller("apiKeys.create", name="Stream")["key"]
        owner = await asyncpg.connect(database_url)
        try:
            async with (
                httpx.AsyncClient(base_url=api.base_url, timeout=30) as http,
                http.stream("GET", "/realtime/stream", headers={"X-API-Key": key}) as response,
            ):
                lines = response.aiter_lines()
                async with asyncio.timeout(10):
                    while not (await anext(lines)).startswith("event: up-to-date"):
                        pass
                # The stream's re-check (each second here) reads its key's team: held up.
                await owner.execute("BEGIN; LOCK TABLE teams IN ACCESS EXCLUSIVE MODE")
                async with asyncio.timeout(10):
                    while not await _waiting_on_a_lock(owner):
                        await asyncio.sleep(0.02)
            # The client left in the middle of that query (which, shared by any other stream
            # of the key, may go on without it): let it end, then nothing may be left open.
            await owner.execute("ROLLBACK")
            async with asyncio.timeout(10):
                while await owner.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = 'subnest_app' "
                    "AND (state LIKE 'idle in transaction%' OR wait_event_type = 'Lock')"
                ):
                    await asyncio.sleep(0.02)
        finally:
            await owner.close()
        assert caller("subscribers.counts")["total"] == 0  # the server serves on
    assert b"Resetting connection" not in log.read_bytes()


async def _waiting_on_a_lock(conn: asyncpg.Connection) -> bool:
    waiting: bool = await conn.fetchval(
        "SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = 'subnest_app' "
        "AND wait_event_type = 'Lock'"
    )
    return waiting
