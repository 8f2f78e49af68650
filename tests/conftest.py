"""Real PostgreSQL and Redis for every test: embedded by default, or DATABASE_URL / REDIS_URL.

Each test gets its own database, cloned from a template migrated once per schema version, and a
flushed Redis database; pytest-xdist workers share the PostgreSQL cluster and keep their own Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import redis

from app.config import Settings, load_settings
from app.db import migrate, role_url
from app.embedded import EmbeddedPostgres, EmbeddedRedis
from app.runtime import Runtime
from tests.support import TEST_SECRET_KEYS, ServerProcess, start_server

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / ".subnest" / "test"
_TEMPLATE_LOCK = 0x5E_B5_7E_57
_counter = itertools.count()


def _worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _with_database(url: str, database: str) -> str:
    """``url`` pointed at another database (handles ``/db?host=`` socket URLs too)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """An owner/superuser URL on the ``postgres`` database of the test cluster."""
    given = os.environ.get("DATABASE_URL")
    if given:
        yield _with_database(given, "postgres")
        return
    server = EmbeddedPostgres(TEST_DATA, database="postgres")
    url = server.start()
    asyncio.run(_tune_for_tests(url))
    try:
        yield url
    finally:
        server.stop()


async def _tune_for_tests(url: str) -> None:
    """Durability off for the throwaway test cluster: faster database clones and commits."""
    conn = await asyncpg.connect(url)
    try:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            await conn.execute(f"ALTER SYSTEM SET {setting} = off")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


def _schema_version() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "migrations").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


@pytest.fixture(scope="session")
def template_db(admin_url: str) -> str:
    """A migrated database to clone, built once per migration content (shared by workers)."""
    name = f"subnest_tpl_{_schema_version()}"

    async def build() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", _TEMPLATE_LOCK)
            if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                return
            building = f"{name}_building"
            await conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{building}"')
            await migrate(_with_database(admin_url, building))
            await conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        finally:
            await conn.close()

    asyncio.run(build())
    return name


@pytest.fixture(scope="session")
def _stale_databases_dropped(admin_url: str) -> None:
    """Drop this worker's databases left by an earlier run that did not finish."""

    async def drop() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            rows = await conn.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1", f"t_{_worker_id()}_%"
            )
            for row in rows:
                await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


@contextlib.asynccontextmanager
async def fresh_database(admin_url: str, template: str | None) -> AsyncIterator[str]:
    """A new database (a clone of ``template``, or empty); yields its owner URL; dropped after."""
    name = f"t_{_worker_id()}_{os.getpid()}_{next(_counter)}"
    conn = await asyncpg.connect(admin_url)
    try:
        clause = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{clause}')
        yield _with_database(admin_url, name)
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@dataclass
class ModuleServices:
    """A database and a Redis of a test module's own, for one server shared by its tests."""

    settings: Settings
    database_url: str
    redis: EmbeddedRedis


@contextlib.contextmanager
def module_services(
    admin_url: str, template: str, data_dir: Path, label: str, **env: str
) -> Iterator[ModuleServices]:
    """A clone of the migrated ``template`` and an embedded Redis, with test settings (plus
    ``env``) pointing at them; both dropped after. For module-scoped fixtures, which cannot use
    the per-test ``database_url`` and ``redis_url``."""

    async def database(sql: str) -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    name = f"t_{label}_{os.getpid()}_{next(_counter)}"
    asyncio.run(database(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    cache = EmbeddedRedis(TEST_DATA, name=f"{label}-redis-{os.getpid()}")
    try:
        url = _with_database(admin_url, name)
        settings = load_settings(
            {
                "SUBNEST_ENV": "test",
                "DATABASE_URL": url,
                "REDIS_URL": cache.start(),
                "SECRET_KEYS": TEST_SECRET_KEYS,
                "SUBNEST_DATA_DIR": str(data_dir / "data"),
                "LOG_LEVEL": "WARNING",
                **env,
            }
        )
        yield ModuleServices(settings, url, cache)
    finally:
        cache.stop()
        shutil.rmtree(cache.dir, ignore_errors=True)
        asyncio.run(database(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


ModuleServer = Callable[
    ..., contextlib.AbstractContextManager[tuple[ModuleServices, ServerProcess]]
]


@pytest.fixture(scope="session")
def module_server(
    admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> ModuleServer:
    """For a module's rig: ``with module_server(label, **env) as (services, server)`` gives
    module_services with ``env`` and a server started on them, both ended after."""

    @contextlib.contextmanager
    def serve(label: str, **env: str) -> Iterator[tuple[ModuleServices, ServerProcess]]:
        data_dir = tmp_path_factory.mktemp(label)
        with (
            module_services(admin_url, template_db, data_dir, label, **env) as services,
            start_server(services.settings) as server,
        ):
            yield services, server

    return serve


@pytest.fixture
async def database_url(
    admin_url: str, template_db: str, _stale_databases_dropped: None
) -> AsyncIterator[str]:
    """Owner URL of a migrated database of this test's own."""
    async with fresh_database(admin_url, template_db) as url:
        yield url


@pytest.fixture
async def empty_database_url(admin_url: str, _stale_databases_dropped: None) -> AsyncIterator[str]:
    """Owner URL of an empty database of this test's own."""
    async with fresh_database(admin_url, None) as url:
        yield url


@pytest.fixture(scope="session")
def _redis_server() -> Iterator[str]:
    given = os.environ.get("REDIS_URL")
    if given:
        yield given
        return
    # One per test session and xdist worker, so concurrent runs in one checkout never share.
    name = f"redis-{_worker_id()}-{os.getpid()}"
    server = EmbeddedRedis(TEST_DATA, name=name)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(TEST_DATA / name, ignore_errors=True)


@pytest.fixture
def redis_url(_redis_server: str) -> str:
    """A Redis for this test, flushed first (xdist workers never share one database)."""
    url = _redis_server
    if os.environ.get("REDIS_URL"):
        worker = _worker_id()
        index = 1 + (int(worker[2:]) if worker.startswith("gw") else 0) % 15
        parts = urlsplit(url)
        if parts.scheme == "unix":
            url = urlunsplit(parts._replace(query=f"db={index}"))
        else:
            url = urlunsplit(parts._replace(path=f"/{index}"))
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
    return url


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {
            "SUBNEST_ENV": "test",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEYS": TEST_SECRET_KEYS,
            "SUBNEST_DATA_DIR": str(tmp_path / "data"),
            "LOG_LEVEL": "WARNING",
        }
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """The process resources (app-role pool, Redis, queue) of a test, started and stopped."""
    rt = Runtime(settings)
    await rt.start()
    try:
        yield rt
    finally:
        await rt.stop()


@pytest.fixture
async def app_conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection as the application role."""
    conn = await asyncpg.connect(role_url(database_url, "subnest_app"))
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
def server(settings: Settings) -> Iterator[ServerProcess]:
    """``subnest serve`` in its own process on a free port, ready; stopped with SIGTERM after."""
    with start_server(settings) as process:
        yield process


@pytest.fixture
def server_data_dir() -> Iterator[Path]:
    """A data directory of its own for a test's embedded server or ``subnest dev``, in the
    project's (not under pytest's temporary directory: the embedded PostgreSQL runs as another
    user, who must reach it, and every pytest session makes its base directory private again)."""
    path = TEST_DATA / f"own-{uuid.uuid4().hex}"
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
