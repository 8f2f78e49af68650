"""Subset subscriptions: sync.pull's ``filter`` and the stream's query parameters (decision 0027).

A filtered reader gets exactly its subset, from an index range scan; a row that leaves the
subset arrives as a delete, one that enters it as an upsert; the cursor of a filtered pull
goes on as a filtered stream and a Last-Event-ID resume, losing nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
import redis.asyncio as aioredis
from httpx_sse import aconnect_sse

from app.config import Settings
from app.db import role_url
from app.feed.service import FeedService
from app.feed.tables import FEED
from app.runtime import Runtime
from app.work import unit_of_work
from realtime import EVERYTHING, Change, ChangeCursor, Subset, change_channel
from tests.conftest import ModuleServer
from tests.support import (
    Caller,
    NodeReplica,
    ServerProcess,
    compiled_typescript_sdk,
    fails,
    generic_plans,
    member_of_new_team,
    wait_for,
)

STATUSES = ("subscribed", "unsubscribed", "pending")


@dataclass
class Team:
    id: uuid.UUID
    connections: list[uuid.UUID]  # three: A, B, C


async def _seed(conn: asyncpg.Connection, team: uuid.UUID) -> Team:
    """Three connections; subscribers of each in every status (one soft-deleted) and manual
    ones; a sync run per connection; an export of A's subscribers and one of the whole team."""
    connections = []
    for name in "ABC":
        connections.append(
            await conn.fetchval(
                "INSERT INTO esp_connections (team_id, provider, name) VALUES ($1, 'kit', $2) "
                "RETURNING id",
                team,
                name,
            )
        )
    for (n, connection), status in itertools.product(enumerate(connections), STATUSES):
        await conn.execute(
            "INSERT INTO subscribers (team_id, esp_connection_id, external_id, email, status) "
            "SELECT $1, $2, $3 || '-' || k, $3 || '-' || k || '@example.com', $4 "
            "FROM generate_series(1, 3) k",
            team,
            connection,
            f"c{n}-{status}",
            status,
        )
        await conn.execute(
            "INSERT INTO sync_runs (team_id, esp_connection_id) VALUES ($1, $2)", team, connection
        )
    await conn.execute(
        "INSERT INTO subscribers (team_id, email, status) VALUES "
        "($1, 'manual-1@example.com', 'subscribed'), ($1, 'manual-2@example.com', 'pending')",
        team,
    )
    await conn.execute(
        "UPDATE subscribers SET deleted_at = now() WHERE team_id = $1 AND email LIKE '%-1@%'", team
    )
    await conn.execute(
        "INSERT INTO exports (team_id, format, filter) VALUES ($1, 'csv', $2), ($1, 'csv', '{}')",
        team,
        json.dumps({"connectionId": str(connections[0])}),
    )
    return Team(team, connections)


def _subsets(team: Team) -> list[Subset]:
    a, b, _ = (str(c) for c in team.connections)
    return [
        EVERYTHING,
        Subset.of(tables=["subscribers"]),
        Subset.of(tables=["sync_runs", "exports"]),
        Subset.of(keys={"connectionId": a}),
        Subset.of(keys={"connectionId": b}, tables=["subscribers", "esp_connections"]),
        Subset.of(members={"status": ["subscribed"]}),
        Subset.of(members={"status": ["pending", "unsubscribed"]}, tables=["subscribers"]),
        Subset.of(keys={"connectionId": a}, members={"status": ["subscribed"]}),
        Subset.of(keys={"connectionId": str(uuid.uuid4())}),
        Subset.of(tables=["exports"], members={"status": ["subscribed"]}),
        Subset.of(tables=[]),
    ]


async def _all(runtime: Runtime, team: uuid.UUID, subset: Subset, limit: int) -> list[Change]:
    changes: list[Change] = []
    async with unit_of_work(runtime, team_id=team) as work:
        cursor = await FeedService(work.conn).position(None)
        while True:
            page = await FeedService(work.conn).page(team, cursor, limit, subset=subset)
            changes += page.changes
            cursor = page.cursor
            if not page.has_more:
                return changes


