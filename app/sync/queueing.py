"""Putting sync runs on the job queue (the sync_runs row is the outbox)."""

from __future__ import annotations

import uuid

from saq.queue.redis import RedisQueue

__all__ = ["SYNC_JOB", "SYNC_RETRIES", "enqueue_sync"]

SYNC_JOB = "sync_connection"
# The product's policy: 3 attempts, exponential backoff from 2 s (2 s, 4 s, 8 s with jitter).
SYNC_RETRIES = 3
_RETRY_DELAY = 2.0
_TIMEOUT = 3600
# A killed worker stops touching its job; after this long another worker takes it over.
_HEARTBEAT = 60


async def enqueue_sync(
    queue: RedisQueue, *, run_id: uuid.UUID, team_id: uuid.UUID, connection_id: uuid.UUID
) -> bool:
    """Queue the run; False when a sync of this connection is already queued or running (the
    run stays ``queued`` and the sweeper queues it again later)."""
    job = await queue.enqueue(
        SYNC_JOB,
        key=f"sync:{connection_id}",
        sync_run_id=str(run_id),
        team_id=str(team_id),
        retries=SYNC_RETRIES,
        retry_delay=_RETRY_DELAY,
        retry_backoff=True,
        timeout=_TIMEOUT,
        heartbeat=_HEARTBEAT,
    )
    return job is not None
