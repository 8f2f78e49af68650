"""Delta-sync through sync.pull: nothing lost under concurrent, out-of-order commits."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from httpx_sse import aconnect_sse
from subnest_sdk import AsyncClient, MustRefetchError, RetryPolicy, ValidationFailedError

from app.db import role_url
from app.feed.tables import FEED
from tests.support import ServerProcess, fetch, generic_plans, member_of_new_team


async def _writer(url: str, team: uuid.UUID, connection: uuid.UUID, seed: int, hold: float) -> None:
    """One transaction that inserts, updates and soft-deletes, held open ``hold`` seconds."""
    rng = random.Random(seed)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.team_id', $1, true)", str(team))
            for n in range(5):
                await conn.execute(
                    "INSERT INTO subscribers (team_id, esp_connection_id, external_id, email) "
                    "VALUES ($1, $2, $3, $4)",
                    team,
                    connection,
                    f"w{seed}-{n}",
                    f"w{seed}-{n}@example.com",
                )
            await conn.execute(
                "UPDATE subscribers SET first_name = $1 WHERE external_id = $2",
                f"edited by {seed}",
                f"w{seed}-0",
            )
            if rng.random() < 0.5:
                await conn.execute(
                    "UPDATE subscribers SET deleted_at = now() WHERE external_id = $1",
                    f"w{seed}-1",
                )
            await asyncio.sleep(hold)
    finally:
        await conn.close()


async def _team_with_connection(url: str, team: uuid.UUID) -> uuid.UUID:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SELECT set_config('app.team_id', $1, false)", str(team))
        connection: uuid.UUID = await conn.fetchval(
            "INSERT INTO esp_connections (team_id, provider, name) VALUES ($1, 'kit', 'K') "
            "RETURNING id",
            team,
        )
        return connection
    finally:
        await conn.close()


def _apply(replica: dict[uuid.UUID, dict[str, Any]], changes: Any) -> None:
    for change in changes:
        if change.table != "subscribers":
            continue
        if change.op == "delete":
            replica.pop(change.id, None)
        else:
            replica[change.id] = msgspec.to_builtins(change.row)  # as the stream's JSON


async def test_a_polling_replica_ends_with_exactly_the_database(
    server: ServerProcess, database_url: str
) -> None:
    caller, team_id = member_of_new_team(server.base_url)
    team = uuid.UUID(team_id)
    other_caller, other_id = member_of_new_team(server.base_url, "other@example.com")
    app_url = role_url(database_url, "subnest_app")
    connection = await _team_with_connection(app_url, team)
    other_connection = await _team_with_connection(app_url, uuid.UUID(other_id))

    client = AsyncClient(
        server.base_url, retry=RetryPolicy(max_attempts=1), **_credentials(caller.headers)
    )
    replica: dict[uuid.UUID, dict[str, Any]] = {}
    cursor: str | None = None
    rng = random.Random(7)
    writers = [
        asyncio.create_task(_writer(app_url, team, connection, seed, rng.uniform(0, 3)))
        for seed in range(12)
    ] + [
        asyncio.create_task(
            _writer(app_url, uuid.UUID(other_id), other_connection, 100 + seed, rng.uniform(0, 1))
        )
        for seed in range(4)
    ]
    streamed: dict[uuid.UUID, dict[str, Any]] = {}
    follower = asyncio.create_task(_follow(server.base_url, caller.headers, streamed))
    polls = 0
    async with client:
        while not all(w.done() for w in writers) or polls == 0:
            page = await client.sync.pull(cursor=cursor, limit=7)
            _apply(replica, page.changes)
            cursor = page.cursor
            polls += 1
            if not page.has_more:
                await asyncio.sleep(0.05)
        await asyncio.gather(*writers)
        while True:  # drain what committed last
            page = await client.sync.pull(cursor=cursor, limit=50)
            _apply(replica, page.changes)
            cursor = page.cursor
            if not page.changes and not page.has_more:
                break

    rows = await fetch(
        database_url,
        "SELECT id, email, first_name FROM subscribers WHERE team_id = $1 AND deleted_at IS NULL",
        team,
    )
    expected = {r["id"]: (r["email"], r["first_name"]) for r in rows}
    assert expected == _view(replica)
    # The SSE follower gets there too (the writers did not poke: the hub's tick finds them).
    try:
        async with asyncio.timeout(20):
            while _view(streamed) != expected:
                assert not follower.done(), follower
                await asyncio.sleep(0.1)
    finally:
        follower.cancel()
    assert _view(streamed) == expected
    assert all(row["email"].startswith("w") and "-" in row["email"] for row in replica.values())
    others = tuple(f"w{seed}-" for seed in range(100, 104))
    assert not any(row["email"].startswith(others) for row in replica.values()), "other team"
    assert polls > 3
    other_caller("members.list")  # the other team exists and is untouched by our reads


def _view(replica: dict[uuid.UUID, dict[str, Any]]) -> dict[uuid.UUID, tuple[Any, Any]]:
    return {key: (row["email"], row["firstName"]) for key, row in replica.items()}


async def _follow(base_url: str, headers: dict[str, str], replica: dict[uuid.UUID, Any]) -> None:
    """Apply the SSE stream's subscriber changes to ``replica`` until cancelled."""
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=60) as http,  # pings come every 15 s
        aconnect_sse(http, "GET", "/realtime/stream", headers=headers) as source,
    ):
        async for event in source.aiter_sse():
            if event.event != "change":
                continue
            change = json.loads(event.data)
            if change["table"] != "subscribers":
                continue
            if change["op"] == "delete":
                replica.pop(uuid.UUID(change["id"]), None)
            else:
                replica[uuid.UUID(change["id"])] = change["row"]


