"""What a running process holds: the database pool, a Redis client and the job queue."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from saq.queue.redis import RedisQueue

from app.config import Settings
from app.db import Database

__all__ = ["QUEUE_NAME", "Runtime"]

QUEUE_NAME = "subnest"


class Runtime:
    """Started once per process (API lifespan, worker start-up, CLI) from resolved Settings."""

    def __init__(self, settings: Settings) -> None:
        if settings.database_url is None or settings.redis_url is None:
            raise ValueError("Runtime needs resolved DATABASE_URL and REDIS_URL")
        self.settings = settings
        self.db = Database(
            settings.database_url,
            app_password=settings.app_db_password,
            pool_size=settings.db_pool_size,
        )
        self.redis: aioredis.Redis = aioredis.Redis.from_url(settings.redis_url)
        self.queue = RedisQueue.from_url(settings.redis_url, name=QUEUE_NAME)

    async def start(self) -> None:
        await self.db.start()
        await self.queue.connect()

    async def stop(self) -> None:
        await self.queue.disconnect()
        await self.redis.aclose()
        await self.db.stop()

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
