"""Putting exports on the job queue (the exports row is the outbox)."""

from __future__ import annotations

import uuid

from saq.queue.redis import RedisQueue

__all__ = ["EXPORT_JOB", "EXPORT_RETRIES", "enqueue_export"]

EXPORT_JOB = "export_subscribers"
EXPORT_RETRIES = 3
_TIMEOUT = 3600
_TTL = 5


async def enqueue_export(
    queue: RedisQueue, *, export_id: uuid.UUID, team_id: uuid.UUID, attempt: int = 0
) -> None:
    """Queue the export's job (a no-op while the same attempt's job is queued or running)."""
    await queue.enqueue(
        EXPORT_JOB,
        key=f"export:{export_id}:{attempt}",
        ttl=_TTL,
        export_id=str(export_id),
        team_id=str(team_id),
        retries=EXPORT_RETRIES,
        retry_delay=2.0,
        retry_backoff=True,
        timeout=_TIMEOUT,
    )
