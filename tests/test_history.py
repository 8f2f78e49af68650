"""subscribers.history and its daily rollup (subscriber_days, decision 0035): counted by the
worker's job, read without touching the subscribers, per team under row-level security."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
import pytest

from app.jobs import JobContext
from app.runtime import Runtime
from app.subscribers.days import COUNT_DAYS_CRON, HISTORY, count_days, count_subscriber_days
from app.worker import build_worker
from tests.conftest import ModuleServer
from tests.support import (
    Caller,
    ServerProcess,
    add_connection,
    fails,
    fetch,
    generic_plans,
    member_of_new_team,
)

_STATUSES = ("subscribed", "unsubscribed", "pending", "bounced", "cleaned")


@dataclass
class Rig:
    server: ServerProcess
    database_url: str
    owner: Caller  # a team for the calls that write nothing (sign-ups are limited per address)

    def team(self) -> tuple[Caller, uuid.UUID]:
        """A new account's new team (its caller and id)."""
        caller, team_id = member_of_new_team(self.server.base_url, f"{uuid.uuid4()}@example.com")
        return caller, uuid.UUID(team_id)

    async def count(self) -> int:
        """What the worker's job does (tested on its own below), as the database's owner."""
        conn = await asyncpg.connect(self.database_url)
        try:
            async with conn.transaction():
                return await count_days(conn, None)
        finally:
            await conn.close()


@pytest.fixture(scope="module")
def rig(module_server: ModuleServer) -> Iterator[Rig]:
    with module_server("history") as (services, server):
        owner, _ = member_of_new_team(server.base_url, "history@example.com")
        yield Rig(server, services.database_url, owner)


async def _today(database_url: str) -> dt.date:
    (row,) = await fetch(database_url, "SELECT (now() AT TIME ZONE 'UTC')::date AS d")
    today: dt.date = row["d"]
    return today


async def _subscribers(
    database_url: str,
    team: uuid.UUID,
    statuses: dict[str, int],
    connection: uuid.UUID | None = None,
) -> None:
    for status, n in statuses.items():
        await fetch(
            database_url,
            "INSERT INTO subscribers (team_id, esp_connection_id, email, status) "
            "SELECT $1, $2, 'r' || g || '-' || gen_random_uuid() || '@example.com', $3 "
            "FROM generate_series(1, $4) g",
            team,
            connection,
            status,
            n,
        )


async def _day(
    database_url: str, team: uuid.UUID, day: dt.date, status: str, total: int, at: str = "now()"
) -> None:
    await fetch(
        database_url,
        "INSERT INTO subscriber_days (team_id, day, status, total, counted_at) "
        f"VALUES ($1, $2, $3, $4, {at})",
        team,
        day,
        status,
        total,
    )


def _counts(history: dict[str, object], index: int) -> dict[str, int]:
    return {status: history[status][index] for status in _STATUSES}  # type: ignore[index]


async def test_history_is_read_from_the_rollup_per_status_and_team(rig: Rig) -> None:
    caller, team = rig.team()
    other, other_id = rig.team()
    database_url = rig.database_url
    await _subscribers(database_url, team, {"subscribed": 7, "unsubscribed": 2, "pending": 1})
    await _subscribers(database_url, other_id, {"subscribed": 50, "cleaned": 5})
    one = caller("subscribers.list", status="subscribed", limit=1)["items"][0]
    caller("subscribers.delete", id=one["id"])
    # Nothing counted yet: an empty history, not a scan of the subscribers.
    empty = caller("subscribers.history")
    assert empty == {
        "days": [],
        **{status: [] for status in _STATUSES},
        "countedAt": None,
    }

    assert await rig.count() >= 5  # both teams' groups
    today = (await _today(database_url)).isoformat()
    history = caller("subscribers.history")
    assert history["days"] == [today] and history["countedAt"] is not None
    # Live ones only (the deleted one is not counted), and never the other team's.
    assert _counts(history, 0) == {
        "subscribed": 6,
        "unsubscribed": 2,
        "pending": 1,
        "bounced": 0,
        "cleaned": 0,
    }
    assert other("subscribers.history")["subscribed"] == [50]

    # A subscriber added after the count shows at the next count, not before.
    caller("subscribers.create", email="late@example.com", status="bounced")
    assert caller("subscribers.history")["bounced"] == [0]
    await rig.count()
    assert caller("subscribers.history")["bounced"] == [1]


async def test_days_are_oldest_first_and_a_missed_day_repeats_the_one_before(rig: Rig) -> None:
    caller, team = rig.team()
    database_url = rig.database_url
    today = await _today(database_url)
    back = [today - dt.timedelta(days=n) for n in range(5)]
    await _day(database_url, team, back[4], "subscribed", 10)
    await _day(database_url, team, back[4], "cleaned", 1)
    await _day(database_url, team, back[3], "subscribed", 12)  # back[2] and back[1]: missed
    await _day(database_url, team, back[0] - dt.timedelta(days=400), "subscribed", 99)

    history = caller("subscribers.history", days=5)
    assert history["days"] == [d.isoformat() for d in reversed(back)]
    assert history["subscribed"] == [10, 12, 12, 12, 12]  # today not counted yet: repeated
    assert history["cleaned"] == [1, 0, 0, 0, 0]  # a day's missing status is none of it
    # A window that opens on days not counted repeats the last day counted before it.
    assert caller("subscribers.history", days=2)["subscribed"] == [12, 12]
    year = caller("subscribers.history", days=365)
    assert len(year["days"]) == 365 and year["days"][-1] == today.isoformat()
    assert year["subscribed"][0] == 99 and year["subscribed"][-5:] == [10, 12, 12, 12, 12]


