"""Fixed-window rate limits kept in Redis, so they hold across API processes."""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from rpc.errors import RateLimited, RateLimitedData
from rpc.procedure import RateLimit

__all__ = ["RateLimiter"]


class RateLimiter:
    def __init__(self, redis: aioredis.Redis, *, prefix: str = "rpc:rl") -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, rule: RateLimit, *, scope: str, subject: str) -> None:
        """Count one call of ``subject`` (e.g. a client IP) in ``scope``; raise RateLimited past
        the limit, with the seconds until the window ends."""
        now = time.time()
        window = int(now // rule.window)
        key = f"{self._prefix}:{scope}:{subject}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, rule.window + 1)
            count, _ = await pipe.execute()
        if count > rule.limit:
            retry_after = max(1, int((window + 1) * rule.window - now + 0.999))
            raise RateLimited(
                f"at most {rule.limit} calls per {rule.window} s",
                data=RateLimitedData(retry_after=retry_after),
            )
