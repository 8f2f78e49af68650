"""Operations: usage metering with threshold alerts, account deletion, tombstone purge."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from app.config import Settings
from app.feed.jobs import purge_tombstones
from app.jobs import JobContext, purge_history
from app.runtime import Runtime
from app.sync.jobs import queue_active_connections
from app.teams.jobs import erase_deleted_teams
from app.usage.jobs import roll_billing_period
from app.usage.plans import PLANS, period_of
from app.usage.service import UsageService
from app.work import unit_of_work
from tests.support import (
    Caller,
    CallFailed,
    ServerProcess,
    add_connection,
    fails,
    fetch,
    join_by_sql,
    member_of_new_team,
    start_server,
    wait_for,
)


async def _team(database_url: str) -> uuid.UUID:
    team = uuid.uuid4()
    await fetch(database_url, "INSERT INTO teams (id, name) VALUES ($1, 'T')", team)
    return team


async def _request_logs(database_url: str) -> int:
    rows = await fetch(database_url, "SELECT count(*) AS n FROM request_logs")
    return int(rows[0]["n"])


async def _request_logs_reach(database_url: str, count: int, timeout: float = 10) -> None:
    """Wait until the server's request-log writer has written ``count`` calls."""
    async with asyncio.timeout(timeout):
        while await _request_logs(database_url) < count:
            await asyncio.sleep(0.05)