def _key(change: Change) -> tuple[str, uuid.UUID, str, str]:
    return change.table, change.id, change.op, change.cursor


async def test_sql_and_the_hub_agree_on_every_subset(runtime: Runtime, database_url: str) -> None:
    """What a filtered pull reads in SQL is what the hub makes of the whole feed in Python
    (Subset.admit): the same changes, in the same order, with the same ops."""
    team_id = uuid.uuid4()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", team_id)
        team = await _seed(conn, team_id)
        rows = await conn.fetchval(
            "SELECT (SELECT count(*) FROM subscribers WHERE team_id = $1) "
            "+ (SELECT count(*) FROM esp_connections WHERE team_id = $1) "
            "+ (SELECT count(*) FROM sync_runs WHERE team_id = $1) "
            "+ (SELECT count(*) FROM exports WHERE team_id = $1)",
            team_id,
        )
    finally:
        await conn.close()
    # xids are cluster-wide: another test's open transaction can hold the rows back a while.
    async with asyncio.timeout(30):
        while len(whole := await _all(runtime, team_id, EVERYTHING, 1000)) < rows:
            await asyncio.sleep(0.05)
    assert {c.table for c in whole} == {"subscribers", "esp_connections", "sync_runs", "exports"}
    async with unit_of_work(runtime, team_id=team_id) as work:
        # Where the hub starts for a filtered stream: the newest change, read in one probe.
        assert await FeedService(work.conn).head(team_id) == ChangeCursor.decode(whole[-1].cursor)
    for subset in _subsets(team):
        admitted = [a for a in (subset.admit(c) for c in whole) if a is not None]
        for limit in (1000, 4):  # one page, and many
            read = await _all(runtime, team_id, subset, limit)
            assert [_key(c) for c in read] == [_key(c) for c in admitted], subset
    only_a = Subset.of(
        keys={"connectionId": str(team.connections[0])}, members={"status": ["subscribed"]}
    )
    read = await _all(runtime, team_id, only_a, 1000)
    tables = {c.table for c in read}
    assert tables == {"subscribers", "esp_connections", "sync_runs", "exports"}
    upserts = [c for c in read if c.table == "subscribers" and c.op == "upsert"]
    assert len(upserts) == 2  # of A's three subscribed, one is soft-deleted
    assert all(msgspec.json.decode(c.row)["status"] == "subscribed" for c in upserts)
    assert len([c for c in read if c.table == "exports"]) == 1, "the export naming A"


