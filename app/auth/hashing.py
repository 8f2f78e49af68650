"""Where the process hashes secrets (argon2 passwords, scrypt API keys): off the event loop, in
a bounded pool of threads with a bounded queue, behind limits per client address and per key
prefix kept in Redis (decision 0020).

A hash costs tens of milliseconds of CPU and ~16 MB (scrypt); an unknown key with a known
prefix, or a wrong password, forces one. So: at most ``threads`` run at once and ``queue`` wait
(beyond that 503 SERVICE_UNAVAILABLE, retry in a second), and each address and key prefix may
force at most so many per minute (beyond that 429 RATE_LIMITED with Retry-After). While Redis
is unreachable the limits cannot be counted: its error goes up, and the call answers 503 like
any other outage (decision 0017).

A password check is also counted against its account (``admit_password``): an account may
fail SIGN_IN_FAILURES_PER_ACCOUNT checks per SIGN_IN_FAILURE_WINDOW_SECONDS from any number of
addresses; a success takes its count back, so only failures count (decision 0024).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from rpc import RateLimit, RateLimited, RateLimiter, ServiceUnavailable, ServiceUnavailableData

if TYPE_CHECKING:
    from app.runtime import Runtime

__all__ = ["Hashing", "PasswordAttempt", "hashing"]

T = TypeVar("T")
_WINDOW = 60
_ACCOUNT = "sign-in:account"


@dataclass(frozen=True, slots=True)
class PasswordAttempt:
    """A password check counted against its account; ``succeeded()`` takes the count back."""

    _limiter: RateLimiter
    _subject: str
    _mark: str

    async def succeeded(self) -> None:
        await self._limiter.forget(scope=_ACCOUNT, subject=self._subject, mark=self._mark)


class Hashing:
    """``run(fn, ...)``: ``fn`` in the hashing threads. ``admit(address=, prefix=)``: count a
    hash the caller is about to force (RateLimited past a limit)."""

    def __init__(
        self,
        limiter: RateLimiter,
        *,
        threads: int,
        queue: int,
        per_address: int,
        per_key_prefix: int,
        failures_per_account: int = 10,
        account_window: int = 900,
    ) -> None:
        self._limiter = limiter
        self._threads = threads
        self._capacity = threads + queue
        self._pool: ThreadPoolExecutor | None = None
        self._admitted = 0  # running or waiting
        self._per_address = RateLimit(limit=per_address, window=_WINDOW)
        self._per_prefix = RateLimit(limit=per_key_prefix, window=_WINDOW)
        self._per_account = RateLimit(limit=failures_per_account, window=account_window)

    @property
    def busy(self) -> int:
        """Hashes running or waiting for a thread."""
        return self._admitted

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in a hashing thread; ServiceUnavailable when ``threads + queue``
        hashes are already running or waiting (nothing queues without bound)."""
        if self._admitted >= self._capacity:
            raise ServiceUnavailable(
                "too many passwords and keys are being checked; retry in a second",
                data=ServiceUnavailableData(retry_after=1),
            )
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="hashing")
        self._admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        finally:
            self._admitted -= 1

    async def admit(self, *, address: str, prefix: str | None = None) -> None:
        """Count one hash forced by ``address`` (and against the key ``prefix``); RateLimited
        past HASH_ATTEMPTS_PER_KEY_PREFIX or HASH_ATTEMPTS_PER_ADDRESS a minute."""
        if prefix is not None:
            await self._limiter.hit(self._per_prefix, scope="hash:prefix", subject=prefix)
        await self._limiter.hit(self._per_address, scope="hash:address", subject=address)

    async def admit_password(self, *, address: str, account: str) -> PasswordAttempt:
        """``admit(address=)``, and count one password check against ``account`` (a normalized
        email, known or not, so the answer says nothing of which accounts exist; Redis keeps
        only its digest); RateLimited past SIGN_IN_FAILURES_PER_ACCOUNT failures."""
        await self.admit(address=address)
        subject = hashlib.sha256(account.encode()).hexdigest()[:32]
        try:
            mark = await self._limiter.hit(self._per_account, scope=_ACCOUNT, subject=subject)
        except RateLimited as refused:
            rule = self._per_account
            raise RateLimited(
                f"too many failed sign-ins for this account ({rule.limit} per {rule.window} s); "
                "retry after Retry-After seconds",
                data=refused.data,
            ) from None
        return PasswordAttempt(self._limiter, subject, mark)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def hashing(runtime: Runtime) -> Hashing:
    """The process's threads and limits of password and key hashing."""
    return runtime.held(_hashing)


def _hashing(runtime: Runtime) -> Hashing:
    settings = runtime.settings
    made = Hashing(
        RateLimiter(runtime.redis),
        threads=settings.hash_threads,
        queue=settings.hash_queue,
        per_address=settings.hash_attempts_per_address,
        per_key_prefix=settings.hash_attempts_per_key_prefix,
        failures_per_account=settings.sign_in_failures_per_account,
        account_window=settings.sign_in_failure_window_seconds,
    )
    runtime.on_stop(made.close)
    return made
