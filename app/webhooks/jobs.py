"""Webhook jobs: turn events into deliveries, and deliver them (signed, retried, logged)."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from typing import Any

import httpx

from app.events import emit
from app.jobs import JobContext, task_logged
from app.runtime import Runtime
from app.services import unit_of_work
from app.webhooks.queueing import enqueue_delivery
from app.webhooks.urls import UrlRefused, check_url, pinned

__all__ = ["SIGNATURE_HEADER", "deliver_webhook", "dispatch_events", "signature"]

SIGNATURE_HEADER = "X-SubscriberNest-Signature"
_TIMEOUT = 10.0
# Undispatched events become one delivery per active endpoint of the team that wants the type,
# and are marked dispatched, in one statement (exactly once: the unique (event, endpoint)).
_DISPATCH = """
WITH batch AS (
    SELECT id, team_id, type, data, created_at FROM events
    WHERE dispatched_at IS NULL ORDER BY created_at LIMIT 500 FOR UPDATE SKIP LOCKED
), marked AS (
    UPDATE events SET dispatched_at = now() FROM batch WHERE events.id = batch.id
)
INSERT INTO webhook_deliveries (team_id, endpoint_id, event_id, event_type, payload)
SELECT b.team_id, w.id, b.id, b.type, jsonb_build_object(
    'id', b.id, 'type', b.type, 'createdAt', b.created_at, 'teamId', b.team_id, 'data', b.data)
FROM batch b JOIN webhook_endpoints w ON w.team_id = b.team_id
    AND w.status = 'active' AND w.deleted_at IS NULL AND b.type = ANY (w.events)
ON CONFLICT (event_id, endpoint_id) DO NOTHING
RETURNING id, team_id
"""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "t." + body>``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


async def dispatch_events(ctx: JobContext) -> int:
    """Every second (cron): deliveries for new events; re-queue deliveries whose job was lost
    (still pending a minute after they were due)."""
    runtime = ctx["runtime"]
    async with runtime.db.maintenance() as conn, conn.transaction():
        made = await conn.fetch(_DISPATCH)
        stranded = await conn.fetch(
            "SELECT id, team_id, attempts FROM webhook_deliveries WHERE status = 'pending' "
            "AND next_attempt_at < now() - interval '60 seconds' LIMIT 500"
        )
    for row in made:
        await enqueue_delivery(
            runtime.queue, delivery_id=row["id"], team_id=row["team_id"], attempt=0
        )
    for row in stranded:
        await enqueue_delivery(
            runtime.queue, delivery_id=row["id"], team_id=row["team_id"], attempt=row["attempts"]
        )
    return len(made)


async def _send(
    runtime: Runtime, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int | None, str | None]:
    """One POST: (status, error); a 2xx has no error."""
    try:
        address = await check_url(url, allow_private=runtime.settings.webhook_allow_private_urls)
        target = pinned(url, address)
        response = await runtime.http.post(
            target.url,
            content=body,
            headers={**headers, **target.headers},
            extensions=target.extensions,
            timeout=_TIMEOUT,
        )
    except UrlRefused as exc:
        return None, f"refused: {exc}"
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        # Every way a send can fail is an attempt in the log, retried with backoff.
        return None, f"{type(exc).__name__}: {exc}"[:2000]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}: {response.text[:500]}"


@task_logged
async def deliver_webhook(ctx: JobContext, *, delivery_id: str, team_id: str) -> dict[str, Any]:
    """One attempt of one delivery. A failure schedules the next attempt (exponential backoff
    from WEBHOOK_RETRY_BASE_SECONDS, WEBHOOK_MAX_ATTEMPTS in all) and counts against the
    endpoint, which is disabled after WEBHOOK_DISABLE_AFTER failures in a row."""
    runtime = ctx["runtime"]
    settings = runtime.settings
    delivery, team = uuid.UUID(delivery_id), uuid.UUID(team_id)
    async with unit_of_work(runtime, team_id=team) as services:
        row = await services.conn.fetchrow(
            "SELECT d.status, d.attempts, d.payload::text AS body, d.event_type, d.endpoint_id, "
            "e.url, e.status AS endpoint_status, e.deleted_at, e.secret_ciphertext, "
            "e.secret_key_id FROM webhook_deliveries d "
            "JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1",
            delivery,
        )
        if row is None or row["status"] != "pending":
            return {"skipped": "no pending delivery"}
        if row["endpoint_status"] != "active" or row["deleted_at"] is not None:
            await services.conn.execute(
                "UPDATE webhook_deliveries SET status = 'failed' WHERE id = $1", delivery
            )
            return {"skipped": "the endpoint is disabled or deleted"}
        secret = services.webhooks.secret(
            row["endpoint_id"], row["secret_ciphertext"], row["secret_key_id"]
        )
    attempt = row["attempts"] + 1
    body = row["body"].encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "SubscriberNest-Webhooks/1",
        "X-SubscriberNest-Event": row["event_type"],
        "X-SubscriberNest-Delivery": str(delivery),
        SIGNATURE_HEADER: signature(secret, int(time.time()), body),
    }
    started = time.perf_counter()
    status, error = await _send(runtime, row["url"], body, headers)
    elapsed_ms = (time.perf_counter() - started) * 1000
    delay = settings.webhook_retry_base_seconds * 2 ** (attempt - 1)
    retry = False
    async with unit_of_work(runtime, team_id=team) as services:
        conn = services.conn
        await conn.execute(
            "INSERT INTO webhook_attempts (team_id, delivery_id, attempt, response_status, "
            "error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            team,
            delivery,
            attempt,
            status,
            error,
            elapsed_ms,
        )
        if error is None:
            await conn.execute(
                "UPDATE webhook_deliveries SET status = 'succeeded', attempts = $2 WHERE id = $1",
                delivery,
                attempt,
            )
            await conn.execute(
                "UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1",
                row["endpoint_id"],
            )
            return {"attempt": attempt, "status": status}
        failures = await conn.fetchval(
            "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 "
            "WHERE id = $1 RETURNING consecutive_failures",
            row["endpoint_id"],
        )
        disable = failures >= settings.webhook_disable_after
        retry = attempt < settings.webhook_max_attempts and not disable
        await conn.execute(
            "UPDATE webhook_deliveries SET attempts = $2, status = $3, "
            "next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1",
            delivery,
            attempt,
            "pending" if retry else "failed",
            delay,
        )
        if disable:
            reason = f"{failures} failed deliveries in a row; the last: {error}"[:2000]
            await conn.execute(
                "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2 "
                "WHERE id = $1",
                row["endpoint_id"],
                reason,
            )
            await emit(
                conn,
                team,
                "webhook.disabled",
                {"webhookId": str(row["endpoint_id"]), "url": row["url"], "reason": reason},
            )
    if retry:
        await enqueue_delivery(
            runtime.queue, delivery_id=delivery, team_id=team, attempt=attempt, delay=delay
        )
    return {"attempt": attempt, "status": status, "error": error, "retry": retry}
