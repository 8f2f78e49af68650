"""What every benchmark starts from: the services, and the environment of its server."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import asyncpg
import httpx

from app.auth.secrets import new_api_key
from app.embedded import embedded_services
from tests.support import TEST_SECRET_KEYS, free_port

__all__ = ["bench_services", "bench_team", "server_env", "serving", "wait_ready"]


@contextmanager
def bench_services() -> Iterator[tuple[str, str, Path]]:
    """Embedded PostgreSQL and Redis under a temp dir (or DATABASE_URL / REDIS_URL):
    ``(database url, redis url, temp dir)``."""
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="subnest-bench-")))
        db_url, redis_url = stack.enter_context(
            embedded_services(
                tmp,
                database_url=os.environ.get("DATABASE_URL"),
                redis_url=os.environ.get("REDIS_URL"),
            )
        )
        yield db_url, redis_url, tmp


def server_env(db_url: str, redis_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``subnest serve`` / ``worker`` process of the benchmark."""
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "SUBNEST_ENV": "test",
        "SECRET_KEYS": TEST_SECRET_KEYS,
        "SUBNEST_DATA_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@contextmanager
def serving(db_url: str, redis_url: str, tmp: Path, **extra: str) -> Iterator[str]:
    """One ``subnest serve`` process on a free port, ready: its base URL; stopped after."""
    port = free_port()
    env = server_env(db_url, redis_url, tmp, PORT=str(port), **extra)
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(30)


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until the server at ``base`` answers ready; exits if it ends or does not in time."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/health/ready").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit("the server did not start")
        time.sleep(0.1)


async def bench_team(conn: asyncpg.Connection) -> tuple[uuid.UUID, str]:
    """A new team and an API key of it (admin): its id and the key."""
    team, key = uuid.uuid4(), new_api_key()
    await conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'Bench')", team)
    await conn.execute(
        "INSERT INTO api_keys (team_id, name, prefix, key_hash) VALUES ($1, 'b', $2, $3)",
        team,
        key.prefix,
        key.key_hash,
    )
    return team, key.key
