"""Outages answered, not crashed on: which exceptions mean "a server we need is unreachable",
the answer to them (503 ``SERVICE_UNAVAILABLE`` with ``Retry-After``), and a log that says so
a few times per outage rather than once per call.

The layer knows no database or queue: the application hands in ``classify``, a predicate on
exceptions (see decision 0017).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from rpc.errors import ServiceUnavailable, ServiceUnavailableData

__all__ = ["Unavailability"]

_log = logging.getLogger("rpc.unavailable")


class Unavailability:
    """``classify(exc)``: true when ``exc`` (or what caused it) means a server is unreachable.
    ``retry_after``: the seconds an answer asks the caller to wait. While an outage lasts the
    log gets one warning per ``quiet_seconds`` (with how many answers it stands for), not one
    per call and never a traceback: an outage is an expected event, and its cause is named."""

    def __init__(
        self,
        classify: Callable[[BaseException], bool],
        *,
        retry_after: int = 2,
        quiet_seconds: float = 10.0,
        logger: logging.Logger = _log,
    ) -> None:
        self._classify = classify
        self.retry_after = retry_after
        self._quiet = quiet_seconds
        self._logger = logger
        self._lock = threading.Lock()  # the worker's threads may note outages too
        self._warned_at = -float("inf")
        self._suppressed = 0

    def matches(self, exc: BaseException) -> bool:
        """``exc`` means a server is unreachable (its causes and contexts are looked at too)."""
        return self._outage(exc) is not None

    def _outage(self, exc: BaseException) -> BaseException | None:
        """The exception in ``exc``'s chain that classifies as an outage, if any."""
        current: BaseException | None = exc
        for _ in range(8):
            if current is None or self._classify(current):
                return current
            current = current.__cause__ or current.__context__
        return None

    def error(self) -> ServiceUnavailable:
        return ServiceUnavailable(data=ServiceUnavailableData(retry_after=self.retry_after))

    def answer(self, exc: BaseException, where: str) -> ServiceUnavailable | None:
        """The 503 to answer ``exc`` with (noted in the log), or None when it is no outage."""
        if not self.matches(exc):
            return None
        self.note(exc, where)
        return self.error()

    def log(self, exc: BaseException, where: str, logger: logging.Logger) -> None:
        """Log a failure nobody is answered for: noted briefly when it is an outage, else as
        ``"<where> failed"`` with its traceback on ``logger``."""
        if self.matches(exc):
            self.note(exc, where)
        else:
            logger.error("%s failed", where, exc_info=exc)

    def note(self, exc: BaseException, where: str) -> None:
        """Log the outage: a warning now if none was written in the last ``quiet_seconds``,
        else counted into the next one."""
        now = time.monotonic()
        with self._lock:
            if now - self._warned_at < self._quiet:
                self._suppressed += 1
                return
            suppressed, self._suppressed = self._suppressed, 0
            self._warned_at = now
        more = f" ({suppressed} more since the last warning)" if suppressed else ""
        cause = self._outage(exc) or exc
        described = f"{type(cause).__name__}: {cause}"[:300]
        self._logger.warning("unavailable: %s: %s%s", where, described, more)
