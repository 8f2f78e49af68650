"""A webhook delivery's life and its endpoint's, every change of their status in one place
(``DeliveryStatus``, ``EndpointStatus``)::

    delivery:  pending ─attempt─▶ pending (an attempt logged, the next one due) ─▶ …
               pending ─succeed─▶ succeeded        pending ─fail / abandon─▶ failed
    endpoint:  active ─(WEBHOOK_DISABLE_AFTER failures in a row)─▶ disabled

A delivery is made ``pending`` by the dispatch of an event or by ``webhooks.test``;
``webhooks.update`` makes a disabled endpoint active again. Each transition runs in its
caller's unit of work (the delivery job's, under the team's RLS).
"""

from __future__ import annotations

import uuid

import asyncpg

from app.webhooks.schemas import DeliveryStatus, EndpointStatus

__all__ = [
    "NO_OUTCOME",
    "DeliveryStatus",
    "EndpointStatus",
    "abandon",
    "attempt",
    "disable",
    "fail",
    "failed_in_a_row",
    "succeed",
]

# What an attempt says from the moment it is recorded (before its send) until its outcome
# replaces it: if the worker dies during the send, it stays, and the attempt counts as failed.
NO_OUTCOME = (
    "no outcome recorded: still in flight, or cut short (the worker stopped during the send)"
)


async def abandon(conn: asyncpg.Connection, delivery: uuid.UUID) -> None:
    """pending → failed without an attempt (its endpoint is off, or no attempt is left)."""
    await conn.execute("UPDATE webhook_deliveries SET status = 'failed' WHERE id = $1", delivery)


async def attempt(
    conn: asyncpg.Connection, team: uuid.UUID, delivery: uuid.UUID, number: int, delay: float
) -> uuid.UUID:
    """Log attempt ``number`` as failed with NO_OUTCOME, the next one due after ``delay``
    seconds; committed before the send, so a worker that dies during it leaves a failed attempt
    and a retry in due time. The attempt's id, for its outcome."""
    attempt_id: uuid.UUID = await conn.fetchval(
        "INSERT INTO webhook_attempts (team_id, delivery_id, attempt, error, duration_ms) "
        "VALUES ($1, $2, $3, $4, 0) RETURNING id",
        team,
        delivery,
        number,
        NO_OUTCOME,
    )
    await conn.execute(
        "UPDATE webhook_deliveries SET attempts = $2, "
        "next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
        delivery,
        number,
        delay,
    )
    return attempt_id


async def _outcome(
    conn: asyncpg.Connection,
    attempt_id: uuid.UUID,
    status: int | None,
    error: str | None,
    elapsed_ms: float,
) -> None:
    await conn.execute(
        "UPDATE webhook_attempts SET response_status = $2, error = $3, duration_ms = $4 "
        "WHERE id = $1",
        attempt_id,
        status,
        error,
        elapsed_ms,
    )


async def succeed(
    conn: asyncpg.Connection,
    delivery: uuid.UUID,
    endpoint: uuid.UUID,
    attempt_id: uuid.UUID,
    status: int,
    elapsed_ms: float,
) -> None:
    """pending → succeeded; the endpoint's failures in a row start again from 0."""
    await _outcome(conn, attempt_id, status, None, elapsed_ms)
    await conn.execute("UPDATE webhook_deliveries SET status = 'succeeded' WHERE id = $1", delivery)
    await conn.execute(
        "UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1", endpoint
    )


async def fail(
    conn: asyncpg.Connection,
    delivery: uuid.UUID,
    attempt_id: uuid.UUID,
    outcome: tuple[int | None, str],
    elapsed_ms: float,
    *,
    retry: bool,
    delay: float,
) -> None:
    """The attempt failed: the delivery stays pending, its next attempt due after ``delay``
    (``retry``), or → failed."""
    status, error = outcome
    await _outcome(conn, attempt_id, status, error, elapsed_ms)
    await conn.execute(
        "UPDATE webhook_deliveries SET status = $2, "
        "next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
        delivery,
        "pending" if retry else "failed",
        delay,
    )


async def failed_in_a_row(conn: asyncpg.Connection, endpoint: uuid.UUID) -> int:
    """Count one more failure of the endpoint; how many in a row it has now."""
    failures: int = await conn.fetchval(
        "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 "
        "WHERE id = $1 RETURNING consecutive_failures",
        endpoint,
    )
    return failures


async def disable(conn: asyncpg.Connection, endpoint: uuid.UUID, reason: str) -> None:
    """active → disabled, saying why."""
    await conn.execute(
        "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2 WHERE id = $1",
        endpoint,
        reason,
    )
