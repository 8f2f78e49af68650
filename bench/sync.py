"""Sync throughput: a 200,000-subscriber account through the real worker, against baselines.

Runs, in one go, on embedded PostgreSQL and Redis under a temp dir (or DATABASE_URL/REDIS_URL):

1. a fresh sync, an unchanged re-sync, and a re-sync with 5% changed and 1% removed, each by a
   real ``subnest worker`` process against the local fake Kit server (rows/s end to end, and
   the merge step alone from the run's ``merge_ms``), with the WAL written by the unchanged
   re-sync (``pg_current_wal_lsn()`` before and after) and the worker's peak RSS;
2. baseline A: a plain ``COPY`` of the same rows into an empty table with the same indexes;
3. baseline B: the product documents' per-row find-then-save upsert, on 20,000 rows, fresh and
   unchanged.

Usage: ``.venv/bin/python bench/sync.py [--rows 200000] [--per-row 20000]``
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import load_settings
from app.db import migrate
from app.runtime import Runtime
from app.sync.queueing import enqueue_sync
from app.sync.runner import content_hash
from app.sync.schemas import SyncRunOut
from app.sync.service import ConnectionService
from app.work import unit_of_work
from bench.common import bench_services, server_env
from tests.fakes import FakeKit

_COLUMNS = [
    "team_id",
    "esp_connection_id",
    "external_id",
    "email",
    "first_name",
    "last_name",
    "status",
    "custom_fields",
    "content_hash",
    "provider_created_at",
    "provider_updated_at",
]


async def _one_run(
    runtime: Runtime, team: uuid.UUID, connection: uuid.UUID
) -> tuple[SyncRunOut, float]:
    async with unit_of_work(runtime, team_id=team) as work:
        run_id: uuid.UUID = await work.conn.fetchval(
            "INSERT INTO sync_runs (team_id, esp_connection_id) VALUES ($1, $2) RETURNING id",
            team,
            connection,
        )
    started = time.perf_counter()
    await enqueue_sync(runtime.queue, run_id=run_id, team_id=team, heartbeat=600)
    while True:
        async with unit_of_work(runtime, team_id=team) as work:
            run = await ConnectionService(work).run(run_id)
        if run.status in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.05)
    if run.status != "succeeded":
        raise RuntimeError(f"sync failed: {run.error}")
    return run, time.perf_counter() - started


async def _per_row_upsert(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> float:
    """The documents' pattern: find by (connection, external id), then insert or update."""
    started = time.perf_counter()
    for row in rows:
        async with conn.transaction():
            found = await conn.fetchval(
                "SELECT id FROM per_row WHERE esp_connection_id = $1 AND external_id = $2",
                row[1],
                row[2],
            )
            if found is None:
                await conn.execute(
                    f"INSERT INTO per_row ({', '.join(_COLUMNS)}) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)",
                    *row,
                )
            else:
                await conn.execute(
                    "UPDATE per_row SET email = $2, first_name = $3, last_name = $4, "
                    "status = $5, custom_fields = $6::jsonb, content_hash = $7, "
                    "provider_created_at = $8, provider_updated_at = $9 WHERE id = $1",
                    found,
                    *row[3:],
                )
    return time.perf_counter() - started


