"""Putting webhook deliveries on the job queue (the delivery row is the outbox)."""

from __future__ import annotations

import math
import time
import uuid

from saq.queue.redis import RedisQueue

__all__ = ["DELIVERY_JOB", "enqueue_delivery"]

DELIVERY_JOB = "deliver_webhook"


async def enqueue_delivery(
    queue: RedisQueue,
    *,
    delivery_id: uuid.UUID,
    team_id: uuid.UUID,
    attempt: int,
    delay: float = 0.0,
) -> None:
    """One attempt's job, ``delay`` seconds from now, to the second (SAQ schedules in whole
    seconds); a no-op if that attempt's job is already queued."""
    await queue.enqueue(
        DELIVERY_JOB,
        key=f"webhook:{delivery_id}:{attempt}",
        ttl=5,
        delivery_id=str(delivery_id),
        team_id=str(team_id),
        scheduled=math.ceil(time.time() + delay) if delay > 0 else 0,
        timeout=60,
    )
