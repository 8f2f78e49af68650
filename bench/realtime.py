"""Live push: write-to-client latency, fan-out to many SSE clients, idle delta-sync polls.

One ``subnest serve`` process (the server); this process is the load client (every SSE client,
on uvloop) and the writer, except in (b), where a process of its own writes, so that 5,000
client sockets do not hold the writes back. Every write is an API call,
``espConnections.update {id, name}``, whose name carries the time it was sent, so a client
computes the delay when the change event arrives (same clock):
API write → commit → poke on Redis → the hub's delta query → SSE event.

(a) one SSE client, sequential writes (after one that warms the path up): p50/p99 latency;
(b) ``--clients`` SSE clients across ``--teams`` teams, ``--rate`` writes/s for ``--seconds``:
    delivery p99, events lost, server RSS, the write calls' own times; then the same clients and
    pace against a bare Litestar fan-out (bench/fanout_baseline.py, on BENCH_PORT + 1), and
    the ratio of the two;
(c) one change to all ``--burst`` clients of one team: time until the last client has it (10x);
(e) (b) at twice the size: 10,000 clients over 1,000 teams, ``--rate`` writes/s, and its
    baseline: delivery p99 (target 100 ms) and the product's p99 over the baseline's (3x);
    then a second baseline, the same fan-out behind a bare database write (the same HTTP
    request from the same writer; one UPDATE committed, then the PUBLISH): its ratio too;
(d) ``sync.pull`` polls with nothing new while writes go on: the most wrk gets answered (16
    connections), and the latency at 1,000 polls/s paced by hey (each if installed);
(f) ``--filtered`` clients of one team with ``--connections`` connections, first all following
    the whole team, then (a team of their own) each following one connection
    (``?connectionId=``, spread evenly), each client getting one change per tick,
    ``--filtered-rate`` ticks/s: one connection's row changed per tick (in turn) for the first,
    every connection's row for the second; written in SQL and poked from this process (so that
    the server's CPU is the feed's alone). Cost: the server's CPU time per delivered change,
    past what the same streams cost idle, and delivery p99; filtered / unfiltered (target
    1.2x), over two runs of each (unfiltered, filtered, filtered, unfiltered). ``--parts f``
    runs (f) alone.

The limits that protect a server from one client (streams per process, team and key, hash
attempts per address) are lifted for the bench's server: this process is every client.

The load processes collect garbage before and after each measurement, not during it (a pause
of theirs would be counted as the server's).

Usage: ``.venv/bin/python bench/realtime.py [--clients 5000 --teams 500 --rate 100 --seconds 30
--burst 2000 --pool 20 --parts abcedf]`` (needs ``ulimit -n`` above the client count;
``BENCH_PORT`` moves the server off 4078, its baseline to the port after it). Embedded
PostgreSQL and Redis under a temp dir.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import multiprocessing
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import psutil
import redis.asyncio as aioredis
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.secrets import new_api_key
from app.config import load_settings
from app.db import migrate
from app.runtime import Runtime
from app.work import unit_of_work
from bench.common import bench_services, server_env, wait_ready

PORT = int(os.environ.get("BENCH_PORT", "4078"))  # another port where benches share a machine
BASE = f"http://127.0.0.1:{PORT}"
_NAME = re.compile(rb'"name"\s*:\s*"t(\d+)"')
_MADE = re.compile(rb'"updatedAt"\s*:\s*"([^"]+)"')  # the writing transaction's start (now())
# This process is every client, from one address, with thousands of streams per team and key:
# limits that protect a server from one abusive client are lifted for it.
_ONE_CLIENT = {
    "STREAM_CONCURRENCY": "50000",
    "STREAM_CONCURRENCY_PER_TEAM": "50000",
    "STREAM_CONCURRENCY_PER_KEY": "50000",
    "HASH_ATTEMPTS_PER_ADDRESS": "100000",
    "HASH_QUEUE": "1000",
}


async def _teams(runtime: Runtime, count: int) -> list[tuple[str, str, str]]:
    """``count`` teams, each with an API key and one ESP connection: (team, key, connection)."""
    made = []
    for _ in range(count):
        team, connection, key = uuid.uuid4(), uuid.uuid4(), new_api_key()
        async with unit_of_work(runtime, team_id=team) as work:
            await work.conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'B')", team)
            await work.conn.execute(
                "INSERT INTO api_keys (team_id, name, prefix, key_hash) VALUES ($1, 'b', $2, $3)",
                team,
                key.prefix,
                key.key_hash,
            )
            await work.conn.execute(
                "INSERT INTO esp_connections (id, team_id, provider, name) "
                "VALUES ($1, $2, 'kit', 'start')",
                connection,
                team,
            )
        made.append((str(team), key.key, str(connection)))
    return made


class Client:
    """A minimal SSE reader on a raw socket: cheap enough for thousands in one process."""

    def __init__(
        self,
        key: str,
        delays: list[float],
        port: int = PORT,
        query: str = "",
        made: list[float] | None = None,
    ) -> None:
        self.key, self.delays, self.port, self.query = key, delays, port, query
        self.made = made  # delays from the change's making (its updatedAt), when it has one
        self.ready = asyncio.Event()
        self.last = ""

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(
            f"GET /realtime/stream{self.query} HTTP/1.1\r\nHost: bench\r\nX-API-Key: {self.key}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        try:
            while line := await reader.readline():
                if line.startswith(b"event: up-to-date"):
                    self.ready.set()
                elif line.startswith(b"data: ") and (sent := _NAME.search(line)):
                    # A regex, not a JSON parse: thousands of clients share this process.
                    now = time.time_ns()
                    self.delays.append((now - int(sent[1])) / 1e6)
                    self.last = f"t{sent[1].decode()}"
                    if self.made is not None and (made := _MADE.search(line)):
                        at = dt.datetime.fromisoformat(made[1].decode()).timestamp()
                        self.made.append(now / 1e6 - at * 1e3)
        finally:
            writer.close()


async def _write(http: httpx.AsyncClient, key: str, connection: str) -> str:
    name = f"t{time.time_ns()}"
    response = await http.post(
        "/rpc/espConnections.update",
        json={"id": connection, "name": name},
        headers={"X-API-Key": key},
    )
    response.raise_for_status()
    return name


T = TypeVar("T")


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """No collector pause in a load process while it measures: a full collection of this
    process's heap took ~55 ms and landed on one of (a)'s writes (its p99). Collected before and
    after instead."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