def _credentials(headers: dict[str, str]) -> dict[str, str]:
    return {
        "session_token": headers["Authorization"].removeprefix("Bearer "),
        "team_id": headers["X-Team-Id"],
    }


async def test_cursors_from_elsewhere_must_refetch(server: ServerProcess) -> None:
    caller, _ = member_of_new_team(server.base_url)
    async with AsyncClient(
        server.base_url, retry=RetryPolicy(max_attempts=1), **_credentials(caller.headers)
    ) as client:
        first = await client.sync.pull()
        assert first.cursor.startswith("v2.")
        epoch = first.cursor.split(".")[1]
        with pytest.raises(MustRefetchError) as refused:
            await client.sync.pull(cursor=first.cursor.replace(epoch, "0" * len(epoch)))
        assert refused.value.status == 409
        # A first-version cursor (no purge horizon) is still read, as issued under horizon 0.
        assert (await client.sync.pull(cursor=f"v1.{epoch}.0.0")).cursor == first.cursor
        for garbage in (
            "garbage",
            f"v1.{epoch}.\u00b2.1",
            f"v1.{epoch}.{2**70}.1",
            "v1.x..1",
            f"v1.{epoch}.1.1.0",  # a horizon is v2's
            f"v2.{epoch}.1.1",
            f"v2.{epoch}.1.1.{2**64}",
        ):
            with pytest.raises(ValidationFailedError) as bad:
                await client.sync.pull(cursor=garbage)
            assert bad.value.data.path == "$.cursor"


async def test_the_delta_querys_generic_plan_walks_the_stamp_indexes(database_url: str) -> None:
    # The statement is prepared once per connection and soon runs on a generic plan: that plan
    # must read each table's (team_id, txid, seq) index in order, not sort a team's backlog.
    conn = await asyncpg.connect(database_url)
    try:
        busy, quiet = uuid.uuid4(), uuid.uuid4()
        for team, rows in ((busy, 20_000), (quiet, 50)):
            await conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", team)
            await conn.execute(
                "INSERT INTO esp_connections (team_id, provider, name) "
                "SELECT $1, 'kit', 'c' || n FROM generate_series(1, $2) n",
                team,
                rows // 10,
            )
            await conn.execute(
                "INSERT INTO sync_runs (team_id, esp_connection_id, trigger) "
                "SELECT team_id, id, 'manual' FROM esp_connections WHERE team_id = $1",
                team,
            )
            await conn.execute(
                "INSERT INTO subscribers (team_id, email) "
                "SELECT $1, 'r' || n || '@example.com' FROM generate_series(1, $2) n",
                team,
                rows,
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    async with generic_plans(database_url, busy) as app:
        plans = []
        for name, sql in (("poll", FEED.sql), ("watch", FEED.watch_sql)):
            await app.execute(f"PREPARE {name} (uuid, xid8, bigint, int) AS {sql}")
            plans.append(
                "\n".join(
                    row[0]
                    for row in await app.fetch(f"EXPLAIN EXECUTE {name} ('{busy}', '0', 0, 501)")
                )
            )
    poll, watch = plans
    for table in ("subscribers", "esp_connections", "sync_runs"):
        for plan in plans:
            assert f"Index Scan using {table}_change on {table}" in plan, plan
            assert f"Seq Scan on {table}" not in plan, plan
        # The live reader's held-back probe: one index entry, not a walk of the team's rows.
        assert f"Index Only Scan using {table}_change on {table}" in watch, watch
        assert f"Index Only Scan using {table}_change on {table}" not in poll, poll
