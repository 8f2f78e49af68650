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
# A finished job's record is kept only briefly: the sync_runs row is the record that matters.
_TTL = 5


async def enqueue_sync(
    queue: RedisQueue, *, run_id: uuid.UUID, team_id: uuid.UUID, heartbeat: int, attempt: int = 0
) -> bool:
    """Queue the run; False when this run's job is already queued or running.

    ``attempt``: how many attempts the run has had; a run taken over from a dead worker gets a
    new job (the dead one may linger in the queue's bookkeeping). ``heartbeat``: SAQ's own
    stuck-job detection.

    Two runs of one connection never sync at once: the job takes a per-connection lock, and a
    run that finds it taken goes back to ``queued`` for the sweeper.
    """
    job = await queue.enqueue(
        SYNC_JOB,
        key=f"sync:{run_id}:{attempt}",
        ttl=_TTL,
        sync_run_id=str(run_id),
        team_id=str(team_id),
        retries=SYNC_RETRIES,
        retry_delay=_RETRY_DELAY,
        retry_backoff=True,
        timeout=_TIMEOUT,
        heartbeat=heartbeat,
    )
    return job is not None