async def test_each_subset_is_an_index_range_scan(database_url: str) -> None:
    """The generic plan of each subset's statement reads one range of an index per table
    (the connection's, when it names one), never a whole table or a team's backlog."""
    busy = uuid.uuid4()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", busy)
        team = await _seed(conn, busy)
        for connection in team.connections:  # a busy team: 20,000 rows in each connection
            await conn.execute(
                "INSERT INTO subscribers (team_id, esp_connection_id, external_id, email) "
                "SELECT $1, $2, 'x' || n, 'x' || n || '@example.com' "
                "FROM generate_series(1, 20000) n",
                busy,
                connection,
            )
            await conn.execute(
                "INSERT INTO sync_runs (team_id, esp_connection_id) "
                "SELECT $1, $2 FROM generate_series(1, 2000)",
                busy,
                connection,
            )
        await conn.execute(
            "INSERT INTO esp_connections (team_id, provider, name) "
            "SELECT $1, 'kit', 'c' || n FROM generate_series(1, 2000) n",
            busy,
        )
        await conn.execute(  # exports of many connections, as a team with many would make
            "INSERT INTO exports (team_id, format, filter) "
            "SELECT $1, 'csv', jsonb_build_object('connectionId', id) FROM esp_connections "
            "WHERE team_id = $1",
            busy,
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    async with generic_plans(database_url, busy) as app:
        for n, subset in enumerate(_subsets(team)):
            for held_back in (False, True):
                plan = FEED.plan(subset, held_back=held_back)
                if plan.empty:
                    continue
                name = f"s{n}{'w' if held_back else ''}"
                await app.execute(f"PREPARE {name} AS {plan.sql}")
                args = plan.args(subset, busy, ChangeCursor("x", 0, 0), 501)
                literal = ", ".join(
                    "'{" + ",".join(arg) + "}'" if isinstance(arg, list) else f"'{arg}'"
                    for arg in args
                )
                explained = "\n".join(
                    row[0] for row in await app.fetch(f"EXPLAIN EXECUTE {name} ({literal})")
                )
                for table in FEED.tables:
                    assert f"Seq Scan on {table.name}" not in explained, (subset, explained)
                for table in FEED.tables:
                    if not subset.includes(table):
                        assert f" on {table.name}" not in explained, (subset, explained)
                        continue
                    if subset.keys:
                        index = f"{table.name}_connection_change"
                    else:
                        index = f"{table.name}_change"
                    assert f"using {index} on {table.name}" in explained, (subset, explained)
                # Each range is read in stamp order: nothing sorted but the page itself.
                assert "->  Sort" not in explained, (subset, explained)


async def test_a_rows_connection_is_fixed_once_written(
    database_url: str, app_conn: asyncpg.Connection
) -> None:
    """The feed's keys never change (a row moved to another connection would leave the first
    connection's subset unseen): the database refuses it, for the app's role too."""
    team_id = uuid.uuid4()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", team_id)
        team = await _seed(conn, team_id)
    finally:
        await conn.close()
    a, b, _ = team.connections
    await app_conn.execute("SELECT set_config('app.team_id', $1, false)", str(team_id))
    for statement in (
        "UPDATE subscribers SET esp_connection_id = $2 WHERE esp_connection_id = $1",
        "UPDATE sync_runs SET esp_connection_id = $2 WHERE esp_connection_id = $1",
        "UPDATE exports SET filter = jsonb_build_object('connectionId', $2::uuid) "
        "WHERE connection_id = $1",
    ):
        with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="fixed once written"):
            await app_conn.execute(statement, a, b)
    # Other fields still change, and an unchanged connection may be written again.
    await app_conn.execute(
        "UPDATE subscribers SET status = 'pending', esp_connection_id = esp_connection_id "
        "WHERE esp_connection_id = $1",
        a,
    )


# --- through a real server ------------------------------------------------------------------


@dataclass
class Rig:
    server: ServerProcess
    settings: Settings
    database_url: str


@pytest.fixture(scope="module")
def rig(module_server: ModuleServer) -> Iterator[Rig]:
    with module_server("filters") as (services, server):
        yield Rig(server, services.settings, services.database_url)


_emails = itertools.count()


async def _team(rig: Rig) -> tuple[Caller, Team]:
    caller, team_id = member_of_new_team(rig.server.base_url, f"f{next(_emails)}@example.com")
    conn = await asyncpg.connect(rig.database_url)
    try:
        team = await _seed(conn, uuid.UUID(team_id))
    finally:
        await conn.close()
    return caller, team


async def _sql(rig: Rig, team: Team, query: str, *args: object) -> None:
    """A write as the worker makes it (here: a new synced subscriber), then its poke."""
    conn = await asyncpg.connect(role_url(rig.database_url, "subnest_app"))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.team_id', $1, true)", str(team.id))
            await conn.execute(query, *args)
    finally:
        await conn.close()
    redis = aioredis.Redis.from_url(rig.settings.redis_url or "")
    try:
        await redis.publish(change_channel(team.id), b"")
    finally:
        await redis.aclose()


Replica = dict[tuple[str, str], dict[str, Any]]


