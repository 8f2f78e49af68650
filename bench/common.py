"""What every benchmark starts from: the services, and the environment of its server."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from app.embedded import embedded_services
from tests.support import TEST_SECRET_KEYS, free_port

__all__ = ["bench_services", "server_env", "serving"]


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
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health/ready").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not get ready")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(30)
