"""Export and deep pages: 1,000,000 subscribers as CSV through the API against a bare COPY.

Runs on embedded PostgreSQL and Redis under a temp dir (or DATABASE_URL/REDIS_URL), with one
``subnest serve`` process as the server and this process as the client:

1. ``GET /exports/subscribers.csv`` (API key) read to the end, against the baseline in the same
   run: the same ``COPY (SELECT …) TO STDOUT`` of the same columns on a direct connection, read
   to the end (rounds interleaved; the figure is the median of per-round ratios); with the
   server's RSS sampled every 20 ms during each download (peak growth over its RSS before);
2. ``subscribers.list`` p50/p99 at depth 10,000 (50 a page: half a million rows in), against
   the first page.

Usage: ``.venv/bin/python bench/export.py [--rows 1000000] [--rounds 3] [--pages 300]
[--depth 10000]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import migrate, role_url
from app.exports.copy import copy_out, snapshot
from app.subscribers.query import Selection
from app.subscribers.schemas import SubscriberFilter
from app.subscribers.service import encode_after
from bench.common import bench_services, bench_team, server_env, wait_ready
from tests.support import free_port

PAGE = 50


async def _seed(db_url: str, rows: int) -> tuple[uuid.UUID, str]:
    """A team with an API key and ``rows`` subscribers, one a second back in time."""
    conn = await asyncpg.connect(db_url)
    try:
        team, key = await bench_team(conn)
        started = time.perf_counter()
        await conn.execute(
            "INSERT INTO subscribers (team_id, email, first_name, last_name, status, "
            "custom_fields, created_at) SELECT $1, 'reader' || n || '@example.com', "
            "'First ' || n, CASE WHEN n % 97 = 0 THEN '=cmd' ELSE 'Last, \"' || n || '\"' END, "
            "CASE WHEN n % 10 = 0 THEN 'unsubscribed' ELSE 'subscribed' END, "
            "jsonb_build_object('plan', 'p' || n % 5), now() - make_interval(secs => n) "
            "FROM generate_series(1, $2) n",
            team,
            rows,
        )
        await conn.execute("VACUUM ANALYZE subscribers")
        print(f"seeded {rows:,} subscribers in {time.perf_counter() - started:.1f} s")
    finally:
        await conn.close()
    return team, key


async def _bare_copy(app_url: str, team: uuid.UUID) -> tuple[float, int]:
    conn = await asyncpg.connect(app_url)
    size = 0

    async def sink(chunk: bytes) -> None:
        nonlocal size
        size += len(chunk)

    try:
        started = time.perf_counter()
        async with snapshot(conn, team):
            await copy_out(conn, "csv", Selection.of(team, SubscriberFilter()), sink)
        return time.perf_counter() - started, size
    finally:
        await conn.close()


async def _download(base: str, key: str, server: psutil.Process) -> tuple[float, int, float]:
    """Seconds, bytes, and the server's peak RSS growth (MiB) while it streamed."""
    before = server.memory_info().rss
    peak = before
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, server.memory_info().rss)
            await asyncio.sleep(0.02)

    sampler = asyncio.create_task(sample())
    size = 0
    async with httpx.AsyncClient(timeout=600) as client:
        started = time.perf_counter()
        async with client.stream(
            "GET", f"{base}/exports/subscribers.csv", headers={"X-API-Key": key}
        ) as response:
            response.raise_for_status()
            async for chunk in response.aiter_raw():
                size += len(chunk)
        elapsed = time.perf_counter() - started
    done.set()
    await sampler
    return elapsed, size, (peak - before) / 2**20


async def _pages(base: str, key: str, after: str | None, count: int) -> list[float]:
    body: dict[str, object] = {"limit": PAGE}
    if after is not None:
        body["after"] = after
    times = []
    async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = await client.post("/rpc/subscribers.list", json=body)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and len(response.json()["items"]) == PAGE
    return sorted(times)


def _p(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(len(times) * q))]


async def bench(args: argparse.Namespace, db_url: str, redis_url: str, tmp: Path) -> None:
    await migrate(db_url)
    team, key = await _seed(db_url, args.rows)
    port = free_port()
    env = server_env(db_url, redis_url, tmp, PORT=str(port))
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        process = psutil.Process(server.pid)
        app_url = role_url(db_url, "subnest_app")
        # The first download: the server's first allocations for it count too.
        _, _, first_growth = await _download(base, key, process)
        print(f"first download: server RSS +{first_growth:.1f} MiB")
        ratios, growths = [], []
        for n in range(args.rounds):
            bare, bare_size = await _bare_copy(app_url, team)
            http, http_size, growth = await _download(base, key, process)
            assert http_size == bare_size, (http_size, bare_size)
            ratios.append(bare / http)
            growths.append(growth)
            print(
                f"round {n + 1}: COPY {args.rows / bare:,.0f} rows/s ({bare:.2f} s), "
                f"HTTP {args.rows / http:,.0f} rows/s ({http:.2f} s, {http_size / 2**20:.0f} MiB), "
                f"ratio {bare / http:.2f}x, server RSS +{growth:.1f} MiB"
            )
        print(
            f"export: median {statistics.median(ratios):.2f}x of COPY (target >= 0.7x); "
            f"server peak RSS growth max {max([first_growth, *growths]):.1f} MiB "
            "(target <= 100 MiB)"
        )

        conn = await asyncpg.connect(db_url)
        try:
            row = await conn.fetchrow(
                "SELECT created_at, id FROM subscribers WHERE team_id = $1 AND deleted_at IS NULL "
                "ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1",
                team,
                PAGE * args.depth - 1,
            )
        finally:
            await conn.close()
        assert row is not None
        deep = await _pages(base, key, encode_after(row["created_at"], row["id"]), args.pages)
        first = await _pages(base, key, None, args.pages)
        print(
            f"subscribers.list page {args.depth:,} ({PAGE * args.depth:,} rows in): "
            f"p50 {_p(deep, 0.5):.1f} ms, p99 {_p(deep, 0.99):.1f} ms; first page p50 "
            f"{_p(first, 0.5):.1f} ms, p99 {_p(first, 0.99):.1f} ms; p99 ratio deep/first "
            f"{_p(deep, 0.99) / _p(first, 0.99):.2f}"
        )
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=300, help="calls per page measured")
    parser.add_argument("--depth", type=int, default=10_000, help="page number of the deep page")
    args = parser.parse_args()
    with bench_services() as (db_url, redis_url, tmp):
        asyncio.run(bench(args, db_url, redis_url, tmp))


if __name__ == "__main__":
    main()