async def _paced(
    teams: list[T], rate: int, seconds: int, send: Callable[[list[T]], Awaitable[None]]
) -> int:
    """``rate`` writes/s for ``seconds``, as a batch of distinct teams every 100 ms (two writes
    to one row before a query would show only the later one: the feed carries state, not every
    intermediate version); returns how many were sent."""
    writes = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        tick = time.monotonic()
        batch = random.sample(teams, min(len(teams), rate // 10))
        await send(batch)
        writes += len(batch)
        await asyncio.sleep(max(0.0, 0.1 - (time.monotonic() - tick)))
    return writes


def _steady_writes(
    teams: list[tuple[str, str, str]], rate: int, seconds: int, base: str = BASE
) -> tuple[int, dict[str, str], list[float]]:
    """(b)'s writer, in a process of its own: ``rate`` writes/s for ``seconds`` to the server at
    ``base``; returns how many it made, the last name written per team key, and each write
    call's duration (ms)."""
    last_written: dict[str, str] = {}
    durations: list[float] = []

    async def run() -> int:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:

            async def timed(team: tuple[str, str, str]) -> None:
                started = time.perf_counter()
                last_written[team[1]] = await _write(http, team[1], team[2])
                durations.append((time.perf_counter() - started) * 1000)

            async def send(batch: list[tuple[str, str, str]]) -> None:
                await asyncio.gather(*(timed(team) for team in batch))

            return await _paced(teams, rate, seconds, send)

    with _no_gc_pauses():
        return uvloop.run(run()), last_written, durations


def _steady_pokes(redis_url: str, teams: list[str], rate: int, seconds: int) -> int:
    """The baseline's writer: (b)'s pace, but each write is one PUBLISH carrying its event."""

    async def run() -> int:
        client = aioredis.Redis.from_url(redis_url)

        async def send(batch: list[str]) -> None:
            async with client.pipeline(transaction=False) as pipe:
                for team in batch:
                    pipe.publish(f"base:{team}", b'{"name": "t%d"}' % time.time_ns())
                await pipe.execute()

        try:
            return await _paced(teams, rate, seconds, send)
        finally:
            await client.aclose()

    with _no_gc_pauses():
        return uvloop.run(run())


async def _baseline(
    spread: Spread, redis_url: str, db_url: str | None = None
) -> tuple[int, list[float], list[float], list[float]]:
    """``spread`` against bench/fanout_baseline.py: (writes, delivery delays, write call times,
    delays from the change's making). Without ``db_url`` each write is a PUBLISH carrying its
    event (no write calls to time; made as it is published); with it, the product's write
    request to the baseline, which commits one UPDATE and publishes (made at its transaction's
    start, the event's ``updatedAt``)."""
    port = PORT + 1
    server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fanout_baseline.py"),
                               str(port), redis_url, *([db_url] if db_url else [])])  # fmt: skip
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    await http.get(f"http://127.0.0.1:{port}/")
                    break
                await asyncio.sleep(0.1)
        teams = [f"team{n}" for n in range(spread.teams)]
        delays: list[float] = []
        made: list[float] | None = None if db_url is None else []
        clients = [
            Client(team, delays, port, made=made) for team in teams for _ in range(spread.per_team)
        ]
        tasks = await _connect(clients)
        with (
            ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool,
            _no_gc_pauses(),
        ):
            loop = asyncio.get_running_loop()
            write_ms: list[float] = []
            if db_url is None:
                writes = await loop.run_in_executor(
                    pool, _steady_pokes, redis_url, teams, spread.rate, spread.seconds
                )
            else:
                writes, _, write_ms = await loop.run_in_executor(
                    pool, _steady_writes, [(t, t, t) for t in teams], spread.rate,
                    spread.seconds, f"http://127.0.0.1:{port}",
                )  # fmt: skip
            await asyncio.sleep(3)
        await _stop(tasks)
        return writes, delays, write_ms, delays if made is None else made
    finally:
        server.terminate()
        server.wait(30)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


