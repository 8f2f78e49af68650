"""Syncs end to end: API → sync_runs outbox → worker → connector → fake provider → merge."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest

from app.config import Settings
from app.embedded import EmbeddedRedis
from app.esp import NormalizedSubscriber
from app.jobs import JobContext
from app.runtime import Runtime
from app.sync.jobs import purge_deleted_connections, sync_connection
from tests.fakes import FAKES, FakeEsp, fake_esp
from tests.support import (
    Caller,
    CallFailed,
    env_for,
    fails,
    fetch,
    member_of_new_team,
    start_server,
    subnest,
    wait_for,
)

PROVIDERS = sorted(FAKES)
# The providers' rate-limit windows and waits, a hundred times shorter (fake and worker alike).
TIME_SCALE = 0.01


class System:
    """A server and a worker, both pointed at one fake provider."""

    def __init__(self, settings: Settings, fake: FakeEsp, **env: str) -> None:
        self.settings = settings
        self.fake = fake
        self.env = {**fake.env(), **env}
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_worker(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(subnest("worker"), env=env_for(self.settings, **self.env))


@pytest.fixture
def system(settings: Settings, request: pytest.FixtureRequest) -> Iterator[tuple[System, Caller]]:
    provider, size, *env = request.param
    with fake_esp(provider, size=size, seed=3, time_scale=TIME_SCALE) as fake:
        system = System(settings, fake, **(env[0] if env else {}))
        with start_server(system.settings, **system.env) as server:
            system.workers.append(system.start_worker())
            try:
                caller, _ = member_of_new_team(server.base_url)
                yield system, caller
            finally:
                for worker in system.workers:
                    worker.terminate()
                    worker.wait(30)


def _sync_and_wait(caller: Caller, connection_id: str, timeout: float = 60) -> dict[str, Any]:
    queued = caller("espConnections.sync", id=connection_id)
    assert queued["status"] == "queued"
    return _finished(caller, queued["syncRunId"], timeout)


def _finished(caller: Caller, run_id: str, timeout: float = 60) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        run = caller("syncRuns.get", id=run_id)
        return run if run["status"] in ("succeeded", "failed", "needs_review") else None

    return wait_for(finished, timeout=timeout, interval=0.1, what="sync run to finish")


async def _rows(database_url: str) -> dict[str, tuple[Any, ...]]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT external_id, email, first_name, last_name, status, custom_fields::text "
            "FROM subscribers WHERE deleted_at IS NULL"
        )
    finally:
        await conn.close()
    return {r["external_id"]: tuple(r.values())[1:] for r in rows}


async def _times(database_url: str) -> dict[str, tuple[dt.datetime | None, ...]]:
    """The provider's created and updated times of each live row, by external id."""
    rows = await fetch(
        database_url,
        "SELECT external_id, provider_created_at, provider_updated_at FROM subscribers "
        "WHERE deleted_at IS NULL",
    )
    return {r["external_id"]: (r["provider_created_at"], r["provider_updated_at"]) for r in rows}


def _expected(fake: FakeEsp) -> dict[str, tuple[Any, ...]]:
    import msgspec

    return {
        key: (
            s.email,
            s.first_name,
            s.last_name,
            s.status,
            msgspec.json.encode(s.custom_fields).decode(),
        )
        for key, s in fake.account.expected().items()
    }


def _fields(subscriber: NormalizedSubscriber) -> NormalizedSubscriber:
    """The subscriber without the provider's updated time (not part of the content hash)."""
    return msgspec.structs.replace(subscriber, provider_updated_at=None)


