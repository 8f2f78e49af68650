"""Outages: PostgreSQL or Redis stopped and restarted under traffic, against real processes.

While a server is away every answer is 503 ``SERVICE_UNAVAILABLE`` with ``Retry-After`` (never
500), ``/health/ready`` is red, streams end cleanly and resume from their cursor, and the first
calls after the server returns succeed, with no restart of the API or the worker.

Each test runs its own server to stop (an embedded PostgreSQL cluster or Redis of its own):
the suite's shared cluster serves other xdist workers and must never be stopped. The processes'
log lines go to files (``server.log``, ``worker.log``) that the checks read.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from httpx_sse import aconnect_sse

from app.config import Settings
from app.db import migrate
from app.embedded import EmbeddedPostgres, EmbeddedRedis
from app.runtime import Runtime
from tests.fakes import fake_esp
from tests.support import (
    Caller,
    ServerProcess,
    fetch,
    member_of_new_team,
    start_server,
    start_worker,
    wait_for,
)

# What a server log may hold after one outage: a few warnings, never a line per call.
MAX_WARNING_LINES = 25
MAX_TRACEBACKS = 0
# How soon after the server's return calls must succeed again.
RECOVERY_SECONDS = 5.0


# --- the server to stop ---------------------------------------------------------------------


class StoppablePostgres:
    """An embedded PostgreSQL cluster of the test's own, stopped and started in place (same
    socket, same URL): what a restart of the database server looks like to the app."""

    def __init__(self, data_dir: Path) -> None:
        self.embedded = EmbeddedPostgres(data_dir, database="subnest")

    def start(self) -> str:
        return self.embedded.start()

    @property
    def _server(self) -> Any:
        return self.embedded._server

    def stop_server(self) -> None:
        """``pg_ctl stop -m fast``: sessions are terminated, as in a restart or failover."""
        from pgserver._commands import pg_ctl

        server = self._server
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)

    def start_server(self) -> None:
        server = self._server
        url = server.get_uri()
        with server._lock:
            server.ensure_postgres_running()
        assert server.get_uri() == url, "the restarted server must listen where it did"

    def close(self) -> None:
        self.embedded.stop()


# --- traffic --------------------------------------------------------------------------------


@dataclass
class Answer:
    procedure: str
    status: int
    code: str
    retry_after: str | None
    at: float
    email: str | None = None
    took: float = 0.0


@dataclass
class Traffic:
    """A steady mix of reads and writes of one team, every answer recorded."""

    base_url: str
    headers: dict[str, str]
    answers: list[Answer] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _emails: Iterator[int] = field(default_factory=itertools.count)

    def acknowledged(self) -> set[str]:
        return {a.email for a in self.answers if a.status == 200 and a.email}

    async def call(self, http: httpx.AsyncClient, procedure: str, **body: Any) -> Answer:
        sent = time.monotonic()
        response = await http.post(f"/rpc/{procedure}", json=body, headers=self.headers)
        payload = response.json()
        answer = Answer(
            procedure,
            response.status_code,
            payload.get("code", "") if response.status_code >= 400 else "",
            response.headers.get("retry-after"),
            time.monotonic(),
            body.get("email") if procedure == "subscribers.create" else None,
            time.monotonic() - sent,
        )
        self.answers.append(answer)
        return answer

    async def download(self, http: httpx.AsyncClient) -> Answer:
        """A streamed CSV download (a plain route, not a procedure)."""
        response = await http.get("/exports/subscribers.csv", headers=self.headers)
        error = response.status_code >= 400
        answer = Answer(
            "GET /exports/subscribers.csv",
            response.status_code,
            response.json().get("code", "") if error else "",
            response.headers.get("retry-after"),
            time.monotonic(),
        )
        self.answers.append(answer)
        return answer

    async def run(self, *mix: tuple[str, dict[str, Any]]) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=20) as http:
            while not self.stopping.is_set():
                writes = [
                    self.call(http, "subscribers.create", email=f"w{next(self._emails)}@x.io")
                    for _ in range(2)
                ]
                reads = [self.call(http, "subscribers.list", limit=5)]
                others = [self.call(http, name, **body) for name, body in mix]
                await asyncio.gather(*writes, *reads, *others, self.download(http))
                await asyncio.sleep(0.05)

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in self.answers if start <= a.at <= end]


@dataclass
class Follower:
    """An SSE client that reconnects with ``Last-Event-ID`` whenever its stream ends or is
    refused, as EventSource does."""

    base_url: str
    headers: dict[str, str]
    emails: set[str] = field(default_factory=set)
    statuses: list[int] = field(default_factory=list)
    endings: list[tuple[float, str]] = field(default_factory=list)
    last_id: str = ""

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as http:
            while True:
                headers = (
                    {**self.headers, "Last-Event-ID": self.last_id}
                    if self.last_id
                    else {**self.headers}
                )
                ending = "end"
                try:
                    async with aconnect_sse(
                        http, "GET", "/realtime/stream", headers=headers
                    ) as source:
                        self.statuses.append(source.response.status_code)
                        if source.response.status_code != 200:
                            await source.response.aread()
                            ending = f"refused {source.response.status_code}"
                        else:
                            async for event in source.aiter_sse():
                                if event.event == "change":
                                    data = json.loads(event.data)
                                    if data["table"] == "subscribers":
                                        self.emails.add(data["row"]["email"])
                                    self.last_id = event.id
                                elif event.event == "unavailable":
                                    ending = "unavailable"
                except httpx.HTTPError as exc:
                    ending = f"broken {type(exc).__name__}"
                self.endings.append((time.monotonic(), ending))
                await asyncio.sleep(0.3)


@contextlib.asynccontextmanager
async def running(traffic: Traffic, follower: Follower) -> AsyncIterator[None]:
    calls = asyncio.create_task(traffic.run())
    stream = asyncio.create_task(follower.run())
    try:
        yield
    finally:
        traffic.stopping.set()
        stream.cancel()  # it may be waiting on a live stream
        with contextlib.suppress(asyncio.CancelledError):
            await stream
        await calls


def _ready_status(base_url: str) -> int:
    return httpx.get(f"{base_url}/health/ready", timeout=10).status_code


def _worker_alive(base_url: str) -> bool:
    """A worker has started and reported itself (its heartbeat is in /health/ready)."""
    workers: int = httpx.get(f"{base_url}/health/ready", timeout=10).json()["workers"]
    return workers > 0


async def _until(probe: Any, *, timeout: float, what: str) -> Any:
    return await asyncio.to_thread(wait_for, probe, timeout=timeout, interval=0.1, what=what)


def _check_outage_answers(answers: list[Answer]) -> None:
    """Every answer is 200 or 503 SERVICE_UNAVAILABLE with a small integer Retry-After."""
    statuses = {a.status for a in answers}
    assert statuses <= {200, 202, 503}, f"answers during the outage: {sorted(statuses)}"
    for answer in answers:
        if answer.status == 503:
            assert answer.code == "SERVICE_UNAVAILABLE", answer
            assert answer.retry_after is not None and 1 <= int(answer.retry_after) <= 5, answer


def _check_log(path: Path) -> None:
    """The log holds a bounded number of warnings and no traceback: not one per call."""
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    tracebacks = [line for line in lines if "Traceback" in line or '"exception"' in line]
    loud = [line for line in lines if '"level": "warning"' in line or '"level": "error"' in line]
    assert len(tracebacks) <= MAX_TRACEBACKS, "\n".join(tracebacks[:5])
    assert len(loud) <= MAX_WARNING_LINES, f"{len(loud)} warning lines:\n" + "\n".join(loud[:30])


# --- the tests ------------------------------------------------------------------------------


@dataclass
class Rig:
    """An API and a worker (their logs in files), a team with an ESP connection, steady traffic
    and a stream follower, running."""

    api: ServerProcess
    worker: subprocess.Popen[bytes]
    caller: Caller
    team_id: uuid.UUID
    connection_id: str
    traffic: Traffic
    follower: Follower
    logs: tuple[Path, Path]

    async def recovered(self, up: float) -> tuple[float, set[str]]:
        """After the server's return (``up``): calls succeed (the first one's time is
        returned), ready is green, and the stream's client catches up with every acknowledged
        write, one made now included (those are returned)."""

        def succeeded_again() -> bool:
            return any(a.status == 200 for a in self.traffic.between(up, time.monotonic()))

        await _until(succeeded_again, timeout=RECOVERY_SECONDS + 5, what="recovery")
        answers = self.traffic.between(up, time.monotonic())
        first = min(a.at for a in answers if a.status == 200)
        await _until(lambda: _ready_status(self.api.base_url) == 200, timeout=10, what="green")
        after = await asyncio.to_thread(self.caller, "subscribers.create", email="after@x.io")
        assert after["email"] == "after@x.io"
        self.traffic.stopping.set()
        acknowledged = self.traffic.acknowledged() | {"after@x.io"}
        await _until(
            lambda: acknowledged <= self.follower.emails, timeout=20, what="stream catch-up"
        )
        return first, acknowledged

    def check_logs(self) -> None:
        for path in self.logs:
            _check_log(path)


@contextlib.asynccontextmanager
async def under_traffic(settings: Settings, tmp_path: Path) -> AsyncIterator[Rig]:
    logs = tmp_path / "server.log", tmp_path / "worker.log"
    with (
        fake_esp("kit", size=5) as fake,
        logs[0].open("wb") as api_err,
        logs[1].open("wb") as worker_err,
        start_server(settings, stderr=api_err, ESP_KIT_BASE_URL=fake.base_url) as api,
        start_worker(settings, stderr=worker_err, ESP_KIT_BASE_URL=fake.base_url) as worker,
    ):
        caller, team_id = member_of_new_team(api.base_url)
        connection = caller(
            "espConnections.create", provider="kit", name="K", credentials=fake.credentials
        )
        traffic = Traffic(api.base_url, caller.headers)
        follower = Follower(api.base_url, caller.headers)
        await _until(lambda: _worker_alive(api.base_url), timeout=60, what="the worker")
        async with running(traffic, follower):
            await _until(lambda: len(traffic.acknowledged()) >= 10, timeout=20, what="writes")
            await _until(lambda: follower.emails, timeout=20, what="the stream")
            yield Rig(
                api, worker, caller, uuid.UUID(team_id), connection["id"], traffic, follower, logs
            )


def _quick(settings: Settings) -> Settings:
    """JSON logs at INFO (what production writes), and short ticks and grace periods."""
    return msgspec.structs.replace(
        settings,
        log_level="INFO",
        log_format="json",
        feed_tick_seconds=1.0,
        sync_requeue_after_seconds=2,
        shutdown_grace_seconds=2,
        db_acquire_timeout_seconds=2.0,
    )


@pytest.mark.timeout(180)  # under a minute on a quiet machine; start-up is slow when loaded
async def test_a_postgres_restart_under_traffic_answers_503_and_recovers(
    settings: Settings, tmp_path: Path, server_data_dir: Path
) -> None:
    postgres = StoppablePostgres(server_data_dir)
    owner_url = await asyncio.to_thread(postgres.start)
    try:
        await migrate(owner_url)
        own = msgspec.structs.replace(_quick(settings), database_url=owner_url)
        async with under_traffic(own, tmp_path) as rig:
            await asyncio.to_thread(postgres.stop_server)
            down = time.monotonic()
            await _until(lambda: _ready_status(rig.api.base_url) == 503, timeout=10, what="red")
            await _until(
                lambda: len(rig.traffic.between(down, time.monotonic())) >= 20,
                timeout=20,
                what="calls during the outage",
            )
            await asyncio.sleep(2.5)  # the feed's tick (1 s) and the worker's crons meet it
            assert rig.worker.poll() is None, "the worker died with the database"
            await asyncio.to_thread(postgres.start_server)
            up = time.monotonic()
            first, acknowledged = await rig.recovered(up)

            # The worker, never restarted, takes work again.
            run = rig.caller("espConnections.sync", id=rig.connection_id)
            await _until(
                lambda: rig.caller("syncRuns.get", id=run["syncRunId"])["status"] == "succeeded",
                timeout=20,
                what="a sync after the restart",
            )
            assert rig.worker.poll() is None, "the worker died"

        during = rig.traffic.between(down, up)
        assert during and {a.status for a in during} & {503}, "the outage was not seen"
        _check_outage_answers(rig.traffic.answers)
        assert first - up < RECOVERY_SECONDS, f"first success {first - up:.1f} s after restart"
        print(  # what the run measured (pytest -s shows it)
            f"outage {up - down:.1f} s: {len(during)} answers, "
            f"{sum(a.status == 503 for a in during)} of them 503; first success "
            f"{first - up:.2f} s after the restart; stream endings {rig.follower.endings}"
        )
        assert set(rig.follower.statuses) <= {200, 503}, rig.follower.statuses
        assert any(down <= at for at, _ in rig.follower.endings), "the stream did not end"
        rows = await fetch(
            owner_url, "SELECT email FROM subscribers WHERE team_id = $1", rig.team_id
        )
        assert acknowledged <= {r["email"] for r in rows}, "an acknowledged write was lost"
        rig.check_logs()
    finally:
        postgres.close()


@pytest.mark.timeout(180)  # under a minute on a quiet machine; start-up is slow when loaded
async def test_b_a_redis_restart_under_traffic_answers_503_or_succeeds_and_the_worker_lives(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    cache = EmbeddedRedis(tmp_path, name="outage-redis")
    own = msgspec.structs.replace(_quick(settings), redis_url=cache.start())
    sign_in = {"email": "owner@example.com", "password": "password-123"}
    try:
        async with under_traffic(own, tmp_path) as rig:
            await asyncio.to_thread(cache.stop)
            down = time.monotonic()
            await _until(lambda: _ready_status(rig.api.base_url) == 503, timeout=10, what="red")
            outage = Traffic(rig.api.base_url, rig.caller.headers)
            async with httpx.AsyncClient(base_url=rig.api.base_url, timeout=20) as http:
                for _ in range(3):
                    await outage.call(http, "auth.signIn", **sign_in)
                queued = await outage.call(http, "espConnections.sync", id=rig.connection_id)
            await asyncio.sleep(3)  # the worker's loops meet the outage
            assert rig.worker.poll() is None, "the worker died with Redis"
            await asyncio.to_thread(cache.start)
            up = time.monotonic()
            await rig.recovered(up)
            signed = await asyncio.to_thread(rig.caller, "auth.signIn", **sign_in)
            assert signed["session"]["token"]

            # The sync asked for during the outage runs once Redis is back (through the outbox).
            runs = await fetch(
                database_url, "SELECT id FROM sync_runs WHERE team_id = $1", rig.team_id
            )
            assert queued.status in (202, 503)

            def all_ran() -> bool:
                listed = rig.caller("syncRuns.list", connectionId=rig.connection_id)["items"]
                return bool(listed) and all(r["status"] == "succeeded" for r in listed)

            await _until(all_ran, timeout=30, what="the queued syncs to run")
            assert rig.worker.poll() is None, "the worker died"
            assert runs

        _check_outage_answers(rig.traffic.answers + outage.answers)
        refused = [a for a in outage.answers if a.procedure == "auth.signIn"]
        assert refused and all(a.status == 503 for a in refused), refused
        others = rig.traffic.between(down, up)
        print(  # what the run measured (pytest -s shows it)
            f"redis away {up - down:.1f} s: auth.signIn {[a.status for a in refused]} in "
            f"{max(a.took for a in refused):.2f} s at most; espConnections.sync {queued.status} "
            f"in {queued.took:.2f} s; {len(others)} other answers, statuses "
            f"{sorted({a.status for a in others})}"
        )
        assert down < up
        rig.check_logs()
    finally:
        cache.stop()


# --- the pool on its own --------------------------------------------------------------------


async def _terminate(database_url: str, pid: int) -> None:
    """End the backend ``pid`` and wait until the server has let it go."""
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
        query = "SELECT 1 FROM pg_stat_activity WHERE pid = $1"
        while await admin.fetchval(query, pid):
            await asyncio.sleep(0.01)
    finally:
        await admin.close()


async def test_a_pooled_connection_the_server_ended_is_dropped_not_handed_out(
    database_url: str,
) -> None:
    from app.db import Database

    db = Database(database_url, pool_size=1)
    await db.start()
    try:
        async with db.transaction() as work:
            ended = await work.connection.fetchval("SELECT pg_backend_pid()")
        # The server ends the idle session (a restart, a failover, an idle timeout), and the
        # next call comes before the pool has noticed: the terminating runs in another thread
        # while this loop is blocked, so asyncpg cannot see the socket close beforehand.
        with concurrent.futures.ThreadPoolExecutor(1) as other:
            other.submit(asyncio.run, _terminate(database_url, ended)).result(timeout=10)
        async with db.transaction() as work:  # the first call after it succeeds
            assert await work.connection.fetchval("SELECT pg_backend_pid()") != ended
    finally:
        await db.stop()


async def test_acquire_gives_up_after_the_timeout_as_unavailable(database_url: str) -> None:
    from app.availability import unavailability
    from app.db import Database, DatabaseUnavailable

    db = Database(database_url, pool_size=1, acquire_timeout=0.3)
    await db.start()
    try:
        async with db.acquire():
            started = time.monotonic()
            with pytest.raises(DatabaseUnavailable) as refused:
                async with db.transaction():
                    pass
            assert time.monotonic() - started < 2
        assert unavailability().matches(refused.value)
        async with db.transaction():  # and the pool works on
            pass
    finally:
        await db.stop()


async def test_c_a_runtime_stopped_while_redis_is_down_still_closes_its_database_pool(
    settings: Settings, tmp_path: Path
) -> None:
    # SIGTERM during a Redis outage: each queue's disconnect fails on its pubsub, and before
    # this the first failure skipped the rest (the pool stayed open, "Application shutdown
    # failed", exit status 1).
    cache = EmbeddedRedis(tmp_path, name="stop-redis")
    runtime = Runtime(msgspec.structs.replace(settings, redis_url=cache.start()))
    await runtime.start()
    try:
        await runtime.queue.enqueue("send_mails")  # the queues' connections are in use
        await runtime.webhook_queue.count("queued")
        await runtime.redis.ping()
    finally:
        await asyncio.to_thread(cache.stop)
    await runtime.stop()  # raised ConnectionError (the webhook queue's pubsub), skipping the rest
    with pytest.raises(RuntimeError, match=r"start\(\) has not run"):  # its pool is closed
        async with runtime.db.acquire():
            pass
