"""Putting webhook deliveries on their own job queue (the delivery row is the outbox)."""

from __future__ import annotations

import math
import time
import uuid

from app.runtime import Runtime

__all__ = ["DELIVERY_JOB", "enqueue_delivery"]

DELIVERY_JOB = "deliver_webhook"
# What a delivery job does besides its send (two short transactions): its timeout's margin.
_JOB_MARGIN_SECONDS = 30


async def enqueue_delivery(
    runtime: Runtime,
    *,
    delivery_id: uuid.UUID,
    team_id: uuid.UUID,
    attempt: int,
    delay: float = 0.0,
) -> None:
    """One attempt's job on the delivery queue, ``delay`` seconds from now, to the second (SAQ
    schedules in whole seconds); a no-op if that attempt's job is already queued."""
    deadline = runtime.settings.webhook_delivery_deadline_seconds
    await runtime.webhook_queue.enqueue(
        DELIVERY_JOB,
        key=f"webhook:{delivery_id}:{attempt}",
        ttl=5,
        delivery_id=str(delivery_id),
        team_id=str(team_id),
        scheduled=math.ceil(time.time() + delay) if delay > 0 else 0,
        timeout=math.ceil(deadline) + _JOB_MARGIN_SECONDS,
    )