def _normalize_json(rows: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    import json

    return {k: (*v[:4], json.loads(v[4])) for k, v in rows.items()}


@pytest.mark.parametrize("system", [(p, 1500) for p in PROVIDERS], indirect=True, ids=PROVIDERS)
async def test_sync_then_resync_after_edits_matches_the_provider(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    fake = env.fake
    connection = fake.connect(caller, f"My {fake.provider}")
    assert "credentials" not in connection and fake.api_key not in str(connection)

    first = _sync_and_wait(caller, connection["id"])
    total = len(fake.account.expected())
    assert first["status"] == "succeeded", first
    assert (first["created"], first["updated"], first["deleted"], first["unchanged"]) == (
        total,
        0,
        0,
        0,
    )
    assert first["rowsSeen"] == total and first["pages"] >= 1
    assert _normalize_json(await _rows(database_url)) == _normalize_json(_expected(fake))
    assert await _times(database_url) == {
        key: (s.provider_created_at, s.provider_updated_at)
        for key, s in fake.account.expected().items()
    }

    ids = fake.account.ids()
    before = fake.account.expected()
    fake.account.add(7)
    for external_id in ids[:3]:
        fake.account.edit(external_id, first_name="Edited")
    for external_id in ids[3:7]:
        fake.account.remove(external_id)
    for external_id in ids[7:9]:
        fake.account.unsubscribe(external_id)
    after = fake.account.expected()
    # An unsubscribe of someone already unsubscribed changes nothing (but the provider's updated
    # time, which is no change of ours): count what really changed.
    changed = sum(
        1 for key in before.keys() & after.keys() if _fields(before[key]) != _fields(after[key])
    )
    assert 3 <= changed <= 5

    second = _sync_and_wait(caller, connection["id"])
    assert second["status"] == "succeeded", second
    assert second["created"] == 7
    assert second["deleted"] == 4
    assert second["updated"] == changed
    assert second["unchanged"] == total - 4 - changed
    assert second["conflicts"] == 0
    assert _normalize_json(await _rows(database_url)) == _normalize_json(_expected(fake))

    runs = caller("syncRuns.list", connectionId=connection["id"])["items"]
    assert [r["id"] for r in runs] == [second["id"], first["id"]]
    assert caller("espConnections.get", id=connection["id"])["lastSyncedAt"] is not None


@pytest.mark.parametrize("system", [("kit", 50)], indirect=True, ids=["kit"])
def test_credentials_are_checked_with_the_provider(system: tuple[System, Caller]) -> None:
    env, caller = system
    with pytest.raises(CallFailed) as refused:
        caller(
            "espConnections.create",
            provider="kit",
            name="Wrong",
            credentials={"apiKey": env.fake.wrong_key},
        )
    assert refused.value.status == 422
    assert refused.value.code == "ESP_CREDENTIALS_REJECTED"
    assert env.fake.wrong_key not in str(refused.value.data)
    assert refused.value.data["provider"] == "kit"


@pytest.mark.parametrize("system", [("kit", 200)], indirect=True, ids=["kit"])
def test_rejected_credentials_put_the_connection_in_error(
    system: tuple[System, Caller],
) -> None:
    env, caller = system
    connection = env.fake.connect(caller, "Kit")
    env.fake.api_key = "rotated-at-the-provider"
    run = _sync_and_wait(caller, connection["id"])
    assert run["status"] == "failed"
    assert run["error"].startswith("credentials rejected")
    assert run["errorKind"] == "credentials_rejected"
    assert run["attempts"] == 1, "a refused key is not retried"
    after = caller("espConnections.get", id=connection["id"])
    assert after["status"] == "error" and after["statusReason"]


def _run_on_the_feed(caller: Caller, run_id: str, **expected: Any) -> dict[str, Any]:
    """The sync run's latest row on the feed (sync.pull from the start), once it shows
    ``expected``."""

    def pulled() -> dict[str, Any] | None:
        cursor, rows = None, {}
        while True:
            page = caller("sync.pull", cursor=cursor, limit=200)
            for change in page["changes"]:
                if change["table"] == "sync_runs":
                    rows[change["row"]["id"]] = change["row"]
            cursor = page["cursor"]
            if not page["hasMore"]:
                break
        row = rows.get(run_id)
        return row if row and all(row[k] == v for k, v in expected.items()) else None

    return wait_for(pulled, timeout=30, interval=0.2, what=f"sync run {run_id} on the feed")


@pytest.mark.parametrize("system", [("mailchimp", 1500)], indirect=True, ids=["mailchimp"])
def test_throttles_and_5xx_storms_are_retried_and_other_refusals_are_provider_errors(
    system: tuple[System, Caller],
) -> None:
    env, caller = system
    fake = env.fake
    connection = fake.connect(caller, "Mailchimp")
    total = len(fake.account.expected())

    fake.throttle_next(3)  # Mailchimp's high-volume throttle: a 403 with an HTML body
    throttled = _sync_and_wait(caller, connection["id"])
    assert throttled["status"] == "succeeded", throttled
    assert throttled["created"] == total
    assert throttled["error"] is None and throttled["errorKind"] is None
    assert fake.statuses().count(403) == 3

    # A storm longer than one job attempt's five tries: the job is retried and finishes.
    fake.fail_next(7, status=503)
    stormed = _sync_and_wait(caller, connection["id"], timeout=90)
    assert stormed["status"] == "succeeded", stormed
    assert (stormed["unchanged"], stormed["deleted"]) == (total, 0)
    assert stormed["attempts"] >= 2, "the storm outlasted the first job attempt"
    assert fake.statuses().count(503) == 7
    assert stormed["error"] is None and stormed["errorKind"] is None
    after = caller("espConnections.get", id=connection["id"])
    assert (after["status"], after["statusReason"]) == ("active", None)

    # A 404 on the listing (the audience went away) is the provider's refusal, not a verdict
    # on the key: recorded, typed, not retried; the connection stays active.
    fake.list_id = "gone000000"
    refused = _sync_and_wait(caller, connection["id"])
    assert refused["status"] == "failed"
    assert refused["errorKind"] == "provider_error"
    assert refused["error"].startswith("provider error: HTTP 404")
    assert refused["attempts"] == 1
    assert caller("espConnections.get", id=connection["id"])["status"] == "active"
    listed = caller("syncRuns.list", connectionId=connection["id"])["items"]
    assert [r["errorKind"] for r in listed] == ["provider_error", None, None]
    _run_on_the_feed(caller, refused["id"], status="failed", errorKind="provider_error")


@pytest.mark.parametrize("system", [("beehiiv", 300)], indirect=True, ids=["beehiiv"])
async def test_paused_and_unknown_statuses_are_skipped_and_counted_not_fatal(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    fake = env.fake
    connection = fake.connect(caller, "beehiiv")
    ids = fake.account.ids()
    for external_id in ids[:2]:
        fake.account.set_status(external_id, "paused")
    for external_id in ids[10:13]:
        fake.account.edit(external_id, status="on_vacation")  # no provider documents it
    fake.throttle_next(1)  # a 429 whose RateLimit-Reset is a Unix epoch time
    run = _sync_and_wait(caller, connection["id"])
    assert run["status"] == "succeeded", run
    assert (run["created"], run["skipped"], run["rowsSeen"]) == (len(ids) - 3, 3, len(ids) - 3)
    assert run["errorKind"] is None
    rows = await _rows(database_url)
    assert _normalize_json(rows) == _normalize_json(_expected(fake))
    assert {rows[i][3] for i in ids[:2]} == {"unsubscribed"}
    assert not set(ids[10:13]) & rows.keys()
    _run_on_the_feed(caller, run["id"], status="succeeded", skipped=3)

    # A synced reader that turns up in an unknown status is kept as it was, not tombstoned.
    kept = rows[ids[20]]
    fake.account.edit(ids[20], status="hibernating")
    again = _sync_and_wait(caller, connection["id"])
    assert again["status"] == "succeeded", again
    assert (again["skipped"], again["deleted"], again["created"], again["updated"]) == (4, 0, 0, 0)
    assert (await _rows(database_url))[ids[20]] == kept


_FAST_TAKEOVER = {
    "SYNC_HEARTBEAT_SECONDS": "1",
    "WORKER_SWEEP_SECONDS": "1",
    "SYNC_REQUEUE_AFTER_SECONDS": "2",
}


@pytest.mark.parametrize("system", [("kit", 12000, _FAST_TAKEOVER)], indirect=True, ids=["kit"])
async def test_a_worker_killed_mid_sync_is_taken_over_without_loss(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    connection = env.fake.connect(caller, "Kit")
    env.fake.stall_next(8, 0.4)  # slow pages, so the kill lands mid-listing
    queued = caller("espConnections.sync", id=connection["id"])

    def midway() -> bool:
        run = caller("syncRuns.get", id=queued["syncRunId"])
        return run["status"] == "running" and run["pages"] >= 2

    wait_for(midway, timeout=30, what="the sync to be under way")
    env.workers[0].send_signal(signal.SIGKILL)
    env.workers[0].wait(10)
    env.workers.append(env.start_worker())

    # Generous: the takeover waits for a stale heartbeat and the next sweep, on a loaded machine.
    run = _finished(caller, queued["syncRunId"], timeout=100)
    assert run["status"] == "succeeded", run
    assert run["attempts"] >= 2
    assert run["created"] == len(env.fake.account.expected())
    rows = await _rows(database_url)
    assert _normalize_json(rows) == _normalize_json(_expected(env.fake))
    counts = await fetch(
        database_url, "SELECT count(*) AS n, count(DISTINCT external_id) AS d FROM subscribers"
    )
    assert counts[0]["n"] == counts[0]["d"] == len(rows)


@pytest.mark.parametrize("system", [("kit", 3000)], indirect=True, ids=["kit"])
async def test_a_second_job_of_a_running_sync_leaves_the_run_to_the_first(
    system: tuple[System, Caller], settings: Settings, database_url: str
) -> None:
    # SAQ's sweep and the heartbeat takeover can both start a job for a run whose first job
    # still runs (a slow merge sends no heartbeat). The second one found the connection's lock
    # taken and put the run back to "queued": the first one's merge then committed its rows
    # without its outcome, and a third sync reported them all unchanged ("created 0").
    env, caller = system
    connection = env.fake.connect(caller, "Kit")
    env.fake.stall_next(6, 0.4)  # slow pages: the second job comes while the first lists
    queued = caller("espConnections.sync", id=connection["id"])
    run_id = queued["syncRunId"]
    wait_for(
        lambda: caller("syncRuns.get", id=run_id)["status"] == "running",
        timeout=30,
        what="the first job to be under way",
    )
    (row,) = await fetch(database_url, "SELECT team_id FROM sync_runs WHERE id = $1", run_id)
    runtime = Runtime(settings)
    await runtime.start()
    try:
        second = await sync_connection(
            JobContext(runtime=runtime), sync_run_id=run_id, team_id=str(row["team_id"])
        )
    finally:
        await runtime.stop()
    assert "another sync of this connection is running" in second["skipped"]
    during = caller("syncRuns.get", id=run_id)
    assert (during["status"], during["attempts"]) == ("running", 1), during
    run = _finished(caller, run_id)
    assert (run["status"], run["attempts"]) == ("succeeded", 1), run
    assert run["created"] == len(env.fake.account.expected())


def test_a_sync_requested_while_redis_is_down_runs_once_it_is_back(
    settings: Settings, tmp_path: Path, database_url: str
) -> None:
    cache = EmbeddedRedis(tmp_path, name="flaky-redis")
    url = cache.start()
    own = msgspec.structs.replace(settings, redis_url=url)
    try:
        with fake_esp("kit", size=30, seed=5) as fake:
            system = System(own, fake, **_FAST_TAKEOVER)
            with start_server(own, **system.env) as server:
                system.workers.append(system.start_worker())
                try:
                    caller, _ = member_of_new_team(server.base_url)
                    connection = fake.connect(caller)
                    cache.stop()
                    queued = caller("espConnections.sync", id=connection["id"])
                    assert caller("syncRuns.get", id=queued["syncRunId"])["status"] == "queued"
                    cache.start()
                    run = _finished(caller, queued["syncRunId"], timeout=60)
                finally:
                    for worker in system.workers:
                        worker.terminate()
                        worker.wait(30)
    finally:
        cache.stop()
    assert run["status"] == "succeeded", run
    assert run["created"] == len(fake.account.expected())


@pytest.mark.parametrize(
    "system",
    [("kit", 10, {**_FAST_TAKEOVER, "SYNC_CRON": "* * * * * *"})],
    indirect=True,
    ids=["kit"],
)
async def test_each_cron_tick_queues_each_active_connection_once_across_workers(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    active = [env.fake.connect(caller, f"K{n}") for n in range(3)]
    paused = env.fake.connect(caller, "Paused")
    caller("espConnections.update", id=paused["id"], status="paused")
    second_worker_at = dt.datetime.now(dt.UTC)
    env.workers.append(env.start_worker())  # two workers fire every second's tick

    async def ticks() -> list[asyncpg.Record]:
        return await fetch(
            database_url,
            "SELECT cron_tick, count(*) AS runs, count(DISTINCT esp_connection_id) AS conns "
            "FROM sync_runs WHERE cron_tick IS NOT NULL GROUP BY cron_tick",
        )

    async with asyncio.timeout(30):
        while len(await ticks()) < 4:
            await asyncio.sleep(0.2)
    rows = await ticks()
    assert all(r["runs"] == r["conns"] == len(active) for r in rows), rows
    # And each tick's job ran once, not once per worker (SAQ's unique cron jobs): every run
    # writes a task log, so a duplicate would log twice for one tick (one tick of slack: the
    # first may have started before the connections existed).
    (counted,) = await fetch(
        database_url,
        "SELECT (SELECT count(*) FROM task_logs WHERE job = 'sync_all_active' "
        "AND created_at >= $1) AS logged, (SELECT count(DISTINCT cron_tick) FROM sync_runs "
        "WHERE cron_tick IS NOT NULL) AS ticks",
        second_worker_at,
    )
    assert counted["logged"] <= counted["ticks"] + 1, dict(counted)
    paused_runs = await fetch(
        database_url,
        "SELECT count(*) AS n FROM sync_runs WHERE esp_connection_id = $1",
        uuid.UUID(paused["id"]),
    )
    assert paused_runs[0]["n"] == 0


@pytest.mark.parametrize("system", [("kit", 40)], indirect=True, ids=["kit"])
async def test_a_local_edit_loses_to_the_provider_and_counts_as_a_conflict(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    connection = env.fake.connect(caller, "Kit")
    assert _sync_and_wait(caller, connection["id"])["status"] == "succeeded"
    target = env.fake.account.ids()[0]
    # What subscribers.update will do: change a provider field, clear the hash; plus a local note.
    await fetch(
        database_url,
        "UPDATE subscribers SET first_name = 'Local', content_hash = NULL, "
        'local_fields = \'{"note": "vip"}\' WHERE external_id = $1',
        target,
    )
    second = _sync_and_wait(caller, connection["id"])
    assert (second["conflicts"], second["updated"]) == (1, 1)
    row = (
        await fetch(
            database_url,
            "SELECT first_name, local_fields::text AS local FROM subscribers "
            "WHERE external_id = $1",
            target,
        )
    )[0]
    assert row["first_name"] == env.fake.account.expected()[target].first_name
    assert row["local"] == '{"note": "vip"}'
    logged = await fetch(
        database_url,
        "SELECT status, count(*) AS n FROM task_logs WHERE job = 'sync_connection' GROUP BY status",
    )
    assert {r["status"]: r["n"] for r in logged}.get("succeeded", 0) >= 2


@pytest.mark.parametrize("system", [("kit", 3000)], indirect=True, ids=["kit"])
def test_sigterm_lets_in_flight_requests_and_jobs_finish(
    system: tuple[System, Caller], settings: Settings
) -> None:
    env, caller = system
    connection = env.fake.connect(caller, "Kit")
    # The worker: a sync slowed by the provider is under way when SIGTERM arrives.
    env.fake.stall_next(3, 0.5)
    queued = caller("espConnections.sync", id=connection["id"])
    wait_for(
        lambda: caller("syncRuns.get", id=queued["syncRunId"])["status"] == "running",
        timeout=20,
        what="the sync to start",
    )
    worker = env.workers[0]
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(30) == 0
    assert caller("syncRuns.get", id=queued["syncRunId"])["status"] == "succeeded"

    # The API: a call waiting on a slow provider answers although SIGTERM came meanwhile.
    with start_server(settings, **env.env) as server:
        env.fake.stall_next(1, 1.5)
        slow = Caller(server.base_url, caller.headers)
        before = env.fake.request_count
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            answer = pool.submit(
                slow,
                "espConnections.update",
                id=connection["id"],
                credentials=env.fake.credentials,
            )
            wait_for(lambda: env.fake.request_count > before, timeout=10, what="the slow call")
            server.process.send_signal(signal.SIGTERM)
            assert answer.result(timeout=30)["status"] == "active"
        assert server.process.wait(30) == 0


@pytest.mark.parametrize(
    "system", [("kit", 20, {"CRON_TOKEN": "cron-secret-token"})], indirect=True, ids=["kit"]
)
def test_cron_sync_all_needs_the_token_and_queues_once_per_minute(
    system: tuple[System, Caller],
) -> None:
    env, caller = system
    for n in range(2):
        env.fake.connect(caller, f"K{n}")
    scheduler = Caller(caller.base_url, {"Authorization": "Bearer cron-secret-token"})
    with pytest.raises(CallFailed) as refused:
        Caller(caller.base_url, {"Authorization": "Bearer wrong"})("cron.syncAll")
    assert refused.value.status == 401
    first, second = scheduler("cron.syncAll"), scheduler("cron.syncAll")
    # Both calls fall in the same minute, unless the clock just turned: then each queues all.
    assert (first["queued"], second["queued"]) in ((2, 0), (2, 2))
    runs = caller("syncRuns.list")["items"]
    assert {r["trigger"] for r in runs} == {"cron"}


@pytest.mark.parametrize("system", [("kit", 3000)], indirect=True, ids=["kit"])
async def test_deleting_a_connection_during_its_sync_keeps_its_subscribers_deleted(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    connection = env.fake.connect(caller, "Kit")
    env.fake.account.edit(env.fake.account.ids()[0], first_name="Nul\x00Byte")
    assert _sync_and_wait(caller, connection["id"])["status"] == "succeeded"
    stored = await fetch(
        database_url, "SELECT count(*) AS n FROM subscribers WHERE first_name = 'NulByte'"
    )
    assert stored[0]["n"] == 1, "NUL from a provider is dropped, not a failed sync"

    env.fake.stall_next(3, 0.5)
    queued = caller("espConnections.sync", id=connection["id"])
    wait_for(
        lambda: caller("syncRuns.get", id=queued["syncRunId"])["status"] == "running",
        timeout=20,
        what="the sync to start",
    )
    caller("espConnections.delete", id=connection["id"])
    run = _finished(caller, queued["syncRunId"])
    assert run["status"] == "failed" and "deleted" in run["error"]
    live = await fetch(
        database_url, "SELECT count(*) AS n FROM subscribers WHERE deleted_at IS NULL"
    )
    assert live[0]["n"] == 0


async def _live(database_url: str) -> int:
    (row,) = await fetch(
        database_url, "SELECT count(*) AS n FROM subscribers WHERE deleted_at IS NULL"
    )
    return int(row["n"])


@pytest.mark.parametrize("system", [(p, 300) for p in PROVIDERS], indirect=True, ids=PROVIDERS)
async def test_a_truncated_listing_tombstones_nothing_and_says_why(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    fake = env.fake
    connection = fake.connect(caller, fake.provider)
    total = len(fake.account.expected())
    assert _sync_and_wait(caller, connection["id"])["created"] == total
    fake.truncate_listing(30)  # the listing stops after a tenth; the provider's total does not
    fake.account.edit(fake.account.ids()[0], first_name="Edited")
    run = _sync_and_wait(caller, connection["id"])
    assert (run["deleted"], run["withheld"], run["liveBefore"]) == (0, total - 30, total), run
    assert run["updated"] == 1, "what was listed is still merged"
    if fake.provider in ("mailchimp", "brevo"):  # they report a total: the listing is short
        assert run["providerTotal"] == total
    if run["providerTotal"] is not None:
        assert (run["status"], run["deletionsWithheld"]) == ("succeeded", "short_listing"), run
    else:  # no total to hold it against: it is a 90% deletion, and waits for review
        assert (run["status"], run["deletionsWithheld"]) == ("needs_review", "mass_deletion"), run
    assert await _live(database_url) == total
    _run_on_the_feed(caller, run["id"], status=run["status"], withheld=total - 30)


@pytest.mark.parametrize("system", [(p, 200) for p in PROVIDERS], indirect=True, ids=PROVIDERS)
async def test_a_mass_deletion_waits_for_review_and_approval_applies_it(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    fake = env.fake
    connection = fake.connect(caller, fake.provider)
    ids = fake.account.ids()
    assert _sync_and_wait(caller, connection["id"])["created"] == len(ids)
    gone = len(ids) - 20
    for external_id in ids[20:]:  # 90% really gone at the provider
        fake.account.remove(external_id)
    fake.account.add(2)
    live = len(fake.account.expected())
    review = _sync_and_wait(caller, connection["id"])
    assert (review["status"], review["deletionsWithheld"]) == ("needs_review", "mass_deletion")
    assert (review["withheld"], review["liveBefore"], review["deleted"]) == (gone, len(ids), 0)
    assert (review["created"], review["approvalRunId"]) == (live - 20, None)
    assert await _live(database_url) == len(ids) + live - 20
    _run_on_the_feed(caller, review["id"], status="needs_review", deletionsWithheld="mass_deletion")

    # Another team cannot approve it, nor see it.
    other, _ = member_of_new_team(caller.base_url, "other@example.com")
    refused = fails(other, "syncRuns.approve", id=review["id"])
    assert (refused.status, refused.code) == (404, "NOT_FOUND")

    approved = caller("syncRuns.approve", id=review["id"])
    assert caller("syncRuns.approve", id=review["id"]) == approved, "approved once"
    run = _finished(caller, approved["syncRunId"])
    assert (run["status"], run["trigger"], run["deleted"]) == ("succeeded", "approval", gone), run
    assert run["deletionsWithheld"] is None
    assert caller("syncRuns.get", id=review["id"])["approvalRunId"] == run["id"]
    assert await _live(database_url) == live
    assert fails(caller, "syncRuns.approve", id=run["id"]).code == "SYNC_RUN_NOT_IN_REVIEW"


@pytest.mark.parametrize("system", [("kit", 100)], indirect=True, ids=["kit"])
async def test_an_approval_allows_only_the_deletions_it_was_shown(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    fake = env.fake
    connection = fake.connect(caller, "Kit")
    assert _sync_and_wait(caller, connection["id"])["created"] == 100
    fake.truncate_listing(0)  # an empty listing: another account's key, say
    review = _sync_and_wait(caller, connection["id"])
    assert (review["status"], review["deletionsWithheld"]) == ("needs_review", "empty_listing")
    assert review["withheld"] == 100
    fake.truncate_listing(None)
    ids = fake.account.ids()
    for external_id in ids[50:]:
        fake.account.remove(external_id)
    fake.account.add(60)  # the listing changed meanwhile: half gone, and 60 new ones
    # Allowing deletions is an admin's call: a write key may sync, not approve.
    writer = caller("apiKeys.create", name="Writer", scopes=["write"])["key"]
    refused = fails(
        Caller(caller.base_url, {"X-API-Key": writer}), "syncRuns.approve", id=review["id"]
    )
    assert (refused.status, refused.code) == (403, "INSUFFICIENT_SCOPE")
    # Approved for 100 deletions: the run deletes the 50 the listing now leaves out.
    run = _finished(caller, caller("syncRuns.approve", id=review["id"])["syncRunId"])
    assert (run["status"], run["deleted"], run["created"]) == ("succeeded", 50, 60), run
    assert await _live(database_url) == 110

    for external_id in fake.account.ids()[:100]:
        fake.account.remove(external_id)
    review = _sync_and_wait(caller, connection["id"])
    assert (review["status"], review["withheld"]) == ("needs_review", 100)
    fake.account.remove(fake.account.ids()[0])  # more than was shown: reviewed again
    again = _finished(caller, caller("syncRuns.approve", id=review["id"])["syncRunId"])
    assert (again["status"], again["withheld"], again["deleted"]) == ("needs_review", 101, 0)


@pytest.mark.parametrize(
    "system",
    [("mailerlite", 100, {"SYNC_MAX_DELETE_SHARE": "1.0"})],
    indirect=True,
    ids=["mailerlite"],
)
async def test_the_share_setting_can_allow_mass_deletion(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    connection = env.fake.connect(caller, "MailerLite")
    ids = env.fake.account.ids()
    assert _sync_and_wait(caller, connection["id"])["created"] == len(ids)
    for external_id in ids[10:]:
        env.fake.account.remove(external_id)
    run = _sync_and_wait(caller, connection["id"])
    assert (run["status"], run["deletionsWithheld"]) == ("succeeded", None), run
    assert run["deleted"] == len(ids) - 10
    assert await _live(database_url) == 10


@pytest.mark.parametrize("system", [("kit", 40)], indirect=True, ids=["kit"])
async def test_a_deleted_connection_is_restored_within_the_window_then_purged(
    system: tuple[System, Caller], database_url: str, runtime: Runtime
) -> None:
    env, caller = system
    fake = env.fake
    connection = fake.connect(caller, "Kit")
    assert _sync_and_wait(caller, connection["id"])["created"] == 40
    ids = fake.account.ids()
    fake.account.remove(ids[0])
    assert _sync_and_wait(caller, connection["id"])["deleted"] == 1  # a tombstone of its own
    (noted,) = await fetch(
        database_url, "SELECT id FROM subscribers WHERE external_id = $1", ids[1]
    )
    caller("subscribers.update", id=str(noted["id"]), localFields={"note": "vip"})

    caller("espConnections.delete", id=connection["id"])
    assert await _live(database_url) == 0
    assert caller("espConnections.list")["items"] == []
    (listed,) = caller("espConnections.list", includeDeleted=True)["items"]
    assert listed["id"] == connection["id"] and listed["deletedAt"] is not None

    other, _ = member_of_new_team(caller.base_url, "other@example.com")
    refused = fails(other, "espConnections.restore", id=connection["id"])
    assert (refused.status, refused.code) == (404, "NOT_FOUND")

    restored = caller("espConnections.restore", id=connection["id"])
    assert (restored["deletedAt"], restored["status"]) == (None, "paused")
    assert await _live(database_url) == 39, "exactly the rows the delete tombstoned"
    (back,) = await fetch(
        database_url, "SELECT local_fields::text AS f FROM subscribers WHERE id = $1", noted["id"]
    )
    assert back["f"] == '{"note": "vip"}'

    caller("espConnections.delete", id=connection["id"])
    job = JobContext(runtime=runtime)
    assert await purge_deleted_connections(job) == 0  # within the window
    # Past CONNECTION_RESTORE_HOURS (72): the deletion moved back in time, its rows with it.
    await fetch(
        database_url,
        "UPDATE subscribers s SET deleted_at = s.deleted_at - interval '73 hours' "
        "FROM esp_connections c WHERE c.id = s.esp_connection_id AND s.deleted_at = c.deleted_at",
    )
    await fetch(
        database_url, "UPDATE esp_connections SET deleted_at = deleted_at - interval '73 hours'"
    )
    expired = fails(caller, "espConnections.restore", id=connection["id"])
    assert (expired.status, expired.code) == (422, "CONNECTION_RESTORE_EXPIRED")

    async def purged() -> int:
        (row,) = await fetch(database_url, "SELECT count(*) AS n FROM subscribers")
        return int(row["n"])

    # Rows go only below the cluster's xmin: other tests' open transactions may hold it.
    async with asyncio.timeout(30):
        await purge_deleted_connections(job)
        while await purged() > 0:  # a purge may take some rows now and the rest once xmin moves
            await asyncio.sleep(0.1)
            await purge_deleted_connections(job)
    assert fails(caller, "espConnections.restore", id=connection["id"]).code == (
        "CONNECTION_RESTORE_EXPIRED"
    )


@pytest.mark.parametrize("system", [("mailchimp", 300)], indirect=True, ids=["mailchimp"])
async def test_mailchimp_rows_keep_their_id_and_local_fields_when_rekeyed_and_on_email_change(
    system: tuple[System, Caller], database_url: str
) -> None:
    env, caller = system
    fake = env.fake
    connection = fake.connect(caller, "Mailchimp")
    first = _sync_and_wait(caller, connection["id"])
    expected = fake.account.expected()
    total = len(expected)
    assert (first["status"], first["created"]) == ("succeeded", total), first
    assert await _times(database_url) == {
        key: (s.provider_created_at, s.provider_updated_at) for key, s in expected.items()
    }

    # Rows as the connector stored them before contact_id: keyed by the MD5 member id.
    target = fake.account.ids()[5]
    await fetch(
        database_url,
        "UPDATE subscribers SET external_id = md5(lower(email)), "
        'local_fields = CASE WHEN external_id = $1 THEN \'{"note": "vip"}\'::jsonb '
        "ELSE local_fields END",
        target,
    )
    ids_before = {
        r["email"]: r["id"] for r in await fetch(database_url, "SELECT id, email FROM subscribers")
    }
    rekeyed = _sync_and_wait(caller, connection["id"])
    assert rekeyed["status"] == "succeeded", rekeyed
    assert (rekeyed["created"], rekeyed["deleted"], rekeyed["unchanged"]) == (0, 0, total)
    rows = await fetch(database_url, "SELECT id, email, external_id, deleted_at FROM subscribers")
    assert {r["email"]: r["id"] for r in rows} == ids_before
    assert {r["external_id"] for r in rows} == expected.keys()
    assert all(r["deleted_at"] is None for r in rows)

    # An email change at Mailchimp changes the member id, not the contact id: the same row.
    subscriber_id = next(r["id"] for r in rows if r["external_id"] == target)
    fake.account.edit(target, email="Moved.Reader@Example.org")
    moved = _sync_and_wait(caller, connection["id"])
    assert (moved["created"], moved["deleted"], moved["updated"]) == (0, 0, 1), moved
    row = caller("subscribers.get", id=str(subscriber_id))
    assert row["email"] == "moved.reader@example.org"
    assert row["externalId"] == target
    assert row["localFields"] == {"note": "vip"}
    assert row["providerCreatedAt"] is not None
    assert dt.datetime.fromisoformat(row["providerUpdatedAt"]) == (
        fake.account.expected()[target].provider_updated_at
    )
