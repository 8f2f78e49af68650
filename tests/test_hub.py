"""The fan-out hub on its own: bounded queues, and nothing left behind by a leaving client."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg

from app.db import set_tenant
from app.feed.service import FeedService
from app.feed.stream import MovedTeams, fetch_page, live_event, read_xmin
from app.feed.tables import FEED
from app.runtime import Runtime
from app.work import unit_of_work
from realtime import (
    ChangeCursor,
    ChangeHub,
    DeltaPage,
    FetchPage,
    Moved,
    Subscription,
    change_channel,
    moved,
)


def _moved(runtime: Runtime) -> Moved:
    """The hub's sweep on a connection of its own per call (a server keeps one: MovedTeams)."""

    async def find(positions: Sequence[tuple[uuid.UUID, ChangeCursor]]) -> set[uuid.UUID]:
        async with runtime.db.maintenance() as conn:
            return await moved(conn, FEED, positions)

    return find


def _hub(
    runtime: Runtime, fetch: FetchPage | None = None, moved: Moved | None = None, **options: Any
) -> ChangeHub:
    """A hub of its own on the test's Redis and database (not the server's)."""
    assert runtime.settings.redis_url is not None
    return ChangeHub(
        runtime.settings.redis_url,
        fetch or fetch_page(runtime),
        options.pop("render", live_event),
        read_xmin(runtime),
        moved or _moved(runtime),
        **options,
    )


@contextlib.asynccontextmanager
async def _unpoked(runtime: Runtime, team: uuid.UUID) -> AsyncIterator[asyncpg.Connection]:
    """A transaction under the team's tenant outside a unit of work: nothing pokes the feed
    after it (these tests poke by hand, or lose the poke on purpose)."""
    async with runtime.db.transaction(team_id=team) as transaction:
        yield transaction.connection


async def _team_with_rows(runtime: Runtime, rows: int) -> uuid.UUID:
    team = uuid.uuid4()
    async with _unpoked(runtime, team) as conn:
        await conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", team)
        await conn.execute(
            "INSERT INTO subscribers (team_id, email) "
            "SELECT $1, 'r' || n || '@example.com' FROM generate_series(1, $2) n",
            team,
            rows,
        )
    return team


async def _feed_start(runtime: Runtime) -> ChangeCursor:
    async with unit_of_work(runtime) as work:
        return await FeedService(work.conn).position(None)


async def test_a_client_too_slow_to_keep_up_is_told_to_refetch(runtime: Runtime) -> None:
    hub = _hub(runtime, tick_seconds=0.2, buffer=3)
    await hub.start()
    try:
        team = await _team_with_rows(runtime, 0)
        async with unit_of_work(runtime) as work:
            start = await FeedService(work.conn).position(None)
        async with hub.subscribe(team, start) as subscription:
            async with _unpoked(runtime, team) as conn:
                await conn.execute(
                    "INSERT INTO subscribers (team_id, email) "
                    "SELECT $1, 'late' || n || '@example.com' FROM generate_series(1, 10) n",
                    team,
                )
            await runtime.redis.publish(change_channel(team), b"")
            async with asyncio.timeout(10):
                await subscription.overflowed.wait()
            assert subscription.queue.qsize() == 3
        assert hub._teams == {}, "the last subscriber leaving ends the team's drain"
    finally:
        await hub.stop()


async def test_pokes_are_coalesced_into_one_delta_query(runtime: Runtime) -> None:
    queries: list[ChangeCursor] = []
    fetch = fetch_page(runtime)

    async def counted(team: uuid.UUID, cursor: ChangeCursor, limit: int) -> DeltaPage:
        queries.append(cursor)
        return await fetch(team, cursor, limit)

    hub = _hub(runtime, counted, tick_seconds=3600)
    await hub.start()
    try:
        team = await _team_with_rows(runtime, 2)
        start = await _feed_start(runtime)
        # xids are cluster-wide: another test's open transaction can hold xmin back, keeping
        # the rows invisible to every query (found or not, each would count); wait it out.
        async with asyncio.timeout(30):
            while len((await fetch(team, start, 10)).changes) < 2:
                await asyncio.sleep(0.05)
        async with hub.subscribe(team, start) as subscription:
            for _ in range(20):
                hub.poke(team)
            async with asyncio.timeout(10):
                got = [await subscription.queue.get() for _ in range(2)]
            assert {c.change.op for c in got if c is not None} == {"upsert"}
            # Twenty pokes: the first query, and at most one more for pokes that came during it.
            assert len(queries) <= 2, queries
    finally:
        await hub.stop()


