"""Database access: the app-role engine for requests and jobs, migrations as the owner role.

The owner URL (``DATABASE_URL``) is used only to migrate. Requests and jobs connect as the
non-superuser ``subnest_app`` role, so row-level security holds even when a query forgets its
``WHERE team_id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.postgres import PostgresEngine

import migrations
from app import piccolo_conf
from app.availability import DatabaseUnavailable
from migrations._sql import APP_NAME
from tables import ALL_TABLES

__all__ = [
    "APP_ROLE",
    "ERROR_TEXT_MAX",
    "MAINTENANCE_ROLE",
    "BoundTransaction",
    "Database",
    "DatabaseUnavailable",
    "KeptConnection",
    "MigrationError",
    "PoolMisuse",
    "TransactionRolledBack",
    "applied_migrations",
    "error_text",
    "known_migrations",
    "migrate",
    "role_url",
    "rows_affected",
    "savepoint",
    "set_tenant",
]

APP_ROLE = "subnest_app"
MAINTENANCE_ROLE = "subnest_maint"
_MIGRATE_LOCK = 0x5E_B5_CB_01  # pg_advisory_lock key: one migrator at a time per database
_savepoints = itertools.count()


class MigrationError(Exception):
    """A migration failed; the message says which and why."""


def role_url(owner_url: str, role: str, password: str | None = None) -> str:
    """The owner's URL with another user (and password): same host, port, database, options."""
    parts = urlsplit(owner_url)
    host = parts.netloc.rpartition("@")[2]
    auth = quote(role, safe="") + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit(parts._replace(netloc=f"{auth}@{host}"))


@dataclasses.dataclass(frozen=True, slots=True)
class BoundTransaction:
    """An open unit of work; Piccolo reads ``connection`` off the engine's current transaction."""

    connection: asyncpg.Connection


async def _rollback_if_open(conn: asyncpg.Connection) -> None:
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def _engine(dsn: str) -> PostgresEngine:
    return PostgresEngine(config={"dsn": dsn})


def _bind_piccolo(engine: PostgresEngine) -> None:
    """Point Piccolo's conf module (used by its migration runner) at ``engine``."""
    os.environ["PICCOLO_CONF"] = "app.piccolo_conf"  # noqa: TID251 - where Piccolo looks, not a setting
    piccolo_conf.DB = engine
    Migration._meta.db = engine


def known_migrations() -> list[str]:
    """IDs of the migrations shipped in ``migrations/``, in order."""
    modules = BaseMigrationManager().get_migration_modules(str(Path(migrations.__file__).parent))
    return sorted(modules)


async def applied_migrations(owner_url: str) -> list[str]:
    """IDs of the migrations recorded as applied in the database (none if it is empty)."""
    conn = await asyncpg.connect(owner_url)
    try:
        if await conn.fetchval("SELECT to_regclass('public.migration') IS NULL"):
            return []
        rows = await conn.fetch("SELECT name FROM migration WHERE app_name = $1", APP_NAME)
        return sorted(r["name"] for r in rows)
    finally:
        await conn.close()


async def migrate(owner_url: str, *, app_password: str | None = None) -> list[str]:
    """Apply pending migrations (idempotent; concurrent callers wait for each other).

    Returns the IDs applied by this call.
    """
    lock = await asyncpg.connect(owner_url)
    try:
        await lock.execute("SELECT pg_advisory_lock($1)", _MIGRATE_LOCK)
        pending = sorted(set(known_migrations()) - set(await applied_migrations(owner_url)))
        if pending:
            engine = _engine(owner_url)
            _bind_piccolo(engine)
            with contextlib.redirect_stdout(None):
                result = await ForwardsMigrationManager(app_name=APP_NAME).run()
            if not result.success:
                raise MigrationError(result.message)
        if app_password:
            # The roles are cluster-wide; their password comes from this deployment's settings.
            for role in (APP_ROLE, MAINTENANCE_ROLE):
                await lock.execute(f"ALTER ROLE {role} PASSWORD '{_quote_literal(app_password)}'")
        return pending
    except asyncpg.PostgresError as exc:
        raise MigrationError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        await lock.close()


def _quote_literal(value: str) -> str:
    return value.replace("'", "''")