async def _connect(clients: list[Client]) -> list[asyncio.Task[None]]:
    tasks = []
    # 200 at a time, each batch up to date before the next: at the server's pace, as its accept
    # queue is finite (a fixed-rate ramp overflowed it on a loaded machine).
    for start in range(0, len(clients), 200):
        batch = clients[start : start + 200]
        tasks += [asyncio.create_task(client.run()) for client in batch]
        async with asyncio.timeout(120):
            await asyncio.gather(*(c.ready.wait() for c in batch))
    return tasks


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


@dataclass(frozen=True)
class Spread:
    """(b) and (e): ``clients`` SSE clients over ``teams`` teams, ``rate`` writes/s for
    ``seconds`` from a process of its own."""

    part: str
    clients: int
    teams: int
    rate: int
    seconds: int

    @property
    def per_team(self) -> int:
        return max(1, self.clients // self.teams)


async def _spread(
    spread: Spread,
    runtime: Runtime,
    server: psutil.Process,
    redis_url: str,
    *,
    target_ms: float,
    target_ratio: float | None = None,
    db_url: str | None = None,
) -> None:
    """Deliveries of steady writes to many clients of many teams, then the same clients and
    pace against the bare fan-out; printed with their ratio."""
    part = spread.part
    teams = await _teams(runtime, spread.teams)
    delays: list[float] = []
    made: list[float] = []
    clients = [Client(t[1], delays, made=made) for t in teams for _ in range(spread.per_team)]
    tasks = await _connect(clients)
    print(f"({part}) {len(clients)} clients connected; writing for {spread.seconds} s", flush=True)
    rss_before = server.memory_info().rss
    cpu_before = server.cpu_times()
    with (
        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool,
        _no_gc_pauses(),
    ):
        writes, last_written, write_ms = await asyncio.get_running_loop().run_in_executor(
            pool, _steady_writes, teams, spread.rate, spread.seconds
        )
        await asyncio.sleep(3)  # the last writes' events are in flight
    rss_after = server.memory_info().rss
    cpu_after = server.cpu_times()
    await _stop(tasks)
    behind = sum(1 for c in clients if c.key in last_written and c.last != last_written[c.key])
    cpu = (cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system) / (
        spread.seconds + 3
    )
    print(
        f"({part}) {len(clients)} clients / {spread.teams} teams, {writes} writes in "
        f"{spread.seconds} s: delivery p50 {_percentile(delays, 0.5):.1f} ms, p99 "
        f"{_percentile(delays, 0.99):.1f} ms (target {target_ms:g}); clients missing their "
        f"team's last change: {behind} (target 0); server RSS {rss_after / 2**20:.0f} MB "
        f"(+{(rss_after - rss_before) / 2**20:.0f} MB during the run), CPU {cpu:.0%} of a core; "
        "the write calls themselves (send to answer, commit included): p50 "
        f"{_percentile(write_ms, 0.5):.1f} ms, p99 {_percentile(write_ms, 0.99):.1f} ms",
        flush=True,
    )
    print(
        f"({part}) from the change's making (its updatedAt: the writing transaction's start) to "
        f"delivery: p50 {_percentile(made, 0.5):.1f} ms, p99 {_percentile(made, 0.99):.1f} ms",
        flush=True,
    )
    base_writes, base_delays, _, _ = await _baseline(spread, redis_url)
    ratio = _percentile(delays, 0.99) / _percentile(base_delays, 0.99)
    made_ratio = _percentile(made, 0.99) / _percentile(base_delays, 0.99)
    print(
        f"({part}) baseline, a bare Litestar fan-out of the same clients and pace "
        f"({base_writes} pokes): p50 {_percentile(base_delays, 0.5):.1f} ms, p99 "
        f"{_percentile(base_delays, 0.99):.1f} ms; the product's delivery time is "
        f"{_percentile(delays, 0.5) / _percentile(base_delays, 0.5):.1f}x the baseline's "
        f"at p50, {ratio:.1f}x at p99"
        + (f" (target {target_ratio:g}x)" if target_ratio is not None else "")
        + f"; from the change's making, {made_ratio:.1f}x at p99"
        " (the baseline's event is made as it is published)",
        flush=True,
    )
    if db_url is None:
        return
    base_writes, base_delays, base_ms, base_made = await _baseline(spread, redis_url, db_url)
    print(
        f"({part}) second baseline, the same fan-out behind a bare write (the same HTTP "
        f"request; one UPDATE committed, then a PUBLISH carrying the event; {base_writes} "
        f"writes): p50 {_percentile(base_delays, 0.5):.1f} ms, p99 "
        f"{_percentile(base_delays, 0.99):.1f} ms, its write calls p50 "
        f"{_percentile(base_ms, 0.5):.1f} ms, p99 {_percentile(base_ms, 0.99):.1f} ms; the "
        f"product's delivery time is "
        f"{_percentile(delays, 0.5) / _percentile(base_delays, 0.5):.1f}x this one's at p50, "
        f"{_percentile(delays, 0.99) / _percentile(base_delays, 0.99):.1f}x at p99; from the "
        f"change's making (its transaction's start) p50 {_percentile(base_made, 0.5):.1f} ms, "
        f"p99 {_percentile(base_made, 0.99):.1f} ms: the product's is "
        f"{_percentile(made, 0.99) / _percentile(base_made, 0.99):.1f}x at p99",
        flush=True,
    )


async def bench(
    args: argparse.Namespace, runtime: Runtime, server: psutil.Process, redis_url: str
) -> None:
    async with httpx.AsyncClient(base_url=BASE, timeout=30) as http:
        if "a" in args.parts:
            await _one_client(args, runtime, http)
        if "b" in args.parts:
            await _spread(Spread("b", args.clients, args.teams, args.rate, args.seconds),
                          runtime, server, redis_url, target_ms=250)  # fmt: skip
        if "c" in args.parts:
            await _one_team(args, runtime, http)
        if "e" in args.parts:
            await _spread(Spread("e", 10_000, 1_000, args.rate, args.seconds),
                          runtime, server, redis_url, target_ms=100, target_ratio=3,
                          db_url=runtime.settings.database_url)  # fmt: skip
    if "d" in args.parts:
        await _idle_polls(runtime)


async def _one_client(args: argparse.Namespace, runtime: Runtime, http: httpx.AsyncClient) -> None:
    """(a) latency, one client."""
    (team_a,) = await _teams(runtime, 1)
    delays: list[float] = []
    one = Client(team_a[1], delays)
    tasks = await _connect([one])
    with _no_gc_pauses():
        for _ in range(args.writes + 1):
            before = len(delays)
            await _write(http, team_a[1], team_a[2])
            async with asyncio.timeout(10):
                while len(delays) == before:
                    await asyncio.sleep(0.0005)
    await _stop(tasks)
    first, delays = delays[0], delays[1:]
    print(
        f"(a) one client, {args.writes} writes after a first one ({first:.0f} ms: a new "
        f"connection, the procedure's statements prepared): latency p50 "
        f"{_percentile(delays, 0.5):.1f} ms, p99 {_percentile(delays, 0.99):.1f} ms "
        "(targets 10 / 50 ms)",
        flush=True,
    )


async def _one_team(args: argparse.Namespace, runtime: Runtime, http: httpx.AsyncClient) -> None:
    """(c) one change to every client of one team, ten times."""
    (team_c,) = await _teams(runtime, 1)
    delays: list[float] = []
    clients = [Client(team_c[1], delays) for _ in range(args.burst)]
    tasks = await _connect(clients)
    lasts = []
    with _no_gc_pauses():
        for _ in range(10):
            before = len(delays)
            await _write(http, team_c[1], team_c[2])
            async with asyncio.timeout(30):
                while len(delays) < before + len(clients):
                    await asyncio.sleep(0.005)
            lasts.append(max(delays[before:]))
    await _stop(tasks)
    print(
        f"(c) one change to {args.burst} clients of one team: last client p99 over 10 "
        f"{_percentile(lasts, 0.99):.0f} ms (target 500); each: "
        + ", ".join(f"{last:.0f}" for last in lasts),
        flush=True,
    )


async def _idle_polls(runtime: Runtime) -> None:
    """(d) idle polls while writes go on: as many as wrk gets answered, then 1,000/s paced by
    hey."""
    if not shutil.which("wrk"):
        print("(d) skipped: wrk not installed (apt-get install wrk)")
        return
    poller, writer = await _teams(runtime, 2)
    async with httpx.AsyncClient(base_url=BASE, timeout=30) as http:
        key = poller[1]
        head = (await http.post("/rpc/sync.pull", json={}, headers={"X-API-Key": key})).json()
        body = f'{{"cursor": "{head["cursor"]}"}}'
        script = Path(tempfile.mkdtemp()) / "poll.lua"
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["X-API-Key"] = "{key}"\nwrk.body = \'{body}\'\n'
            'wrk.path = "/rpc/sync.pull"\n'
        )
        wrk = ["wrk", "-t1", "-c16", "-d10s", "--latency", "-s", str(script), BASE]
        out = await _polling(http, wrk, writer=writer)
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        p99 = re.search(r"99%\s+([\d.]+\w+)", out)
        print(
            f"(d) sync.pull with nothing new, writes going on: {rps.group(1) if rps else '?'} "
            f"polls/s at most (wrk, 16 connections), p99 {p99.group(1) if p99 else '?'} there "
            "(targets 1,000/s, 25 ms)"
        )
        if not shutil.which("hey"):
            print("(d) paced run skipped: hey not installed (apt-get install hey)")
            return
        hey = ["hey", "-z", "10s", "-c", "10", "-q", "100", "-cpus", "1", "-m", "POST",
               "-T", "application/json", "-H", f"X-API-Key: {key}", "-d", body,
               f"{BASE}/rpc/sync.pull"]  # fmt: skip
        out = await _polling(http, hey, writer=writer)
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        p50 = re.search(r"50% in ([\d.]+) secs", out)
        p99 = re.search(r"99% in ([\d.]+) secs", out)
        print(
            f"(d) paced at 1,000/s (hey, 10 connections x 100/s): {rps.group(1) if rps else '?'} "
            f"polls/s answered, p50 {float(p50.group(1)) * 1000 if p50 else float('nan'):.1f} ms, "
            f"p99 {float(p99.group(1)) * 1000 if p99 else float('nan'):.1f} ms (target 25 ms)"
        )