async def test_a_change_held_back_by_an_older_transaction_comes_when_that_one_ends(
    runtime: Runtime, app_conn: asyncpg.Connection
) -> None:
    hub = _hub(runtime, tick_seconds=3600)  # no tick: only the poke, then the xmin watcher
    await hub.start()
    try:
        team, other = await _team_with_rows(runtime, 0), await _team_with_rows(runtime, 0)
        async with unit_of_work(runtime) as work:
            start = await FeedService(work.conn).position(None)
        # Another client's connection, not one of the pool's (which lends a task one at a time).
        older = app_conn
        async with hub.subscribe(team, start) as subscription:
            # Another team's write transaction starts first and stays open (it never pokes).
            transaction = older.transaction()
            await transaction.start()
            await set_tenant(older, team_id=other)
            await older.execute(
                "INSERT INTO subscribers (team_id, email) VALUES ($1, 'o@example.com')", other
            )
            # Our change commits after it and pokes: the delta query must hold it back.
            async with _unpoked(runtime, team) as conn:
                await conn.execute(
                    "INSERT INTO subscribers (team_id, email) VALUES ($1, 'held@example.com')",
                    team,
                )
            await runtime.redis.publish(change_channel(team), b"")
            async with asyncio.timeout(10):
                while team not in hub._held:
                    await asyncio.sleep(0.01)
            assert subscription.queue.empty()
            await transaction.commit()
            async with asyncio.timeout(10):
                live = await subscription.queue.get()
            assert live is not None and b"held@example.com" in live.data
    finally:
        await hub.stop()


async def test_an_access_notice_ends_only_the_subscriptions_it_names(runtime: Runtime) -> None:
    """Tags are opaque to the hub: a notice on the access channel ends every subscription that
    carries one of its tags, even one whose queue is full, and calls the owner's hook first."""
    from realtime import access_notice

    heard: list[tuple[list[str], str]] = []
    hub = _hub(
        runtime,
        tick_seconds=3600,
        buffer=1,
        access_channel="access-test",
        on_notice=lambda tags, reason: heard.append((tags, reason)),
    )
    await hub.start()
    try:
        team = await _team_with_rows(runtime, 0)
        async with unit_of_work(runtime) as work:
            start = await FeedService(work.conn).position(None)
        async with (
            hub.subscribe(team, start, frozenset({"key:a", "team:t"})) as by_key,
            hub.subscribe(team, start, frozenset({"session:b", "team:t"})) as by_session,
        ):
            by_key.queue.put_nowait(None)  # full: the end cannot queue behind it
            async with asyncio.timeout(10):
                while by_key.ended is None:  # the listener subscribes after start()
                    await runtime.redis.publish("access-test", access_notice(["key:a"], "gone"))
                    await asyncio.sleep(0.05)
            assert by_key.overflowed.is_set()  # the reader checks `ended` first
            assert by_session.ended is None and by_session.queue.empty()
            assert heard[0] == (["key:a"], "gone")
            await runtime.redis.publish("access-test", b"not json")  # ignored, logged
            await runtime.redis.publish("access-test", access_notice(["team:t"], "teamGone"))
            async with asyncio.timeout(10):
                assert await by_session.queue.get() is None
            assert (by_key.ended, by_session.ended) == ("gone", "teamGone")
        assert hub._tagged == {}, "leaving subscriptions take their tags with them"
    finally:
        await hub.stop()


async def test_a_teams_drain_ends_with_its_last_client_even_if_a_query_absorbs_the_cancel(
    runtime: Runtime,
) -> None:
    fetch = fetch_page(runtime)
    querying = asyncio.Event()

    async def absorbing(team: uuid.UUID, cursor: ChangeCursor, limit: int) -> DeltaPage:
        page = await fetch(team, cursor, limit)
        querying.set()
        # Absorbed, as asyncio.wait_for does on Python 3.11 when cancelled as its work completes.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(3600)
        return page

    hub = _hub(runtime, absorbing, tick_seconds=3600)
    await hub.start()
    try:
        team = await _team_with_rows(runtime, 0)
        async with hub.subscribe(team, await _feed_start(runtime)):
            drain = hub._teams[team].task
            assert drain is not None
            hub.poke(team)
            async with asyncio.timeout(10):
                await querying.wait()
        await asyncio.wait({drain}, timeout=10)  # cancelled as the client left, absorbed
        assert drain.done(), "the team's drain went on after its last client left"
        assert hub._teams == {} and hub._held == {}
    finally:
        await hub.stop()