async def test_a_connection_filter_counts_only_its_subscribers(rig: Rig) -> None:
    caller, team = rig.team()
    database_url = rig.database_url
    connection = await add_connection(database_url, team)
    await _subscribers(database_url, team, {"subscribed": 3}, connection)
    await _subscribers(database_url, team, {"subscribed": 4, "pending": 2})  # made by hand
    await rig.count()
    assert caller("subscribers.history")["subscribed"] == [7]
    mine = caller("subscribers.history", connectionId=str(connection))
    assert (mine["subscribed"], mine["pending"]) == ([3], [0])
    # Another team's connection, or none: nothing to count, not an error.
    other, other_id = rig.team()
    theirs = await add_connection(database_url, other_id)
    assert caller("subscribers.history", connectionId=str(theirs))["days"] == []
    assert other("subscribers.history", connectionId=str(connection))["days"] == []


async def test_a_group_that_empties_counts_zero_and_yesterday_is_closed_once(
    runtime: Runtime, database_url: str
) -> None:
    (row,) = await fetch(database_url, "INSERT INTO teams (name) VALUES ('T') RETURNING id")
    team: uuid.UUID = row["id"]
    today = await _today(database_url)
    yesterday = today - dt.timedelta(days=1)
    # Yesterday last counted before midnight: the first count today closes it too.
    await _day(database_url, team, yesterday, "pending", 3, "now() - interval '1 day'")
    await _subscribers(database_url, team, {"subscribed": 2})
    assert await count_subscriber_days(JobContext(runtime=runtime)) == 3
    rows = await fetch(
        database_url,
        "SELECT day, status, total FROM subscriber_days WHERE team_id = $1 ORDER BY day, status",
        team,
    )
    # The pending ones left before yesterday ended (as far as anyone counted): a zero, not
    # their last count; today needs no row for them.
    assert [(r["day"], r["status"], r["total"]) for r in rows] == [
        (yesterday, "pending", 0),
        (yesterday, "subscribed", 2),
        (today, "subscribed", 2),
    ]
    await _subscribers(database_url, team, {"subscribed": 1})
    assert await count_subscriber_days(JobContext(runtime=runtime)) == 1  # only today moves
    rows = await fetch(
        database_url,
        "SELECT day, total FROM subscriber_days WHERE team_id = $1 AND status = 'subscribed' "
        "ORDER BY day",
        team,
    )
    assert [r["total"] for r in rows] == [2, 3]


async def test_the_history_reads_one_team_by_its_index_and_never_the_subscribers(
    database_url: str,
) -> None:
    """On the generic plan a pooled connection soon runs: the team's range of the rollup's key,
    whatever other teams have."""
    teams = await fetch(
        database_url,
        "INSERT INTO teams (name) SELECT 't' || n FROM generate_series(1, 200) n RETURNING id",
    )
    await fetch(
        database_url,
        "INSERT INTO subscriber_days (team_id, day, status, total) SELECT t, current_date - g, "
        "'subscribed', 1 FROM unnest($1::uuid[]) t, generate_series(0, 100) g",
        [t["id"] for t in teams],
    )
    await fetch(database_url, "ANALYZE subscriber_days")
    team = teams[0]["id"]
    async with generic_plans(database_url, team) as app:
        await app.execute(f"PREPARE history (uuid, int, uuid) AS {HISTORY}")
        for connection in ("NULL", f"'{uuid.uuid4()}'"):
            plan = "\n".join(
                row[0]
                for row in await app.fetch(f"EXPLAIN EXECUTE history ('{team}', 90, {connection})")
            )
            assert "subscriber_days_key" in plan, plan
            assert "Seq Scan" not in plan and " on subscribers" not in plan, plan


@pytest.mark.parametrize(
    "body",
    [
        {"days": 0},
        {"days": 366},
        {"days": "90"},
        {"days": 1.5},
        {"connectionId": "not-a-uuid"},
        {"connectionId": 7},
        {"since": "yesterday"},
    ],
)
def test_bad_input_is_400(rig: Rig, body: dict[str, object]) -> None:
    failed = fails(rig.owner, "subscribers.history", **body)
    assert (failed.status, failed.code) == (400, "VALIDATION_FAILED"), failed.data


def test_the_worker_counts_the_days_every_five_minutes(runtime: Runtime) -> None:
    scheduled = {job.function.__name__: job.cron for job in build_worker(runtime).cron_jobs}
    assert scheduled["count_subscriber_days"] == COUNT_DAYS_CRON == "*/5 * * * *"