async def _cpu_seconds(server: psutil.Process, seconds: float) -> float:
    """The server's CPU time (user + system) over the next ``seconds``."""
    before = server.cpu_times()
    await asyncio.sleep(seconds)
    after = server.cpu_times()
    return (after.user - before.user) + (after.system - before.system)


async def _filtered_run(
    args: argparse.Namespace,
    runtime: Runtime,
    server: psutil.Process,
    *,
    filtered: bool,
) -> tuple[int, float, list[float]]:
    """(f), one way: (changes written, the server's CPU seconds past idle, delivery delays)."""
    ((team, key, first),) = await _teams(runtime, 1)
    connections = [first]
    async with unit_of_work(runtime, team_id=uuid.UUID(team)) as work:
        for n in range(1, args.connections):
            connections.append(str(await work.conn.fetchval(
                "INSERT INTO esp_connections (team_id, provider, name) "
                "VALUES ($1, 'kit', $2) RETURNING id", uuid.UUID(team), f"c{n}",
            )))  # fmt: skip
    async with httpx.AsyncClient(base_url=BASE, timeout=30) as http:
        # The key verified once first: thousands of streams opening with a key the server has
        # never checked all ask Redis at once, past its client's pool of 100 (503s).
        response = await http.post("/rpc/sync.pull", json={}, headers={"X-API-Key": key})
        response.raise_for_status()
    delays: list[float] = []
    clients = [
        Client(key, delays, query=f"?connectionId={connections[n % len(connections)]}"
               if filtered else "")
        for n in range(args.filtered)
    ]  # fmt: skip
    tasks = await _connect(clients)
    window = args.seconds + 3  # the last writes' events are in flight for up to 3 s
    try:
        with _no_gc_pauses():
            await asyncio.sleep(16)  # past each stream's first ping (7.5-15 s after it opened)
            idle = await _cpu_seconds(server, 15)  # a whole ping cycle

            async def write() -> int:
                """Each tick gives every client one change: to one connection's row (in turn)
                for clients of the whole team, to every connection's row for the others."""
                ticks = changes = 0
                started = time.monotonic()
                while time.monotonic() - started < args.seconds:
                    rows = connections if filtered else [connections[ticks % len(connections)]]
                    async with unit_of_work(runtime, team_id=uuid.UUID(team)) as work:
                        await work.conn.execute(
                            "UPDATE esp_connections SET name = $1 WHERE id = ANY($2::uuid[])",
                            f"t{time.time_ns()}", rows,
                        )  # fmt: skip
                    # (the unit of work pokes the team's feed after the commit)
                    ticks, changes = ticks + 1, changes + len(rows)
                    due = ticks / args.filtered_rate - (time.monotonic() - started)
                    await asyncio.sleep(max(0.0, due))
                return changes

            writer = asyncio.create_task(write())
            busy = await _cpu_seconds(server, window)
            writes = await writer
    finally:
        await _stop(tasks)
    return writes, busy - idle * window / 15, delays