async def test_streams_with_equal_filters_share_one_rendering(runtime: Runtime) -> None:
    """The hub groups subscriptions by equal subsets: each change is admitted once per group
    and rendered once per outcome (as is, or as a delete of a subset it left), however many
    streams follow; each stream gets exactly its subset."""
    from realtime import Change, Subset

    rendered: list[tuple[str, str]] = []

    def render(change: Change) -> bytes:
        rendered.append((str(change.id), change.op))
        return live_event(change)

    hub = _hub(runtime, render=render, tick_seconds=3600)
    await hub.start()
    try:
        team = await _team_with_rows(runtime, 0)
        async with _unpoked(runtime, team) as conn:
            a, b = [
                await conn.fetchval(
                    "INSERT INTO esp_connections (team_id, provider, name) "
                    "VALUES ($1, 'kit', $2) RETURNING id",
                    team,
                    name,
                )
                for name in "AB"
            ]
        async with unit_of_work(runtime) as work:
            start = await FeedService(work.conn).position(None)
        fetch = fetch_page(runtime)
        async with asyncio.timeout(30):  # wait out another test's open transaction, if any
            while len((await fetch(team, start, 10)).changes) < 2:
                await asyncio.sleep(0.05)
            start = (await fetch(team, start, 10)).cursor
        of_a = Subset.of(keys={"connectionId": str(a)}, members={"status": ["subscribed"]})
        of_b = Subset.of(keys={"connectionId": str(b)})
        async with contextlib.AsyncExitStack() as streams:
            groups: dict[str, list[Subscription]] = {}
            for name, subset, count in (("a", of_a, 20), ("b", of_b, 20)):
                groups[name] = [
                    await streams.enter_async_context(hub.subscribe(team, start, subset=subset))
                    for _ in range(count)
                ]
            groups["all"] = [
                await streams.enter_async_context(hub.subscribe(team, start)) for _ in range(5)
            ]
            async with _unpoked(runtime, team) as conn:
                ids = {
                    label: await conn.fetchval(
                        "INSERT INTO subscribers (team_id, esp_connection_id, email, status) "
                        "VALUES ($1, $2, $3, $4) RETURNING id",
                        team,
                        connection,
                        f"{label}@example.com",
                        status,
                    )
                    for label, connection, status in (
                        ("a-in", a, "subscribed"),
                        ("a-out", a, "unsubscribed"),
                        ("b", b, "pending"),
                    )
                }
            await runtime.redis.publish(change_channel(team), b"")
            got: dict[str, list[set[tuple[str, str]]]] = {}
            async with asyncio.timeout(10):
                for name, subscriptions in groups.items():
                    expect = {"a": 2, "b": 1, "all": 3}[name]
                    got[name] = []
                    for subscription in subscriptions:
                        lives = [await subscription.queue.get() for _ in range(expect)]
                        got[name].append(
                            {(str(live.change.id), live.change.op) for live in lives if live}
                        )
            for subscription in (s for group in groups.values() for s in group):
                assert subscription.queue.empty()
    finally:
        await hub.stop()
    a_in, a_out, in_b = (str(ids[k]) for k in ("a-in", "a-out", "b"))
    assert all(seen == {(a_in, "upsert"), (a_out, "delete")} for seen in got["a"])
    assert all(seen == {(in_b, "upsert")} for seen in got["b"])
    assert all(
        seen == {(a_in, "upsert"), (a_out, "upsert"), (in_b, "upsert")} for seen in got["all"]
    )
    # 45 streams, three groups: a-in once (its upsert serves "a" and "all"), a-out twice (a
    # delete for "a", an upsert for "all"), b once.
    assert sorted(rendered) == sorted(
        [(a_in, "upsert"), (a_out, "delete"), (a_out, "upsert"), (in_b, "upsert")]
    )


async def test_one_sweep_a_tick_finds_the_teams_whose_poke_was_lost(runtime: Runtime) -> None:
    """Quiet teams cost the process one statement a tick, not a delta query each; a team
    written to without a poke (lost while Redis was away) is found by that statement, and only
    that team reads its changes."""
    queries: list[uuid.UUID] = []
    fetch = fetch_page(runtime)

    async def counted(team: uuid.UUID, cursor: ChangeCursor, limit: int) -> DeltaPage:
        queries.append(team)
        return await fetch(team, cursor, limit)

    sweeps: list[int] = []
    sweep = MovedTeams(runtime)

    async def counting(positions: Sequence[tuple[uuid.UUID, ChangeCursor]]) -> set[uuid.UUID]:
        sweeps.append(len(positions))
        return await sweep(positions)

    hub = _hub(runtime, counted, counting, tick_seconds=0.05)
    await hub.start()
    try:
        teams = [await _team_with_rows(runtime, 0) for _ in range(30)]
        start = await _feed_start(runtime)
        async with contextlib.AsyncExitStack() as stack:
            follow = {t: await stack.enter_async_context(hub.subscribe(t, start)) for t in teams}
            async with asyncio.timeout(10):  # past the listener's wake-up of every team
                while len(sweeps) < 3 or sweeps[-1] < len(teams):
                    await asyncio.sleep(0.01)
                queries.clear()
                seen = len(sweeps)
                while len(sweeps) < seen + 10:
                    await asyncio.sleep(0.01)
            assert queries == [], "a quiet team made a delta query of its own"
            lost = teams[7]
            async with _unpoked(runtime, lost) as conn:
                await conn.execute(
                    "INSERT INTO subscribers (team_id, email) VALUES ($1, 'lost@example.com')",
                    lost,
                )
            async with asyncio.timeout(30):  # another test's open transaction may hold it back
                live = await follow[lost].queue.get()
            assert live is not None and live.change.table == "subscribers"
            assert set(queries) == {lost}
            assert all(follow[t].queue.empty() for t in teams if t != lost)
    finally:
        await hub.stop()
        await sweep.close()