async def bench(args: argparse.Namespace, db_url: str, redis_url: str, tmp: Path) -> None:
    await migrate(db_url)
    env = server_env(db_url, redis_url, tmp)
    print(f"generating a fake Kit account of {args.rows} subscribers …", flush=True)
    # Kit's rate limit scaled down to nothing: this measures our side, not the provider's.
    with FakeKit.running(size=args.rows, seed=11, time_scale=1e-6) as fake:
        env.update(fake.env())
        settings = load_settings(env)
        runtime = Runtime(settings)
        await runtime.start()
        team, connection = uuid.uuid4(), uuid.uuid4()
        sealed = runtime.cipher.seal(connection, fake.credentials)
        async with unit_of_work(runtime, team_id=team) as work:
            await work.conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'Bench')", team)
            await work.conn.execute(
                "INSERT INTO esp_connections (id, team_id, provider, name, credentials_ciphertext, "
                "credentials_key_id) VALUES ($1, $2, 'kit', 'Bench', $3, $4)",
                connection,
                team,
                sealed.ciphertext,
                sealed.key_id,
            )
        worker = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"], env=env, cwd=str(ROOT)
        )
        owner = await asyncpg.connect(db_url)
        try:
            while not (await runtime.queue.info())["workers"]:  # time syncs, not start-up
                await asyncio.sleep(0.1)
            fresh = await _one_run(runtime, team, connection)
            wal_before = await owner.fetchval("SELECT pg_current_wal_lsn()")
            unchanged = await _one_run(runtime, team, connection)
            wal_after = await owner.fetchval("SELECT pg_current_wal_lsn()")
            wal_bytes = await owner.fetchval(
                "SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)", wal_after, wal_before
            )
            ids = fake.account.ids()
            step = 100
            for n, external_id in enumerate(ids):
                if n % step < 5:
                    fake.account.edit(external_id, first_name=f"Changed {n}")
                elif n % step == 5:
                    fake.account.remove(external_id)
            changed = await _one_run(runtime, team, connection)
            peak_rss = _peak_rss_mb(worker.pid)
        finally:
            worker.terminate()
            worker.wait(30)

            records = [
                (
                    team,
                    connection,
                    s.external_id,
                    s.email,
                    s.first_name,
                    s.last_name,
                    s.status,
                    msgspec.json.encode(s.custom_fields).decode(),
                    content_hash(s),
                    s.provider_created_at,
                    s.provider_updated_at,
                )
                for s in fake.account.expected().values()
            ]
            await runtime.stop()
        try:
            await owner.execute(
                "CREATE TABLE copy_target (LIKE subscribers INCLUDING DEFAULTS INCLUDING INDEXES)"
            )
            started = time.perf_counter()
            await owner.copy_records_to_table("copy_target", records=records, columns=_COLUMNS)
            copy_s = time.perf_counter() - started
            await owner.execute(
                "CREATE TABLE per_row (LIKE subscribers INCLUDING DEFAULTS INCLUDING INDEXES)"
            )
            sample = records[: args.per_row]
            per_row_fresh = await _per_row_upsert(owner, sample)
            per_row_unchanged = await _per_row_upsert(owner, sample)
        finally:
            await owner.close()

    copy_rate = len(records) / copy_s
    per_fresh_rate = len(sample) / per_row_fresh
    per_unchanged_rate = len(sample) / per_row_unchanged

    def line(
        name: str, timed: tuple[SyncRunOut, float], copy_target: float, per_row: float | None
    ) -> None:
        run, wall_s = timed
        rows = run.rows_seen
        merge_rate = rows / ((run.merge_ms or 1) / 1000)
        e2e_rate = rows / wall_s
        vs_per_row = ""
        if per_row is not None:
            baseline = per_fresh_rate if name == "fresh" else per_unchanged_rate
            vs_per_row = f"  vs per-row {merge_rate / baseline:6.1f}x (target {per_row:g}x)"
        print(
            f"{name:<10} {rows:>8} rows  end-to-end {e2e_rate:>9.0f} rows/s "
            f"(fetch {run.fetch_ms:>6} ms, merge {run.merge_ms:>6} ms)  "
            f"merge {merge_rate:>9.0f} rows/s = {merge_rate / copy_rate:4.2f}x COPY "
            f"(target {copy_target:g}x){vs_per_row}  "
            f"[+{run.created} ~{run.updated} -{run.deleted} ={run.unchanged}]"
        )

    print()
    print(f"baseline COPY into an empty indexed table: {copy_rate:,.0f} rows/s ({copy_s:.2f} s)")
    print(
        f"baseline per-row find-then-save on {len(sample)} rows: fresh {per_fresh_rate:,.0f} "
        f"rows/s, unchanged {per_unchanged_rate:,.0f} rows/s"
    )
    line("fresh", fresh, 0.5, 15)
    line("unchanged", unchanged, 1.5, 40)
    line("5%/1%", changed, 1.2, None)
    print(f"WAL written by the unchanged re-sync: {wal_bytes / 1024:,.0f} KiB")
    print(f"worker peak RSS: {peak_rss:.0f} MB (target < 300 MB)")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return psutil.Process(pid).memory_info().rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--per-row", type=int, default=20_000)
    args = parser.parse_args()
    with bench_services() as (db_url, redis_url, tmp):
        asyncio.run(bench(args, db_url, redis_url, tmp))


if __name__ == "__main__":
    main()
