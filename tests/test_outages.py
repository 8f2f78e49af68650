"""Outages: PostgreSQL or Redis stopped and restarted under traffic, against real processes.

While a server is away every answer is 503 ``SERVICE_UNAVAILABLE`` with ``Retry-After`` (never
500), ``/health/ready`` is red, streams end cleanly and resume from their cursor, and the first
calls after the server returns succeed, with no restart of the API or the worker.

Each test runs its own server to stop (an embedded PostgreSQL cluster or Redis in ``tmp_path``):
the suite's shared cluster serves other xdist workers and must never be stopped. The processes'
log lines go to files (``server.log``, ``worker.log``) that the checks read.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
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

from app.config import Settings, load_settings
from app.db import migrate
from app.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.fakes import fake_esp
from tests.support import (
    TEST_SECRET_KEYS,
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


@pytest.mark.timeout(120)  # well under a minute on a quiet machine
async def test_a_postgres_restart_under_traffic_answers_503_and_recovers(
    redis_url: str, tmp_path: Path
) -> None:
    postgres = StoppablePostgres(tmp_path)
    owner_url = await asyncio.to_thread(postgres.start)
    try:
        await migrate(owner_url)
        settings = load_settings(
            {
                "SUBNEST_ENV": "test",
                "DATABASE_URL": owner_url,
                "REDIS_URL": redis_url,
                "SECRET_KEYS": TEST_SECRET_KEYS,
                "SUBNEST_DATA_DIR": str(tmp_path / "data"),
                "LOG_LEVEL": "INFO",
                "LOG_FORMAT": "json",
                "FEED_TICK_SECONDS": "1",
                "DB_ACQUIRE_TIMEOUT_SECONDS": "2",
                "SHUTDOWN_GRACE_SECONDS": "2",
            }
        )
        server_log, worker_log = tmp_path / "server.log", tmp_path / "worker.log"
        with (
            fake_esp("kit", size=5) as fake,
            server_log.open("wb") as api_err,
            worker_log.open("wb") as worker_err,
            start_server(settings, stderr=api_err, ESP_KIT_BASE_URL=fake.base_url) as api,
            start_worker(settings, stderr=worker_err, ESP_KIT_BASE_URL=fake.base_url) as worker,
        ):
            caller, team_id = member_of_new_team(api.base_url)
            connection = caller(
                "espConnections.create", provider="kit", name="K", credentials=fake.credentials
            )
            traffic = Traffic(api.base_url, caller.headers)
            follower = Follower(api.base_url, caller.headers)
            await _until(lambda: _worker_alive(api.base_url), timeout=30, what="the worker")
            async with running(traffic, follower):
                await _until(lambda: len(traffic.acknowledged()) >= 10, timeout=20, what="writes")
                await _until(lambda: follower.emails, timeout=20, what="the stream")

                await asyncio.to_thread(postgres.stop_server)
                down = time.monotonic()
                await _until(lambda: _ready_status(api.base_url) == 503, timeout=10, what="red")
                await _until(
                    lambda: len(traffic.between(down, time.monotonic())) >= 20,
                    timeout=20,
                    what="calls during the outage",
                )
                await asyncio.sleep(2.5)  # the feed's tick (1 s) and the worker's crons meet it
                assert worker.poll() is None, "the worker died with the database"
                await asyncio.to_thread(postgres.start_server)
                up = time.monotonic()

                def succeeded_again() -> bool:
                    return any(a.status == 200 for a in traffic.between(up, time.monotonic()))

                await _until(succeeded_again, timeout=RECOVERY_SECONDS + 5, what="recovery")
                first = min(a.at for a in traffic.between(up, time.monotonic()) if a.status == 200)
                await _until(lambda: _ready_status(api.base_url) == 200, timeout=10, what="green")
                after = await asyncio.to_thread(caller, "subscribers.create", email="after@x.io")
                assert after["email"] == "after@x.io"
                traffic.stopping.set()
                acknowledged = traffic.acknowledged() | {"after@x.io"}
                await _until(
                    lambda: acknowledged <= follower.emails, timeout=20, what="stream catch-up"
                )
            print(f"phase: caught up {time.monotonic() - up:.1f} s after the restart")
            # The worker, never restarted, takes work again.
            run = caller("espConnections.sync", id=connection["id"])
            await _until(
                lambda: caller("syncRuns.get", id=run["syncRunId"])["status"] == "succeeded",
                timeout=20,
                what="a sync after the restart",
            )
            assert worker.poll() is None, "the worker died"
            print(f"phase: synced {time.monotonic() - up:.1f} s after the restart")
        print(f"phase: stopped {time.monotonic() - up:.1f} s after the restart")

        during = traffic.between(down, up)
        assert during and {a.status for a in during} & {503}, "the outage was not seen"
        _check_outage_answers(traffic.answers)
        assert first - up < RECOVERY_SECONDS, f"first success {first - up:.1f} s after restart"
        print(  # what the run measured (pytest -s shows it)
            f"outage {up - down:.1f} s: {len(during)} answers, "
            f"{sum(a.status == 503 for a in during)} of them 503; first success "
            f"{first - up:.2f} s after the restart; stream endings {follower.endings}"
        )
        assert set(follower.statuses) <= {200, 503}, follower.statuses
        assert any(down <= at for at, _ in follower.endings), "the stream did not end"
        rows = await fetch(
            owner_url, "SELECT email FROM subscribers WHERE team_id = $1", uuid.UUID(team_id)
        )
        assert acknowledged <= {r["email"] for r in rows}, "an acknowledged write was lost"
        _check_log(server_log)
        _check_log(worker_log)
    finally:
        postgres.close()


@pytest.mark.timeout(120)  # well under a minute on a quiet machine
async def test_b_a_redis_restart_under_traffic_answers_503_or_succeeds_and_the_worker_lives(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    cache = EmbeddedRedis(tmp_path, name="outage-redis")
    own = msgspec.structs.replace(
        settings,
        redis_url=cache.start(),
        log_level="INFO",
        log_format="json",
        sync_requeue_after_seconds=2,
        feed_tick_seconds=1.0,
        shutdown_grace_seconds=2,
    )
    server_log, worker_log = tmp_path / "server.log", tmp_path / "worker.log"
    try:
        with (
            fake_esp("kit", size=5) as fake,
            server_log.open("wb") as api_err,
            worker_log.open("wb") as worker_err,
            start_server(own, stderr=api_err, ESP_KIT_BASE_URL=fake.base_url) as api,
            start_worker(own, stderr=worker_err, ESP_KIT_BASE_URL=fake.base_url) as worker,
        ):
            caller, team_id = member_of_new_team(api.base_url)
            connection = caller(
                "espConnections.create", provider="kit", name="K", credentials=fake.credentials
            )
            sign_in = ("auth.signIn", {"email": "owner@example.com", "password": "password-123"})
            sync = ("espConnections.sync", {"id": connection["id"]})
            traffic = Traffic(api.base_url, caller.headers)
            follower = Follower(api.base_url, caller.headers)
            await _until(lambda: _worker_alive(api.base_url), timeout=30, what="the worker")
            async with running(traffic, follower):
                await _until(lambda: len(traffic.acknowledged()) >= 10, timeout=20, what="writes")
                await _until(lambda: follower.emails, timeout=20, what="the stream")

                await asyncio.to_thread(cache.stop)
                down = time.monotonic()
                await _until(lambda: _ready_status(api.base_url) == 503, timeout=10, what="red")
                outage = Traffic(api.base_url, caller.headers)
                async with httpx.AsyncClient(base_url=api.base_url, timeout=20) as http:
                    for _ in range(3):
                        await outage.call(http, *sign_in[:1], **sign_in[1])
                    queued = await outage.call(http, *sync[:1], **sync[1])
                await asyncio.sleep(3)  # the worker's loops meet the outage
                assert worker.poll() is None, "the worker died with Redis"

                await asyncio.to_thread(cache.start)
                up = time.monotonic()

                def succeeded_again() -> bool:
                    return any(a.status == 200 for a in traffic.between(up, time.monotonic()))

                await _until(succeeded_again, timeout=RECOVERY_SECONDS + 5, what="recovery")
                await _until(lambda: _ready_status(api.base_url) == 200, timeout=10, what="green")
                signed = await asyncio.to_thread(caller, *sign_in[:1], **sign_in[1])
                assert signed["session"]["token"]
                after = await asyncio.to_thread(caller, "subscribers.create", email="after@x.io")
                assert after["email"] == "after@x.io"
                traffic.stopping.set()
                acknowledged = traffic.acknowledged() | {"after@x.io"}
                await _until(
                    lambda: acknowledged <= follower.emails, timeout=20, what="stream catch-up"
                )

            # The sync asked for during the outage runs once Redis is back (through the outbox).
            runs = await fetch(
                database_url,
                "SELECT id FROM sync_runs WHERE team_id = $1",
                uuid.UUID(team_id),
            )
            assert queued.status in (202, 503)

            def all_ran() -> bool:
                listed = caller("syncRuns.list", connectionId=connection["id"])["items"]
                return bool(listed) and all(r["status"] == "succeeded" for r in listed)

            await _until(all_ran, timeout=30, what="the queued syncs to run")
            assert worker.poll() is None, "the worker died"
            assert runs

        _check_outage_answers(traffic.answers + outage.answers)
        refused = [a for a in outage.answers if a.procedure == "auth.signIn"]
        assert refused and all(a.status == 503 for a in refused), refused
        print(  # what the run measured (pytest -s shows it)
            f"redis away {up - down:.1f} s: auth.signIn {[a.status for a in refused]} in "
            f"{max(a.took for a in refused):.2f} s at most; espConnections.sync {queued.status} "
            f"in {queued.took:.2f} s; {len(traffic.between(down, up))} other answers, statuses "
            f"{sorted({a.status for a in traffic.between(down, up)})}"
        )
        assert down < up
        _check_log(server_log)
        _check_log(worker_log)
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