def _tenant(team_id: uuid.UUID | None, user_id: uuid.UUID | None) -> str:
    """The statements that set ``app.team_id`` / ``app.user_id`` (read by RLS) until the
    transaction ends: ``SET LOCAL`` in a simple query, which PostgreSQL need not plan, unlike
    ``SELECT set_config`` (decision 0014). A UUID's text needs no quoting."""
    if not all(isinstance(v, uuid.UUID | None) for v in (team_id, user_id)):
        raise TypeError("the tenant's ids must be UUIDs")
    return f"SET LOCAL app.team_id = '{team_id or ''}'; SET LOCAL app.user_id = '{user_id or ''}'"


async def set_tenant(
    conn: asyncpg.Connection,
    *,
    team_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> None:
    """Set ``app.team_id`` / ``app.user_id`` (read by RLS) until the transaction ends."""
    await conn.execute(_tenant(team_id, user_id))


def _closed(conn: Any) -> bool:
    """Closed, or already handed back by asyncpg's clean-up of a closed connection."""
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:
        return True


_SESSION_ENDED = (
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    ConnectionError,
)


def _lost(conn: Any, exc: BaseException) -> bool:
    """The connection died under ``exc`` (the server went away or ended the session)."""
    if isinstance(exc, _SESSION_ENDED) or _closed(conn):
        return True
    # A session ended by the server while the connection was idle leaves asyncpg's protocol
    # in a state where the next statement fails with an internal or interface error.
    return isinstance(exc, asyncpg.InternalClientError | asyncpg.InterfaceError) and (
        "another operation" in str(exc) or "closed" in str(exc)
    )


@contextlib.contextmanager
def _connecting(how: str) -> Iterator[None]:
    """Getting a connection failed (refused, no socket, starting up or shutting down, too
    many connections, or TimeoutError, which is an OSError): DatabaseUnavailable."""
    try:
        yield
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DatabaseUnavailable(
            f"no database connection {how}: {type(exc).__name__}: {exc}"
        ) from exc


class PoolMisuse(RuntimeError):
    """A task that holds a pooled connection asked for another (decision 0019): with every
    task doing so, the pool runs dry and they all wait for each other."""


# The task holding a connection of the main pool, in this context (child tasks inherit the
# value but are other tasks, so the check is theirs alone).
_holder: contextvars.ContextVar[asyncio.Task[Any] | None] = contextvars.ContextVar(
    "subnest_pool_holder", default=None
)


class TransactionRolledBack(Exception):
    """COMMIT found the transaction failed (an error inside was caught without a savepoint)."""


def _begin(team_id: uuid.UUID | None, user_id: uuid.UUID | None, read_only: bool = False) -> str:
    """BEGIN, with the tenant in the same round trip (a transaction starts with neither: they
    are only ever set transaction-locally)."""
    begin = "BEGIN READ ONLY" if read_only else "BEGIN"
    if team_id is None and user_id is None:
        return begin
    return f"{begin}; {_tenant(team_id, user_id)}"


@contextlib.asynccontextmanager
async def savepoint(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """A savepoint in the open unit of work: an error inside undoes only what ran inside, and
    the transaction goes on (asyncpg's nested ``transaction()`` refuses a transaction begun by
    a plain ``BEGIN``, as units of work are)."""
    name = f"sp_{next(_savepoints)}"
    await conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        await conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
        raise
    await conn.execute(f"RELEASE SAVEPOINT {name}")


async def _to_the_end(work: Coroutine[Any, Any, None]) -> None:
    """Await ``work`` to its end, even while this task is cancelled again and again (an anyio
    cancel scope, as Litestar ends the stream of a client that left, cancels at every await
    until the task leaves it); then raise a cancellation that came meanwhile."""
    task = asyncio.current_task()
    before = task.cancelling() if task is not None else 0
    done = asyncio.ensure_future(work)
    while not done.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(done)
    if task is not None and task.cancelling() > before:
        if not done.cancelled():
            done.exception()  # seen: the cancellation is what this task raises
        raise asyncio.CancelledError
    done.result()


class Database:
    """The app-role connection pool, bound to every Piccolo table for this process."""

    def __init__(
        self,
        owner_url: str,
        *,
        app_password: str | None = None,
        pool_size: int = 10,
        session_state: bool = True,
        acquire_timeout: float = 5.0,
        side_pool_size: int = 0,
        strict: bool = False,
    ):
        """``session_state=False``: this process's code leaves no session state on a pooled
        connection (no session advisory locks, temporary tables, LISTEN or plain SET; only
        ``SET LOCAL``/``set_config(…, true)``), so a returned connection needs no reset query,
        only a rollback if a transaction was left open: one round trip less per request.
        ``acquire_timeout``: how long getting a connection may take (waiting for a free one,
        or connecting) before it raises DatabaseUnavailable. ``side_pool_size``: a small second
        pool for short writes (a job's progress, its heartbeat) made while the task holds a
        connection of the main pool; nothing holding a side connection waits for another, so
        waiting for one never deadlocks (decision 0019). ``strict``: a task that holds a main
        connection and asks for another gets PoolMisuse instead of waiting (tests and
        development: it finds the code paths that could starve the pool)."""
        self.url = role_url(owner_url, APP_ROLE, app_password)
        self._maintenance_url = role_url(owner_url, MAINTENANCE_ROLE, app_password)
        self._pool_size = pool_size
        self._acquire_timeout = acquire_timeout
        self._session_state = session_state
        self._engine: PostgresEngine | None = None
        self._side_pool_size = side_pool_size
        self._side: asyncpg.Pool | None = None
        self._strict = strict

    @property
    def engine(self) -> PostgresEngine:
        if self._engine is None:
            raise RuntimeError("Database.start() has not run")
        return self._engine

    async def start(self) -> None:
        self._engine = _engine(self.url)
        options: dict[str, Any] = {} if self._session_state else {"reset": _rollback_if_open}
        await self._engine.start_connection_pool(min_size=1, max_size=self._pool_size, **options)
        for table in ALL_TABLES:
            table._meta.db = self._engine
        if self._side_pool_size:
            self._side = await asyncpg.create_pool(
                self.url, min_size=0, max_size=self._side_pool_size, reset=_rollback_if_open
            )

    async def stop(self) -> None:
        if self._side is not None:
            await self._side.close()
        if self._engine is not None:
            await self._engine.close_connection_pool()

    @contextlib.asynccontextmanager
    async def side_transaction(
        self, *, team_id: uuid.UUID | None = None
    ) -> AsyncIterator[asyncpg.Connection]:
        """A short transaction on the side pool, with ``app.team_id`` set: for one or two
        statements made while this task holds a main connection (progress, a heartbeat).
        Nothing may be awaited inside but those statements."""
        if self._side is None:
            raise RuntimeError("this process has no side pool (DB_SIDE_POOL_SIZE)")
        with _connecting(f"from the side pool within {self._acquire_timeout:g} s"):
            conn = await self._side.acquire(timeout=self._acquire_timeout)
        try:
            await conn.execute(_begin(team_id, None))
            try:
                yield cast(asyncpg.Connection, conn)
            except BaseException:
                with contextlib.suppress(Exception):
                    await conn.execute("ROLLBACK")
                raise
            if await conn.execute("COMMIT") != "COMMIT":
                raise TransactionRolledBack("the side transaction failed and was rolled back")
        except Exception as exc:
            if not isinstance(exc, DatabaseUnavailable) and _lost(conn, exc):
                raise DatabaseUnavailable(f"the database connection was lost: {exc}") from exc
            raise
        finally:
            await self._side.release(conn)

    @contextlib.asynccontextmanager
    async def transaction(
        self,
        *,
        team_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        read_only: bool = False,
    ) -> AsyncIterator[BoundTransaction]:
        """One unit of work: a transaction with ``app.team_id`` / ``app.user_id`` set for RLS
        (``read_only``: one that can write nothing).

        Piccolo queries inside it run on its connection. Not Piccolo's own ``transaction()``:
        a task cancelled while that one begins, commits or rolls back never gives its
        connection back to the pool (a client leaving mid-query did that, until the pool ran
        dry); asyncpg's ``acquire()`` releases in ``finally``, whatever happens.
        """
        engine = self.engine
        if engine.current_transaction.get() is not None:
            raise RuntimeError("a unit of work is already open in this task")
        async with self.acquire(first=_begin(team_id, user_id, read_only)) as conn:
            bound = BoundTransaction(conn)
            token = engine.current_transaction.set(bound)  # type: ignore[arg-type]
            try:
                yield bound  # on an error or a cancellation, acquire() rolls back
                if await conn.execute("COMMIT") != "COMMIT":
                    # An error was caught inside without a savepoint: nothing was written.
                    raise TransactionRolledBack("the unit of work failed and was rolled back")
            finally:
                engine.current_transaction.reset(token)

    @contextlib.asynccontextmanager
    async def acquire(self, first: str | None = None) -> AsyncIterator[asyncpg.Connection]:
        """A pooled app-role connection of one's own (e.g. for a job's temporary table).

        Raises DatabaseUnavailable when none comes within the acquire timeout (the server is
        down, or every connection is busy), and when the connection is lost under a statement.
        ``first``: a statement to run first (BEGIN); a pooled connection that turns out dead on
        it (the server restarted since it was last used) is dropped and a fresh one tried, once:
        nothing has run yet, so trying again is safe, and the first calls after a restart
        succeed instead of meeting the old connections one by one.
        """
        pool = self.engine.pool
        if pool is None:
            raise RuntimeError("Database.start() has not run")
        task = asyncio.current_task()
        if self._strict and task is not None and _holder.get() is task:
            raise PoolMisuse("this task already holds a pooled connection and asks for another")
        conn = await self._checkout(pool)
        token = _holder.set(task)
        ended = False
        try:
            if first is not None:
                try:
                    await conn.execute(first)
                except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                    if not _lost(conn, exc):
                        raise
                    with contextlib.suppress(asyncpg.InterfaceError):  # already let go
                        conn.terminate()  # the pool replaces it; releasing it is a no-op
                    conn = await self._checkout(pool)
                    await conn.execute(first)
            yield cast(asyncpg.Connection, conn)
            ended = True
        except Exception as exc:
            if not isinstance(exc, DatabaseUnavailable) and _lost(conn, exc):
                raise DatabaseUnavailable(f"the database connection was lost: {exc}") from exc
            raise
        finally:
            with contextlib.suppress(ValueError):  # finalized in another context
                _holder.reset(token)
            await _to_the_end(self._give_back(pool, conn, rollback=not ended))

    async def _give_back(self, pool: asyncpg.Pool, conn: Any, *, rollback: bool) -> None:
        """Roll back what an error or a cancellation left open, then release. The ROLLBACK
        first waits for asyncpg to settle a cancelled statement. (asyncpg's release would roll
        back too, but reports it as "Resetting connection with an active transaction".)"""
        try:
            if not _closed(conn) and (rollback or conn.is_in_transaction()):
                with contextlib.suppress(Exception):  # a broken connection: the pool drops it
                    await conn.execute("ROLLBACK", timeout=self._acquire_timeout)
        finally:
            await pool.release(conn)

    async def _checkout(self, pool: asyncpg.Pool) -> Any:
        with _connecting(f"within {self._acquire_timeout:g} s"):
            return await pool.acquire(timeout=self._acquire_timeout)

    @contextlib.asynccontextmanager
    async def maintenance(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection as the maintenance role (hard deletes, every team), for purges."""
        conn = await self.connect_maintenance()
        lost = False
        try:
            yield conn
        except Exception as exc:
            if not _lost(conn, exc):
                raise
            lost = True  # the server went away under the block: an outage
            raise DatabaseUnavailable(f"maintenance connection lost: {exc}") from exc
        finally:
            if lost:
                conn.terminate()
            else:
                await conn.close()

    async def connect_maintenance(self) -> asyncpg.Connection:
        """A connection of one's own as the maintenance role, kept open by its owner (who
        closes it), for work that recurs every second or so."""
        with _connecting("as the maintenance role"):
            conn: asyncpg.Connection = await asyncpg.connect(
                self._maintenance_url, timeout=self._acquire_timeout
            )
        return conn

    async def ping(self) -> None:
        """Raise unless the database answers."""
        await self.engine.run_ddl("SELECT 1")


class KeptConnection:
    """A connection of one's own as the maintenance role for work that recurs every second or
    so: opened on first use, and anew after any failure in a block (the old one is terminated,
    so nothing is left half done on it). A connection lost under a block is DatabaseUnavailable."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: asyncpg.Connection | None = None

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator[asyncpg.Connection]:
        if self._conn is None or self._conn.is_closed():
            self._conn = await self._db.connect_maintenance()
        conn = self._conn
        try:
            yield conn
        except BaseException as exc:
            lost = isinstance(exc, Exception) and _lost(conn, exc)
            self._conn = None
            conn.terminate()
            if lost and not isinstance(exc, DatabaseUnavailable):
                raise DatabaseUnavailable(f"maintenance connection lost: {exc}") from exc
            raise

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()


ERROR_TEXT_MAX = 2000  # characters of an error message kept in a row (runs, jobs, mails)


def error_text(message: str, limit: int = ERROR_TEXT_MAX) -> str:
    """``message`` cut to what a row keeps of an error."""
    return message[:limit]


def rows_affected(status: str) -> int:
    """The row count of a command's status (``UPDATE 3``, ``INSERT 0 5``, ``COPY 7``)."""
    return int(status.rsplit(" ", 1)[-1])
