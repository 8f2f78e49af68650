"""Units of work: the tenant set with BEGIN, savepoints, a failed commit heard of, and the
connection given back to the pool however their task ends."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid

import asyncpg
import pytest

from app.db import TransactionRolledBack, savepoint
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
