"""Units of work: the tenant set with BEGIN, savepoints, a failed commit heard of, and the
connection given back to the pool however their task ends."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid

import anyio
import asyncpg
import pytest

from app.db import TransactionRolledBack, role_url, savepoint
from app.runtime import Runtime
from app.services import unit_of_work


async def test_cancelled_units_of_work_leave_no_connection_checked_out(runtime: Runtime) -> None:
    # What the hub does to a team's query when its last client leaves: cancel it, anywhere
    # between acquiring, BEGIN, the query, COMMIT or ROLLBACK.
    pool = runtime.db.engine.pool
    assert pool is not None
    rng = random.Random(7)

    async def work() -> None:
        async with unit_of_work(runtime) as services:
            await services.conn.execute("SELECT pg_sleep(0.002)")

    for _ in range(20):
        tasks = [asyncio.create_task(work()) for _ in range(30)]
        await asyncio.sleep(rng.uniform(0, 0.02))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    async with asyncio.timeout(10):  # releases finish in the background of cancellation
        while pool.get_idle_size() != pool.get_size():
            await asyncio.sleep(0.01)
    async with unit_of_work(runtime) as services:  # and the pool still serves
        assert await services.conn.fetchval("SELECT 1") == 1


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
            async with unit_of_work(runtime) as services:
                begun.set()
                await services.conn.execute("SELECT pg_sleep(30)")

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
        async with unit_of_work(runtime) as services:  # and the pool still serves
            assert await services.conn.fetchval("SELECT 1") == 1
    finally:
        loop.set_exception_handler(None)
        await watcher.close()


async def test_a_unit_of_work_starts_with_its_tenant_and_ends_with_none(runtime: Runtime) -> None:
    team, user = uuid.uuid4(), uuid.uuid4()
    async with unit_of_work(runtime, team_id=team, user_id=user) as services:
        conn = services.conn
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
        async with unit_of_work(runtime) as services:
            with contextlib.suppress(asyncpg.PostgresError):
                await services.conn.execute("SELECT 1 / 0")

    # The commit would silently be a rollback: the caller hears of it.
    with pytest.raises(TransactionRolledBack):
        await swallowing()


async def test_a_savepoint_undoes_only_what_ran_inside_it(runtime: Runtime) -> None:
    async with unit_of_work(runtime) as services:
        conn = services.conn
        await conn.execute("CREATE TEMPORARY TABLE t_kept (n int) ON COMMIT DROP")
        await conn.execute("INSERT INTO t_kept VALUES (1)")
        with contextlib.suppress(asyncpg.UniqueViolationError):
            async with savepoint(conn):
                await conn.execute("INSERT INTO t_kept VALUES (2)")
                raise asyncpg.UniqueViolationError("a lost race")
        async with savepoint(conn):
            await conn.execute("INSERT INTO t_kept VALUES (3)")
        assert [r["n"] for r in await conn.fetch("SELECT n FROM t_kept ORDER BY n")] == [1, 3]