async def filtered(args: argparse.Namespace, runtime: Runtime, server: psutil.Process) -> None:
    """(f): clients of the whole team against clients of one connection each, in the order
    unfiltered, filtered, filtered, unfiltered (a drift of the machine or of the server's heap
    over the runs weighs on both alike); the ratios are of the two runs of each together."""
    cpu: dict[str, float] = {"unfiltered": 0.0, "filtered": 0.0}
    delays: dict[str, list[float]] = {"unfiltered": [], "filtered": []}
    for mode in ("unfiltered", "filtered", "filtered", "unfiltered"):
        writes, busy, got = await _filtered_run(args, runtime, server, filtered=mode == "filtered")
        cpu[mode] += busy
        delays[mode] += got
        print(
            f"(f) {args.filtered} clients {'each of one of' if mode == 'filtered' else 'of'} "
            f"{args.connections} connections ({mode}), {writes} changes: {len(got)} delivered, "
            f"server CPU {busy / max(1, len(got)) * 1e6:.1f} µs per delivered change past idle; "
            f"delivery p50 {_percentile(got, 0.5):.1f} ms, p99 {_percentile(got, 0.99):.1f} ms",
            flush=True,
        )
    per = {mode: cpu[mode] / max(1, len(delays[mode])) for mode in cpu}
    p99 = {mode: _percentile(delays[mode], 0.99) for mode in delays}
    print(
        f"(f) filtered / unfiltered, both runs of each: CPU per delivered change "
        f"{per['filtered'] / per['unfiltered']:.2f}x ({per['filtered'] * 1e6:.1f} / "
        f"{per['unfiltered'] * 1e6:.1f} µs), delivery p99 "
        f"{p99['filtered'] / p99['unfiltered']:.2f}x ({p99['filtered']:.0f} / "
        f"{p99['unfiltered']:.0f} ms) (target 1.2x)"
    )


