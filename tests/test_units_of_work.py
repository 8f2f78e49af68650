"""Units of work give their connection back to the pool however their task ends."""

from __future__ import annotations

import asyncio
import random

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
