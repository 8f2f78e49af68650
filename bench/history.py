"""subscribers.history on a team of 1,000,000 subscribers, against a baseline on the same server.

Runs on embedded PostgreSQL and Redis under a temp dir (or DATABASE_URL/REDIS_URL), with one
``subnest serve`` process as the server and this process as a sequential client (one call at a
time, API key):

1. seeds a team of ``--rows`` subscribers over two connections (generate_series, one statement)
   and counts them into today's rollup with ``count_days``, as the worker's job does (timed:
   the cost of each five-minute count for such a team); then ``--days`` days of history before
   today straight into the rollup;
2. calls ``subscribers.history`` (the dashboard's 90 days, and a year) and the baseline
   ``usage.get`` (a team read of a few rows: key lookup, unit of work, one small query) in
   interleaved rounds, so drift hits all alike; prints p50/p99 of each and the ratio of p99s.

Goal: ``subscribers.history`` p99 <= 20 ms.

Usage: ``.venv/bin/python bench/history.py [--rows 1000000] [--days 365] [--calls 2000]
[--rounds 4]``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import migrate
from app.subscribers.days import count_days
from bench.common import bench_services, bench_team, serving

STATUSES = (
    "ARRAY['subscribed', 'subscribed', 'subscribed', 'subscribed', 'subscribed', "
    "'subscribed', 'unsubscribed', 'pending', 'bounced', 'cleaned']"
)
TARGETS: dict[str, tuple[str, dict[str, Any]]] = {
    "subscribers.history 90 days": ("subscribers.history", {}),
    "subscribers.history 365 days": ("subscribers.history", {"days": 365}),
    "usage.get (baseline)": ("usage.get", {}),
}


async def _seed(db_url: str, rows: int, days: int) -> tuple[uuid.UUID, str]:
    conn = await asyncpg.connect(db_url)
    try:
        team, key = await bench_team(conn)
        connections = [
            await conn.fetchval(
                "INSERT INTO esp_connections (team_id, provider, name) VALUES ($1, 'kit', $2) "
                "RETURNING id",
                team,
                name,
            )
            for name in ("A", "B")
        ]
        started = time.perf_counter()
        await conn.execute(
            "INSERT INTO subscribers (team_id, esp_connection_id, external_id, email, status) "
            "SELECT $1, ($2::uuid[])[1 + n % 2], 'e' || n, 'reader' || n || '@example.com', "
            f"({STATUSES})[1 + n % 10] FROM generate_series(1, $3) n",
            team,
            connections,
            rows,
        )
        await conn.execute("VACUUM ANALYZE subscribers")
        print(f"seeded {rows:,} subscribers in {time.perf_counter() - started:.1f} s")
        counts = []
        for _ in range(3):
            started = time.perf_counter()
            async with conn.transaction():
                await count_days(conn, [team])
            counts.append(time.perf_counter() - started)
        print(f"count_days for the team (the job's count): {min(counts) * 1000:.0f} ms (best of 3)")
        # The days before today: each connection and status, growing towards today's count.
        await conn.execute(
            "INSERT INTO subscriber_days (team_id, day, esp_connection_id, status, total) "
            "SELECT d.team_id, d.day - g, d.esp_connection_id, d.status, "
            "greatest(0, d.total - g * 100) FROM subscriber_days d, generate_series(1, $2) g "
            "WHERE d.team_id = $1",
            team,
            days,
        )
        await conn.execute("VACUUM ANALYZE subscriber_days")
    finally:
        await conn.close()
    return team, key


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def _calls(
    client: httpx.AsyncClient, procedure: str, body: dict[str, Any], n: int
) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.post(f"/rpc/{procedure}", json=body)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return times


async def bench(args: argparse.Namespace, base: str, key: str) -> None:
    async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": key}) as client:
        answer = (await client.post("/rpc/subscribers.history", json={})).json()
        today = sum(
            answer[s][-1] for s in ("subscribed", "unsubscribed", "pending", "bounced", "cleaned")
        )
        assert today == args.rows, (today, args.rows)
        print(f"history: {len(answer['days'])} days, today {today:,} subscribers")
        for procedure, body in TARGETS.values():  # warm-up: connections, plans, caches
            await _calls(client, procedure, body, 200)
        times: dict[str, list[float]] = {name: [] for name in TARGETS}
        per_round = args.calls // args.rounds
        for _ in range(args.rounds):
            for name, (procedure, body) in TARGETS.items():
                times[name] += await _calls(client, procedure, body, per_round)
    baseline = _p(times["usage.get (baseline)"], 0.99)
    for name, measured in times.items():
        p99 = _p(measured, 0.99)
        print(
            f"{name}: p50 {_p(measured, 0.5):.2f} ms, p99 {p99:.2f} ms, "
            f"p99 ratio to usage.get {p99 / baseline:.2f}x ({len(measured)} calls)"
        )
    worst = max(_p(times[n], 0.99) for n in TARGETS if n.startswith("subscribers."))
    verdict = "ok" if worst <= 20 else "MISSED"
    print(f"subscribers.history p99 {worst:.2f} ms (goal <= 20 ms): {verdict}")


async def _prepare(db_url: str, args: argparse.Namespace) -> tuple[uuid.UUID, str]:
    await migrate(db_url)
    return await _seed(db_url, args.rows, args.days)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365, help="days of history before today")
    parser.add_argument("--calls", type=int, default=2000, help="calls per target")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    with bench_services() as (db_url, redis_url, tmp):
        _, key = asyncio.run(_prepare(db_url, args))
        with serving(db_url, redis_url, tmp) as base:
            asyncio.run(bench(args, base, key))


if __name__ == "__main__":
    main()
