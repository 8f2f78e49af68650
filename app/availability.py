"""Which exceptions mean that PostgreSQL or Redis cannot be reached (decision 0017).

Calls that meet one answer 503 ``SERVICE_UNAVAILABLE`` with ``Retry-After`` (rpc.Unavailability);
streams end and clients resume from their cursor; jobs fail their attempt and are retried.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from redis import exceptions as redis_errors

from rpc import Unavailability

__all__ = [
    "RETRY_AFTER_SECONDS",
    "DatabaseUnavailable",
    "is_unavailable",
    "outages_logged_briefly",
    "unavailability",
]

# What a 503 asks the caller to wait: a restart or failover takes seconds, and the SDKs retry.
RETRY_AFTER_SECONDS = 2


class DatabaseUnavailable(Exception):
    """No usable connection: the pool could not connect or lend one within
    ``DB_ACQUIRE_TIMEOUT_SECONDS``, or the connection was lost under a statement."""


_UNAVAILABLE: tuple[type[BaseException], ...] = (
    DatabaseUnavailable,
    # PostgreSQL: connection classes 08 (lost, refused, failed), shutting down or starting up,
    # terminated by an administrator or a crash, too many connections.
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    # Redis: refused, reset, timed out, loading its data set (BusyLoadingError).
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    # Sockets: refused, reset, broken pipe; and a timeout on the way to either server.
    ConnectionError,
    TimeoutError,
)


def is_unavailable(exc: BaseException) -> bool:
    """``exc`` itself is one of the outage errors (causes are followed by Unavailability)."""
    return isinstance(exc, _UNAVAILABLE)


def unavailability() -> Unavailability:
    """The process's classifier and rate-limited outage log."""
    return Unavailability(is_unavailable, retry_after=RETRY_AFTER_SECONDS)


# Libraries that log a traceback for every failed attempt while a server is down: SAQ (each
# job attempt and upkeep loop), asyncpg's pool (each reconnect of its idle floor).
_CHATTY_LOGGERS = ("saq", "asyncpg.pool")


class _OutageFilter(logging.Filter):
    """Turns a library's log record whose exception is an outage into one count of the
    process's rate-limited outage warning (rpc.Unavailability.note), so the log says "Redis is
    down" a few times, not once per retry with a traceback."""

    def __init__(self, outages: Unavailability) -> None:
        super().__init__()
        self._outages = outages

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None:
            return True
        # The pool's own reconnects fail on the socket itself (no such file, refused).
        reconnect = record.name == "asyncpg.pool" and isinstance(exc, OSError)
        if not (reconnect or self._outages.matches(exc)):
            return True
        self._outages.note(exc, f"{record.name}: {record.getMessage()}"[:120])
        return False


@contextmanager
def outages_logged_briefly(outages: Unavailability) -> Iterator[None]:
    """While the block runs, outage tracebacks of SAQ and asyncpg's pool are counted into
    ``outages``' warnings instead of written out."""
    installed = _OutageFilter(outages)
    loggers = [logging.getLogger(name) for name in _CHATTY_LOGGERS]
    for logger in loggers:
        logger.addFilter(installed)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(installed)
