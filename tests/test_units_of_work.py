"""Units of work: the tenant set with BEGIN, savepoints, a failed commit heard of, and the
connection given back to the pool however their task ends."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import uuid

import anyio
import asyncpg
import httpx
import pytest
from httpx_sse import aconnect_sse

from app.config import Settings
from app.db import TransactionRolledBack, role_url, savepoint
from app.feed.tables import FEED
from app.runtime import Runtime
from app.work import FEED_WRITTEN, unit_of_work
from tests.support import member_of_new_team, start_server


async def test_cancelled_units_of_work_leave_no_connection_checked_out(runtime: Runtime) -> None:
    # What the hub does to a team's query when its last client leaves: cancel it, anywhere
    # between acquiring, BEGIN, the query, COMMIT or ROLLBACK.
    pool = runtime.db.engine.pool
    assert pool is not None
    rng = random.Random(7)

    async def work() -> None:
        async with unit_of_work(runtime) as work:
            await work.conn.execute("SELECT pg_sleep(0.002)")

    for _ in range(20):
        tasks = [asyncio.create_task(work()) for _ in range(30)]
        await asyncio.sleep(rng.uniform(0, 0.02))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    async with asyncio.timeout(10):  # releases finish in the background of cancellation
        while pool.get_idle_size() != pool.get_size():
            await asyncio.sleep(0.01)
    async with unit_of_work(runtime) as work:  # and the pool still serves
        assert await work.conn.fetchval("SELECT 1") == 1


async def test_a_unit_of_work_cancelled_again_and_again_rolls_back_before_it_gives_back(
    runtime: Runtime, database_url: str
) -> None:
    # Litestar ends the stream of a client that left by cancelling an anyio scope, which cancels
    # the stream's task again at each await until it leaves the scope: the ROLLBACK after the
    # cancelled query was cancelled too, and asyncpg's pool rolled back on release instead,
    # reporting "Resetting connection with an active transaction" (bench/realtime.py, as (b)'s
    # 5,000 clients left).
    pool = runtime.db.engine.pool
    assert pool is not None
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    scope = anyio.CancelScope()
    begun = asyncio.Event()

    async def stream() -> None:
        with scope:
            async with unit_of_work(runtime) as work:
                begun.set()
                await work.conn.execute("SELECT pg_sleep(30)")

    watcher = await asyncpg.connect(role_url(database_url, "subnest_app"))
    try:
        task = asyncio.create_task(stream())
        await begun.wait()
        async with asyncio.timeout(10):  # the query is running
            while not await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"
            ):
                await asyncio.sleep(0.01)
        scope.cancel()
        async with asyncio.timeout(10):
            await task  # the scope absorbs its own cancellation
            while pool.get_idle_size() != pool.get_size():
                await asyncio.sleep(0.01)
        assert reported == []
        async with unit_of_work(runtime) as work:  # and the pool still serves
            assert await work.conn.fetchval("SELECT 1") == 1
    finally:
        loop.set_exception_handler(None)
        await watcher.close()


async def test_a_unit_of_work_starts_with_its_tenant_and_ends_with_none(runtime: Runtime) -> None:
    team, user = uuid.uuid4(), uuid.uuid4()
    async with unit_of_work(runtime, team_id=team, user_id=user) as work:
        conn = work.conn
        tenant = await conn.fetchrow(
            "SELECT current_setting('app.team_id') AS team, current_setting('app.user_id') AS user"
        )
        assert tenant is not None and dict(tenant) == {"team": str(team), "user": str(user)}
        assert conn.is_in_transaction()
    async with runtime.db.acquire() as conn:  # transaction-local: nothing left on the connection
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT current_setting('app.team_id', true)") in ("", None)


async def test_an_error_caught_without_a_savepoint_fails_the_unit_of_work(
    runtime: Runtime,
) -> None:
    async def swallowing() -> None:
        async with unit_of_work(runtime) as work:
            with contextlib.suppress(asyncpg.PostgresError):
                await work.conn.execute("SELECT 1 / 0")

    # The commit would silently be a rollback: the caller hears of it.
    with pytest.raises(TransactionRolledBack):
        await swallowing()


async def test_a_savepoint_undoes_only_what_ran_inside_it(runtime: Runtime) -> None:
    async with unit_of_work(runtime) as work:
        conn = work.conn
        await conn.execute("CREATE TEMPORARY TABLE t_kept (n int) ON COMMIT DROP")
        await conn.execute("INSERT INTO t_kept VALUES (1)")
        with contextlib.suppress(asyncpg.UniqueViolationError):
            async with savepoint(conn):
                await conn.execute("INSERT INTO t_kept VALUES (2)")
                raise asyncpg.UniqueViolationError("a lost race")
        async with savepoint(conn):
            await conn.execute("INSERT INTO t_kept VALUES (3)")
        assert [r["n"] for r in await conn.fetch("SELECT n FROM t_kept ORDER BY n")] == [1, 3]


async def test_every_table_of_the_feed_marks_the_transactions_that_write_it(
    runtime: Runtime, database_url: str
) -> None:
    # The unit of work pokes the feed only when the mark is set: a table on the feed without
    # the trigger would be a live update that never comes.
    conn = await asyncpg.connect(database_url)
    try:
        marked = await conn.fetch(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'mark_feed_written' "
            "AND NOT t.tgisinternal"
        )
    finally:
        await conn.close()
    assert {row["relname"] for row in marked} == {table.name for table in FEED.tables}
    team = uuid.uuid4()
    async with runtime.db.transaction(team_id=team) as transaction:
        conn = transaction.connection
        await conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", team)
        assert await conn.fetchval(FEED_WRITTEN) is None, "a team is not on the feed"
        await conn.execute("UPDATE subscribers SET email = email WHERE team_id = $1", team)
        assert await conn.fetchval(FEED_WRITTEN), "a statement on a feed table marks it"
    async with runtime.db.transaction(team_id=team) as transaction:
        assert not await transaction.connection.fetchval(FEED_WRITTEN), "until it ends"


async def test_a_write_procedure_with_no_feed_code_reaches_a_live_stream(
    settings: Settings,
) -> None:
    # tests/write_procedure_server.py adds a procedure that only INSERTs a subscriber. The sweep
    # that finds lost pokes is an hour away here: only the unit of work's poke can bring it.
    command = [sys.executable, "-m", "tests.write_procedure_server"]
    with start_server(settings, command=command, FEED_TICK_SECONDS="3600") as server:
        caller, _ = member_of_new_team(server.base_url)
        async with (
            httpx.AsyncClient(base_url=server.base_url, timeout=30) as http,
            aconnect_sse(http, "GET", "/realtime/stream", headers=caller.headers) as source,
            asyncio.timeout(30),
        ):
            async for event in source.aiter_sse():
                if event.event == "up-to-date":
                    await asyncio.to_thread(
                        caller, "tests.addSubscriber", email="plain@example.com"
                    )
                if event.event == "change":
                    change = json.loads(event.data)
                    assert change["table"] == "subscribers"
                    assert change["row"]["email"] == "plain@example.com"
                    break