async def test_concurrent_increments_announce_each_threshold_once(
    runtime: Runtime, database_url: str
) -> None:
    team = await _team(database_url)
    limit = PLANS["free"].api_requests
    assert limit is not None

    async def add(amount: int) -> None:
        async with unit_of_work(runtime, team_id=team) as work:
            await UsageService(work.conn).add(team, "api_requests", amount)

    # 60 tasks at once, each its own transaction; together 120% of the limit.
    await asyncio.gather(*(add(limit // 50) for _ in range(60)))
    alerts = await fetch(
        database_url,
        "SELECT data FROM events WHERE team_id = $1 AND type = 'usage.threshold'",
        team,
    )
    percents = sorted(json.loads(a["data"])["percent"] for a in alerts)
    assert percents == [90, 100]
    async with unit_of_work(runtime, team_id=team) as work:
        report = await UsageService(work.conn).report(team)
    (requests,) = [m for m in report.metrics if m.metric == "api_requests"]
    assert (requests.used, requests.limit, requests.percent) == (limit // 50 * 60, limit, 120.0)


async def test_over_the_limit_api_keys_and_syncs_answer_422(
    server: ServerProcess, database_url: str
) -> None:
    caller, team = member_of_new_team(server.base_url)
    key = caller("apiKeys.create", name="ci")["key"]
    keyed = Caller(server.base_url, {"X-API-Key": key})
    limit = PLANS["free"].api_requests
    assert limit is not None
    start, _ = period_of(dt.datetime.now(dt.UTC))
    await fetch(
        database_url,
        "INSERT INTO usage_counters (team_id, period_start, metric, used) VALUES "
        "($1, $2, 'api_requests', $3), ($1, $2, 'synced_subscribers', $4)",
        uuid.UUID(team),
        start,
        limit - 1,
        PLANS["free"].synced_subscribers,
    )
    keyed("subscribers.list")  # the last call within the limit; counted at the next flush

    def refused() -> CallFailed | None:
        try:
            keyed("subscribers.list")
        except CallFailed as failed:
            return failed
        return None

    failed = wait_for(refused, timeout=10, what="the quota to apply")
    assert (failed.status, failed.code, failed.data["metric"]) == (
        422,
        "PLAN_LIMIT_REACHED",
        "api_requests",
    )
    usage = caller("usage.get")  # a member's session is not metered
    assert {m["metric"]: m["used"] >= m["limit"] for m in usage["metrics"]} == {
        "synced_subscribers": True,
        "api_requests": True,
    }
    connection = await add_connection(database_url, uuid.UUID(team))
    sync = fails(caller, "espConnections.sync", id=str(connection))
    assert (sync.status, sync.code) == (422, "PLAN_LIMIT_REACHED")


async def test_api_key_calls_of_many_teams_are_logged_counted_and_announced(
    server: ServerProcess, database_url: str
) -> None:
    limit = PLANS["free"].api_requests
    assert limit is not None
    start, _ = period_of(dt.datetime.now(dt.UTC))
    keyed: dict[str, tuple[Caller, int]] = {}
    for email, calls in (("a@example.com", 3), ("b@example.com", 2)):
        caller, team = member_of_new_team(server.base_url, email)
        key = caller("apiKeys.create", name="ci")["key"]
        keyed[team] = (Caller(server.base_url, {"X-API-Key": key}), calls)
    team_a = next(iter(keyed))
    # Two calls short of 90%: team A's three calls cross it, once.
    await fetch(
        database_url,
        "INSERT INTO usage_counters (team_id, period_start, metric, used) "
        "VALUES ($1, $2, 'api_requests', $3)",
        uuid.UUID(team_a),
        start,
        limit * 9 // 10 - 2,
    )
    for caller, calls in keyed.values():
        for _ in range(calls):
            caller("subscribers.list")

    await _request_logs_reach(database_url, 5)
    counters = {
        str(r["team_id"]): r["used"]
        for r in await fetch(
            database_url,
            "SELECT team_id, used FROM usage_counters WHERE metric = 'api_requests'",
        )
    }
    team_b = next(t for t in keyed if t != team_a)
    assert counters == {team_a: limit * 9 // 10 + 1, team_b: 2}
    keys = await fetch(database_url, "SELECT team_id, last_used_at FROM api_keys")
    assert {str(r["team_id"]) for r in keys} == set(keyed)
    assert all(r["last_used_at"] is not None for r in keys)
    alerts = await fetch(
        database_url, "SELECT team_id, data FROM events WHERE type = 'usage.threshold'"
    )
    assert [(str(a["team_id"]), json.loads(a["data"])["percent"]) for a in alerts] == [(team_a, 90)]


async def test_calls_of_a_failed_request_log_flush_are_written_by_a_later_one(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    log_file = tmp_path / "server.log"
    with log_file.open("wb") as stderr, start_server(settings, stderr=stderr) as server:
        caller, _ = member_of_new_team(server.base_url)
        key = caller("apiKeys.create", name="ci")["key"]
        keyed = Caller(server.base_url, {"X-API-Key": key})
        # The flushes fail while the writer may not insert (a real error of the database).
        await fetch(database_url, "REVOKE INSERT ON request_logs FROM subnest_maint")
        for _ in range(4):
            keyed("subscribers.list")
        wait_for(
            lambda: "request log flush failed" in log_file.read_text(),
            timeout=10,
            what="a failed flush",
        )
        await fetch(database_url, "GRANT INSERT ON request_logs TO subnest_maint")
        await _request_logs_reach(database_url, 4)
    assert await _request_logs(database_url) == 4  # each call once, none lost


async def test_the_scheduled_sync_leaves_out_teams_at_their_limit_or_being_deleted(
    runtime: Runtime, database_url: str
) -> None:
    teams = {name: await _team(database_url) for name in ("room", "full", "leaving")}
    connections = {name: await add_connection(database_url, team) for name, team in teams.items()}
    tick = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    start, _ = period_of(tick)
    await fetch(
        database_url,
        "INSERT INTO usage_counters (team_id, period_start, metric, used) "
        "VALUES ($1, $2, 'synced_subscribers', $3), ($4, $2, 'synced_subscribers', $5)",
        teams["full"],
        start,
        PLANS["free"].synced_subscribers,
        teams["room"],
        (PLANS["free"].synced_subscribers or 0) - 1,
    )
    await fetch(
        database_url,
        "UPDATE teams SET deletion_due_at = now() + interval '1 day' WHERE id = $1",
        teams["leaving"],
    )
    assert await queue_active_connections(runtime, tick) == 1
    runs = await fetch(
        database_url, "SELECT esp_connection_id FROM sync_runs WHERE cron_tick = $1", tick
    )
    assert [r["esp_connection_id"] for r in runs] == [connections["room"]]


async def _run(runtime: Runtime, job: Any) -> int:
    result: int = await job(JobContext(runtime=runtime))
    return result


async def _rows_of(database_url: str, team: uuid.UUID) -> dict[str, int]:
    """Rows that name the team, in every table with a team_id column (and teams itself)."""
    tables = await fetch(
        database_url,
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND column_name = 'team_id'",
    )
    counts = {}
    conn = await asyncpg.connect(database_url)
    try:
        for row in tables:
            name = row["table_name"]
            counts[name] = await conn.fetchval(
                f"SELECT count(*) FROM {name} WHERE team_id = $1", team
            )
        counts["teams"] = await conn.fetchval("SELECT count(*) FROM teams WHERE id = $1", team)
    finally:
        await conn.close()
    return {name: n for name, n in counts.items() if n}


async def test_deletion_waits_out_its_grace_then_erases_everything(
    server: ServerProcess, database_url: str, runtime: Runtime
) -> None:
    caller, team_raw = member_of_new_team(server.base_url)
    team = uuid.UUID(team_raw)
    key = caller("apiKeys.create", name="ci")["key"]
    keyed = Caller(server.base_url, {"X-API-Key": key})
    for n in range(3):
        keyed("subscribers.create", email=f"s{n}@example.com")
    caller("exports.create", format="csv")
    await fetch(
        database_url,
        "INSERT INTO task_logs (job, job_key, team_id, attempt, status, duration_ms) "
        "VALUES ('x', 'x', $1, 1, 'succeeded', 1)",
        team,
    )
    admin, _ = member_of_new_team(server.base_url, "admin@example.com")
    caller("members.add", email="admin@example.com", role="admin")  # an invitation and its mail
    await join_by_sql(database_url, team, "admin@example.com", "admin")
    admin.headers["X-Team-Id"] = team_raw
    assert fails(admin, "teams.delete").code == "WRONG_ROLE"  # owners only

    due = caller("teams.delete")["deletionDueAt"]
    assert dt.datetime.fromisoformat(due) > dt.datetime.now(dt.UTC) + dt.timedelta(hours=71)
    for call in (caller, keyed):
        failed = fails(call, "subscribers.list")
        assert (failed.status, failed.code) == (422, "TEAM_DELETION_SCHEDULED")
        assert failed.data["deletionDueAt"] == due
    assert caller("teams.list")["items"][0]["deletionDueAt"] == due
    url = f"{server.base_url}/exports/subscribers.csv"
    stream = await asyncio.to_thread(httpx.get, url, headers=keyed.headers)
    assert stream.status_code == 422

    caller("teams.restore")  # within the grace period: as if nothing happened
    assert len(keyed("subscribers.list")["items"]) == 3

    caller("teams.delete")
    assert await _run(runtime, erase_deleted_teams) == 0  # not due yet
    assert "subscribers" in await _rows_of(database_url, team)
    await fetch(
        database_url,
        "UPDATE teams SET deletion_due_at = now() - interval '1 second' WHERE id = $1",
        team,
    )
    assert await _run(runtime, erase_deleted_teams) == 1
    assert await _rows_of(database_url, team) == {}
    assert fails(keyed, "subscribers.list").status == 401
    assert caller("teams.list")["items"] == []


async def test_purged_tombstones_move_the_horizon(
    server: ServerProcess, database_url: str, runtime: Runtime
) -> None:
    caller, _ = member_of_new_team(server.base_url)
    kept = caller("subscribers.create", email="kept@example.com")
    gone = caller("subscribers.create", email="gone@example.com")

    def past_both() -> str | None:
        # Not before both rows are visible: another transaction of the cluster may hold xmin.
        page = caller("sync.pull")
        ids = {c["id"] for c in page["changes"] if c["table"] == "subscribers"}
        return page["cursor"] if ids == {kept["id"], gone["id"]} else None

    before = wait_for(past_both, what="a cursor past both subscribers")
    caller("subscribers.delete", id=gone["id"])
    assert await _run(runtime, purge_tombstones) == 0  # too recent
    await fetch(
        database_url,
        "UPDATE subscribers SET deleted_at = now() - interval '91 days' WHERE id = $1",
        uuid.UUID(gone["id"]),
    )
    # Rows are purged only below the cluster's xmin: other tests' open transactions may hold it.
    deadline = asyncio.get_running_loop().time() + 30
    while await _run(runtime, purge_tombstones) != 1:
        assert asyncio.get_running_loop().time() < deadline, "the tombstone was never purged"
        await asyncio.sleep(0.1)
    stale = fails(caller, "sync.pull", cursor=before)
    assert (stale.status, stale.code) == (409, "MUST_REFETCH")
    fresh = caller("sync.pull")
    assert {c["id"] for c in fresh["changes"] if c["table"] == "subscribers"} == {kept["id"]}
    assert caller("sync.pull", cursor=fresh["cursor"])["changes"] == []


async def test_the_billing_period_rolls_over_once(runtime: Runtime, database_url: str) -> None:
    team = await _team(database_url)
    assert await _run(runtime, roll_billing_period) >= 2  # every team gets its two counters
    assert await _run(runtime, roll_billing_period) == 0
    start, _ = period_of(dt.datetime.now(dt.UTC))
    rows = await fetch(
        database_url,
        "SELECT metric, used FROM usage_counters WHERE team_id = $1 AND period_start = $2",
        team,
        start,
    )
    assert sorted((r["metric"], r["used"]) for r in rows) == [
        ("api_requests", 0),
        ("synced_subscribers", 0),
    ]


async def test_history_past_retention_is_purged(runtime: Runtime, database_url: str) -> None:
    team = await _team(database_url)
    old = "now() - interval '31 days'"
    endpoint = (
        await fetch(
            database_url,
            "INSERT INTO webhook_endpoints (team_id, url, events, secret_ciphertext, "
            "secret_key_id) VALUES ($1, 'https://example.com/', '{x}', '\\x00', 'k') "
            "RETURNING id",
            team,
        )
    )[0]["id"]

    async def event(age: str, delivery: str | None) -> uuid.UUID:
        made: uuid.UUID = (
            await fetch(
                database_url,
                f"INSERT INTO events (team_id, type, created_at, dispatched_at) "
                f"VALUES ($1, 'x', {age}, {age}) RETURNING id",
                team,
            )
        )[0]["id"]
        if delivery is not None:
            await fetch(
                database_url,
                "WITH d AS (INSERT INTO webhook_deliveries (team_id, endpoint_id, event_id, "
                "event_type, payload, status) VALUES ($1, $2, $3, 'x', '{}', $4) RETURNING id) "
                "INSERT INTO webhook_attempts (team_id, delivery_id, attempt, duration_ms) "
                "SELECT $1, id, 1, 1 FROM d",
                team,
                endpoint,
                made,
                delivery,
            )
        return made

    done, waiting, recent = (
        await event(old, "succeeded"),
        await event(old, "pending"),
        await event("now()", "failed"),
    )
    await fetch(
        database_url,
        "INSERT INTO task_logs (job, job_key, attempt, status, duration_ms, created_at) "
        f"VALUES ('old', 'old', 1, 'succeeded', 1, {old}), "
        "('new', 'new', 1, 'succeeded', 1, now())",
    )
    assert await _run(runtime, purge_history) == 2  # the old task log, the finished event
    events = await fetch(database_url, "SELECT id FROM events WHERE team_id = $1", team)
    assert {e["id"] for e in events} == {waiting, recent}  # a pending delivery keeps its event
    attempts = await fetch(
        database_url,
        "SELECT d.event_id FROM webhook_attempts a JOIN webhook_deliveries d "
        "ON d.id = a.delivery_id WHERE a.team_id = $1",
        team,
    )
    assert {a["event_id"] for a in attempts} == {waiting, recent}
    assert done not in {e["id"] for e in events}
    logs = await fetch(database_url, "SELECT job FROM task_logs WHERE job IN ('old', 'new')")
    assert [log["job"] for log in logs] == ["new"]
