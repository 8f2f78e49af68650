"""Embedded servers start, stop with their process, and recover from a holder killed by signal."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import asyncpg
import psutil
import redis

from app.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.support import wait_for

_HOLD = """
import sys, time
from pathlib import Path
from app.embedded import EmbeddedPostgres, EmbeddedRedis
data = Path(sys.argv[1])
print(EmbeddedPostgres(data).start(), EmbeddedRedis(data).start(), flush=True)
time.sleep(600)
"""


def _servers_under(path: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(str(path) in part for part in proc.info["cmdline"] or []):
            found.append(proc)
    return found


def _postmaster(path: Path) -> int | None:
    pid_file = path / "pg" / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


async def _select_one(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        value: int = await conn.fetchval("SELECT 1")
        return value
    finally:
        await conn.close()


def test_servers_left_by_a_killed_process_are_taken_over_and_stopped(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    urls = holder.stdout.readline().split()
    holder.stdout.close()
    assert len(urls) == 2
    leftover_pg = _postmaster(tmp_path)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert leftover_pg is not None and psutil.pid_exists(leftover_pg)

    postgres = EmbeddedPostgres(tmp_path)
    cache = EmbeddedRedis(tmp_path)
    url = postgres.start()
    redis_url = cache.start()
    try:
        assert url == urls[0] and redis_url == urls[1]
        assert asyncio.run(_select_one(url)) == 1
        client = redis.Redis.from_url(redis_url)
        assert client.ping()
        client.close()
    finally:
        cache.stop()
        postgres.stop()
    wait_for(lambda: not _servers_under(tmp_path), timeout=10, what="servers stopped")
    assert not psutil.pid_exists(leftover_pg) or psutil.Process(leftover_pg).status() == "zombie"


def test_a_long_data_dir_still_gets_a_redis_socket(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 5)
    cache = EmbeddedRedis(deep)
    url = cache.start()
    try:
        assert len(url) < 110
        client = redis.Redis.from_url(url)
        assert client.ping()
        client.close()
    finally:
        cache.stop()