async def _polling(
    http: httpx.AsyncClient, command: list[str], writer: tuple[str, str, str]
) -> str:
    """Run the load ``command`` (10 s) while another team writes, ~20/s; its output."""
    load = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    stop_at = time.monotonic() + 10
    while time.monotonic() < stop_at:
        await _write(http, writer[1], writer[2])
        await asyncio.sleep(0.05)
    return (await load.communicate())[0].decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--pool", type=int, default=20, help="the server's DB_POOL_SIZE")
    parser.add_argument(
        "--parts", default="abcedf", help="which measurements, in this order: a b c e d f"
    )
    parser.add_argument("--filtered", type=int, default=5000, help="(f)'s clients")
    parser.add_argument("--connections", type=int, default=10, help="(f)'s team's connections")
    parser.add_argument("--filtered-rate", type=float, default=1.0, help="(f)'s ticks/s")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with ExitStack() as stack:
        db_url, redis_url, tmp = stack.enter_context(bench_services())
        asyncio.run(migrate(db_url))
        env = server_env(
            db_url, redis_url, tmp, PORT=str(PORT), DB_POOL_SIZE=str(args.pool), **_ONE_CLIENT
        )
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"], env=env, cwd=str(ROOT),
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard)),
        )  # fmt: skip
        stack.callback(server.wait, 30)
        stack.callback(server.terminate)
        wait_ready(f"http://127.0.0.1:{PORT}", server, 30)

        async def run() -> None:
            runtime = Runtime(load_settings(env))
            await runtime.db.start()
            try:
                process = psutil.Process(server.pid)
                await bench(args, runtime, process, redis_url)
                if "f" in args.parts:
                    await filtered(args, runtime, process)
            finally:
                await runtime.db.stop()

        uvloop.run(run())
        print(
            f"(one uvicorn process for the server; this process for the clients and the writes of "
            f"(a), (c), (d); another for (b)'s writes; "
            f"2 cores shared; tick {load_settings(env).feed_tick_seconds:g} s; pool {args.pool}; "
            f"soft fd limit was {soft})"
        )


if __name__ == "__main__":
    main()
