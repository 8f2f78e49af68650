"""Sliding-window rate limits kept in Redis, so they hold across API processes.

Each subject's calls are a sorted set of their times: a call is allowed while fewer than
``limit`` calls fall in the last ``window`` seconds (a fixed window would let twice the limit
through around its boundary).
"""

from __future__ import annotations

import time
import uuid

import redis.asyncio as aioredis

from rpc.errors import RateLimited, RateLimitedData
from rpc.procedure import RateLimit

__all__ = ["RateLimiter"]


class RateLimiter:
    def __init__(self, redis: aioredis.Redis, *, prefix: str = "rpc:rl") -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, rule: RateLimit, *, scope: str, subject: str) -> str:
        """Count one call of ``subject`` (e.g. a client IP) in ``scope``; raise RateLimited past
        the limit, with the seconds until the oldest counted call leaves the window. Returns
        the call's mark, for ``forget`` (a limit that counts only failures takes successes
        back)."""
        now = time.time()
        key = f"{self._prefix}:{scope}:{subject}"
        member = f"{now:.6f}:{uuid.uuid4().hex[:8]}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, 0, now - rule.window)
            pipe.zadd(key, {member: now})
            pipe.zcard(key)
            pipe.zrange(key, 0, 0, withscores=True)
            pipe.expire(key, rule.window + 1)
            _, _, count, oldest, _ = await pipe.execute()
        if count > rule.limit:
            await self._redis.zrem(key, member)  # a refused call does not count
            first = oldest[0][1] if oldest else now
            retry_after = max(1, int(first + rule.window - now + 0.999))
            raise RateLimited(
                f"at most {rule.limit} calls per {rule.window} s",
                data=RateLimitedData(retry_after=retry_after),
            )
        return member

    async def forget(self, *, scope: str, subject: str, mark: str) -> None:
        """Take back the call ``hit`` counted as ``mark``."""
        await self._redis.zrem(f"{self._prefix}:{scope}:{subject}", mark)
