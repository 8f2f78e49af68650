"""What a running process holds: the database pool, Redis, the job queue, an HTTP client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from functools import cached_property
from typing import TypeVar, cast

import httpx
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from saq.queue.redis import RedisQueue

from app.availability import outages_logged_briefly, unavailability
from app.config import Settings
from app.credentials import CredentialCipher
from app.db import Database
from app.esp import EspEndpoints
from app.tracing import carry_trace_context
from realtime import change_channel
from rpc import Unavailability

__all__ = ["QUEUE_NAME", "WEBHOOK_QUEUE_NAME", "Runtime"]

log = logging.getLogger(__name__)
T = TypeVar("T")
QUEUE_NAME = "subnest"
# Webhook deliveries have a queue (and worker slots) of their own: slow receivers wait there,
# never in the slots of syncs and exports.
WEBHOOK_QUEUE_NAME = "subnest-webhooks"


class Runtime:
    """Started once per process (API lifespan, worker start-up, CLI) from resolved Settings."""

    def __init__(self, settings: Settings, *, session_state: bool = True) -> None:
        """``session_state=False`` for the API process: see ``Database``."""
        if settings.database_url is None or settings.redis_url is None:
            raise ValueError("Runtime needs resolved DATABASE_URL and REDIS_URL")
        self.settings = settings
        self.db = Database(
            settings.database_url,
            app_password=settings.app_db_password.reveal() if settings.app_db_password else None,
            pool_size=settings.db_pool_size,
            session_state=session_state,
            acquire_timeout=settings.db_acquire_timeout_seconds,
            side_pool_size=settings.db_side_pool_size,
            strict=settings.is_dev,
        )
        # A burst beyond the pool waits for a connection (as the database pool's calls do),
        # instead of failing at once with MaxConnectionsError.
        self.redis: aioredis.Redis = aioredis.Redis.from_pool(
            aioredis.BlockingConnectionPool.from_url(
                settings.redis_url,
                max_connections=settings.redis_pool_size,
                timeout=settings.redis_pool_timeout_seconds,
            )
        )
        self.queue = RedisQueue.from_url(settings.redis_url, name=QUEUE_NAME)
        self.webhook_queue = RedisQueue.from_url(settings.redis_url, name=WEBHOOK_QUEUE_NAME)
        if settings.tracing:
            self.queue.register_before_enqueue(carry_trace_context)
            self.webhook_queue.register_before_enqueue(carry_trace_context)
        self.http = httpx.AsyncClient(follow_redirects=False)
        self.endpoints = EspEndpoints(
            mailchimp=settings.esp_mailchimp_base_url,
            kit=settings.esp_kit_base_url,
            beehiiv=settings.esp_beehiiv_base_url,
            mailerlite=settings.esp_mailerlite_base_url,
            brevo=settings.esp_brevo_base_url,
            rate_limit_scale=settings.esp_rate_limit_scale,
        )
        self._started = contextlib.ExitStack()
        self._held: dict[Callable[[Runtime], object], object] = {}
        self._on_stop: list[Callable[[], None]] = []

    @cached_property
    def unavailable(self) -> Unavailability:
        """Which exceptions mean PostgreSQL or Redis is unreachable, and the process's
        rate-limited log of them (app/availability.py)."""
        return unavailability()

    @cached_property
    def cipher(self) -> CredentialCipher:
        return CredentialCipher(self.settings.secret_keys)

    @property
    def token_cipher(self) -> CredentialCipher | None:
        """The cipher that seals mailed tokens in the outbox (none without SECRET_KEYS: a CLI
        command)."""
        return self.cipher if self.settings.secret_keys else None

    def held(self, make: Callable[[Runtime], T]) -> T:
        """The process's one instance of what ``make`` makes, made on first use: how features
        keep their per-process state (caches, limits, checkers) without this module knowing
        them. ``make`` may register its instance's clean-up with ``on_stop``."""
        try:
            return cast(T, self._held[make])
        except KeyError:
            value = self._held[make] = make(self)
            return value

    def on_stop(self, close: Callable[[], None]) -> None:
        """Run ``close`` when the process stops (after the pools have closed)."""
        self._on_stop.append(close)

    async def start(self) -> None:
        self._started.enter_context(outages_logged_briefly(self.unavailable))
        await self.db.start()
        await self.queue.connect()
        await self.webhook_queue.connect()

    async def stop(self) -> None:
        await self.http.aclose()
        # Redis may be away (SIGTERM during an outage): closing its clients then fails, and
        # must not keep the rest, the database pool above all, open.
        for close in (self.webhook_queue.disconnect, self.queue.disconnect, self.redis.aclose):
            try:
                await close()
            except (RedisError, OSError) as exc:
                log.warning("closing a Redis client failed while stopping (%s)", exc)
        await self.db.stop()
        for clean_up in self._on_stop:
            clean_up()
        self._started.close()

    async def poke(self, team_id: uuid.UUID) -> None:
        """Tell the API processes that the team's synced rows changed (no data: they re-query)."""
        await self.redis.publish(change_channel(team_id), b"")

    async def workers_alive(self) -> int:
        """Workers whose heartbeat is fresh: each SAQ worker writes its info to Redis every 10 s
        with an 11 s expiry."""
        info = await self.queue.info()
        return len(info["workers"])

    async def readiness(self, timeout: float = 2.0) -> dict[str, str]:
        """``{"database": "ok" | error, "redis": "ok" | error}`` within ``timeout`` seconds each."""
        checks = {"database": self.db.ping(), "redis": self.redis.ping()}
        report: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check, timeout)
                report[name] = "ok"
            except Exception as exc:
                report[name] = f"unavailable: {type(exc).__name__}"
        return report