def _apply(replica: Replica, change: dict[str, Any]) -> None:
    key = (change["table"], str(change["id"]))
    if change["op"] == "delete":
        replica.pop(key, None)
    else:
        replica[key] = change["row"]


async def _expected(rig: Rig, team: Team, connection: uuid.UUID, statuses: list[str]) -> set[Any]:
    """What the subset holds, read straight from the database."""
    conn = await asyncpg.connect(rig.database_url)
    try:
        rows = await conn.fetch(
            "SELECT 'subscribers' AS t, id FROM subscribers WHERE team_id = $1 "
            "AND esp_connection_id = $2 AND status = ANY($3) AND deleted_at IS NULL "
            "UNION ALL SELECT 'sync_runs', id FROM sync_runs WHERE esp_connection_id = $2 "
            "UNION ALL SELECT 'esp_connections', $2 "
            "UNION ALL SELECT 'exports', id FROM exports WHERE team_id = $1 "
            "AND filter->>'connectionId' = $2::text",
            team.id,
            connection,
            statuses,
        )
    finally:
        await conn.close()
    return {(r["t"], str(r["id"])) for r in rows}


async def _events(
    base_url: str, headers: dict[str, str], params: dict[str, str]
) -> AsyncIterator[tuple[str, str, Any]]:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as http,
        aconnect_sse(http, "GET", "/realtime/stream", headers=headers, params=params) as source,
    ):
        async for event in source.aiter_sse():
            yield event.event, event.id, json.loads(event.data) if event.data else None


async def test_a_filtered_pull_then_stream_then_resume_loses_nothing(rig: Rig) -> None:
    caller, team = await _team(rig)
    a, b, _ = team.connections
    statuses = ["subscribed", "pending"]
    spec = {"connectionId": str(a), "status": statuses}
    params = {"connectionId": str(a), "status": ",".join(statuses)}

    def rows_of(status: str, connection: uuid.UUID = a) -> list[str]:
        listing = caller("subscribers.list", connectionId=str(connection), status=status)
        return [item["id"] for item in listing["items"]]

    # Pull in small pages.
    replica: Replica = {}
    cursor = None
    while True:
        page = caller("sync.pull", cursor=cursor, limit=3, filter=spec)
        for change in page["changes"]:
            _apply(replica, change)
        cursor = page["cursor"]
        if not page["hasMore"]:
            break
    assert set(replica) == await _expected(rig, team, a, statuses)
    assert len([k for k in replica if k[0] == "subscribers"]) == 4  # 2 subscribed, 2 pending

    # Then the stream from the pulled cursor, with edits that move rows out of and into it.
    leaving = rows_of("subscribed")[0]
    entering = rows_of("unsubscribed")[0]
    elsewhere = rows_of("subscribed", b)[0]
    seen: list[dict[str, Any]] = []
    last_id = cursor

    async def edit() -> None:
        for sid, status in (
            (leaving, "unsubscribed"),
            (entering, "pending"),
            (elsewhere, "pending"),
        ):
            await asyncio.to_thread(caller, "subscribers.update", id=sid, status=status)
        await _sql(
            rig,
            team,
            "INSERT INTO subscribers (team_id, esp_connection_id, email) "
            "VALUES ($1, $2, 'new-a@example.com'), ($1, $3, 'new-b@example.com')",
            team.id,
            a,
            b,
        )

    async with asyncio.timeout(30):
        stream = _events(rig.server.base_url, {**caller.headers, "Last-Event-ID": cursor}, params)
        async for kind, event_id, data in stream:
            if kind == "up-to-date" and not seen:
                await edit()
            if kind == "change":
                seen.append(data)
                _apply(replica, data)
                last_id = event_id
                if set(replica) == await _expected(rig, team, a, statuses):
                    break
        await stream.aclose()
    by_id = {(c["id"], c["op"]) for c in seen}
    assert (leaving, "delete") in by_id, "a row that left the subset arrives as a delete"
    assert (entering, "upsert") in by_id, "a row that entered it arrives as an upsert"
    assert all(c["id"] != elsewhere for c in seen), "another connection's row never comes"
    assert not any(c["row"].get("email") == "new-b@example.com" for c in seen)

    # Away; more edits; back with Last-Event-ID: exactly the subset again.
    await asyncio.to_thread(caller, "subscribers.update", id=entering, status="bounced")
    await asyncio.to_thread(caller, "subscribers.update", id=leaving, status="subscribed")
    await asyncio.to_thread(caller, "subscribers.delete", id=rows_of("pending")[0])
    resumed: list[dict[str, Any]] = []
    async with asyncio.timeout(30):
        stream = _events(rig.server.base_url, {**caller.headers, "Last-Event-ID": last_id}, params)
        async for kind, _, data in stream:
            if kind == "change":
                resumed.append(data)
                _apply(replica, data)
            if kind == "up-to-date":
                break
        await stream.aclose()
    assert set(replica) == await _expected(rig, team, a, statuses)
    assert {(c["id"], c["op"]) for c in resumed} >= {(entering, "delete"), (leaving, "upsert")}
    subscribers = {key[1] for key in replica if key[0] == "subscribers"}
    assert subscribers == {*rows_of("subscribed"), *rows_of("pending")}


def test_a_filter_names_exactly_the_feeds_tables() -> None:
    from typing import get_args

    from app.feed.schemas import CHANGES, FeedTableName, table_of

    assert set(get_args(FeedTableName)) == {table_of(c) for c in CHANGES}
    assert {t.name for t in FEED.tables if "connectionId" in t.keys} == set(get_args(FeedTableName))


async def test_bad_filters_answer_400_with_the_path(rig: Rig) -> None:
    caller, _ = await _team(rig)
    for spec, path in (
        ({"tables": ["nope"]}, "$.filter.tables[0]"),
        ({"tables": []}, "$.filter.tables"),
        ({"connectionId": "not-a-uuid"}, "$.filter.connectionId"),
        ({"status": ["active"]}, "$.filter.status[0]"),
        ({"status": ["subscribed"] * 6}, "$.filter.status"),
        ({"colour": "red"}, "$.filter"),
    ):
        failed = fails(caller, "sync.pull", filter=spec)
        assert (failed.status, failed.code) == (400, "VALIDATION_FAILED"), spec
        assert failed.data["path"] == path, (spec, failed.data)
    async with httpx.AsyncClient(base_url=rig.server.base_url, timeout=10) as http:
        for params, path in (
            ({"tables": "subscribers,nope"}, "$.tables[1]"),
            ({"tables": ""}, "$.tables[0]"),
            ({"connectionId": "x"}, "$.connectionId"),
            ({"status": "subscribed,active"}, "$.status[1]"),
            ({"colour": "red"}, "$"),
        ):
            response = await http.get("/realtime/stream", params=params, headers=caller.headers)
            assert response.status_code == 400, (params, response.text)
            body = response.json()
            assert body["code"] == "VALIDATION_FAILED" and body["data"]["path"] == path, body
        anonymous = await http.get("/realtime/stream", params={"tables": "nope"})
        assert anonymous.status_code == 401  # credentials first


_FOLLOWED = ["subscribed", "pending"]  # the replicas' statuses, of connection A


def _followed(caller: Caller, a: uuid.UUID) -> tuple[set[str], set[str]]:
    """What the API lists of the replicas' subset: its subscribers' and sync runs' ids."""
    subscribers = {
        item["id"]
        for status in _FOLLOWED
        for item in caller("subscribers.list", connectionId=str(a), status=status)["items"]
    }
    runs = {r["id"] for r in caller("syncRuns.list", connectionId=str(a))["items"]}
    return subscribers, runs


async def _move_in_and_out(rig: Rig, caller: Caller, team: Team) -> None:
    """Edits that move rows of connection A in and out of the followed statuses, one of B
    (outside the subset whatever its status), and a new sync run of A and of B."""
    a, b, _ = team.connections

    def listed(connection: uuid.UUID, status: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = caller(
            "subscribers.list", connectionId=str(connection), status=status
        )["items"]
        return items

    moves = [
        (listed(a, "subscribed")[0]["id"], "cleaned"),
        (listed(b, "pending")[0]["id"], "subscribed"),
        (listed(a, "unsubscribed")[0]["id"], "subscribed"),
    ]
    if into := listed(a, "bounced"):
        moves.append((into[0]["id"], "pending"))
    for sid, status in moves:
        caller("subscribers.update", id=sid, status=status)
    await _sql(
        rig,
        team,
        "INSERT INTO sync_runs (team_id, esp_connection_id) VALUES ($1, $2), ($1, $3)",
        team.id,
        a,
        b,
    )


async def test_a_filtered_sdk_replica_equals_the_filtered_listing(rig: Rig) -> None:
    from subnest_sdk.models import FeedFilter
    from subnest_sdk.sync import DictStore, SyncClient

    caller, team = await _team(rig)
    a = team.connections[0]
    store = DictStore()
    credentials = {
        "session_token": caller.headers["Authorization"].removeprefix("Bearer "),
        "team_id": str(team.id),
    }
    spec = FeedFilter(connection_id=a, status=_FOLLOWED, tables=["subscribers", "sync_runs"])

    def replica() -> tuple[set[str], set[str]]:
        return set(store.rows("subscribers")), set(store.rows("sync_runs"))

    async with SyncClient(rig.server.base_url, store=store, filter=spec, **credentials) as sync:
        runner = asyncio.create_task(sync.run())
        try:
            async with asyncio.timeout(30):
                await sync.up_to_date.wait()

            async def becomes(expected: tuple[set[str], set[str]]) -> None:
                # (another test's open transaction may delay the feed)
                async with asyncio.timeout(30):
                    while replica() != expected:
                        assert not runner.done(), runner
                        await asyncio.sleep(0.05)

            await becomes(_followed(caller, a))
            assert set(store.tables) <= {"subscribers", "sync_runs"}
            await _move_in_and_out(rig, caller, team)
            await becomes(_followed(caller, a))
            rows = store.rows("subscribers")
            assert all(row["connectionId"] == str(a) for row in rows.values())
            assert {row["status"] for row in rows.values()} <= set(_FOLLOWED)
        finally:
            runner.cancel()


async def test_a_filtered_typescript_replica_equals_the_filtered_listing(
    rig: Rig, tmp_path: Path
) -> None:
    caller, team = await _team(rig)
    a = team.connections[0]
    sdk = compiled_typescript_sdk(tmp_path / "sdk").parent
    token = caller.headers["Authorization"].removeprefix("Bearer ")
    spec = {"connectionId": str(a), "status": _FOLLOWED, "tables": ["subscribers", "sync_runs"]}
    node = NodeReplica(sdk, rig.server.base_url, token, str(team.id), filter=spec)

    def replica() -> tuple[set[str], set[str]]:
        tables = node.dump("ids")["tables"]
        assert set(tables) <= {"subscribers", "sync_runs"}, tables
        return set(tables.get("subscribers", [])), set(tables.get("sync_runs", []))

    try:
        node.status("live", since=0)
        initial = _followed(caller, a)  # (another test's open transaction may delay the feed)
        wait_for(lambda: replica() == initial, what="the filtered replica, caught up")
        await _move_in_and_out(rig, caller, team)
        expected = _followed(caller, a)
        wait_for(lambda: replica() == expected, what="the filtered replica after the moves")
        rows = node.dump()["tables"]["subscribers"].values()
        assert all(row["connectionId"] == str(a) for row in rows)
        assert {row["status"] for row in rows} <= set(_FOLLOWED)
    finally:
        node.close()
