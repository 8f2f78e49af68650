"""Webhook jobs: turn events into deliveries, and deliver them (signed, retried, logged)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
import uuid
from typing import Any

import httpx

from app.events import emit
from app.jobs import JobContext, task_logged
from app.runtime import Runtime
from app.webhooks import states
from app.webhooks.queueing import enqueue_delivery
from app.webhooks.service import WebhookService
from app.webhooks.urls import UrlRefused, pinned, webhook_urls
from app.work import unit_of_work

__all__ = ["SIGNATURE_HEADER", "deliver_webhook", "dispatch_events", "signature"]

SIGNATURE_HEADER = "X-SubscriberNest-Signature"
_EXCERPT_CHARS = 500
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
        await enqueue_delivery(runtime, delivery_id=row["id"], team_id=row["team_id"], attempt=0)
    for row in stranded:
        await enqueue_delivery(
            runtime, delivery_id=row["id"], team_id=row["team_id"], attempt=row["attempts"]
        )
    return len(made)


def _clean(text: str, limit: int = 2000) -> str:
    """Text a log column can hold: no NUL (PostgreSQL refuses it), at most ``limit`` chars."""
    return text.replace("\x00", "\ufffd")[:limit]


async def _excerpt(response: httpx.Response, max_bytes: int, into: bytearray) -> None:
    """Up to ``max_bytes`` of the body as sent (never decoded: a gzip bomb stays small) into
    ``into``, then stop reading."""
    async for chunk in response.aiter_raw():
        into += chunk[: max_bytes - len(into)]
        if len(into) >= max_bytes:
            return


def _shown(response: httpx.Response, body: bytes) -> str:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return f"[{encoding[:40]}-encoded body, {len(body)} bytes read, not decoded]"
    return body.decode("utf-8", "replace")[:_EXCERPT_CHARS]


async def _send(
    runtime: Runtime, url: str, body: bytes, headers: dict[str, str]
) -> tuple[int | None, str | None]:
    """One POST: (status, error); a 2xx has no error. The whole of it (the URL check, connect,
    send, the answer) within WEBHOOK_DELIVERY_DEADLINE_SECONDS; a 2xx's body is not read, an
    error's at most WEBHOOK_RESPONSE_MAX_BYTES, undecoded (``Accept-Encoding: identity`` is
    asked for, and whatever comes is kept as it came)."""
    settings = runtime.settings
    deadline = settings.webhook_delivery_deadline_seconds
    status: int | None = None
    excerpt = bytearray()
    try:
        async with asyncio.timeout(deadline):
            target = pinned(url, await webhook_urls(runtime).check(url))
            request = runtime.http.build_request(
                "POST",
                target.url,
                content=body,
                headers={**headers, **target.headers, "Accept-Encoding": "identity"},
                extensions=target.extensions,
                timeout=deadline,
            )
            response = await runtime.http.send(request, stream=True)
            try:
                status = response.status_code
                if 200 <= status < 300:
                    return status, None
                await _excerpt(response, settings.webhook_response_max_bytes, excerpt)
            finally:
                await response.aclose()
    except UrlRefused as exc:
        return None, _clean(f"refused: {exc}")
    except TimeoutError:
        if status is None:
            return None, f"no answer within the {deadline:g} s deadline"
        return status, _clean(
            f"HTTP {status}, its body cut off at the {deadline:g} s deadline: "
            f"{_shown(response, bytes(excerpt))}"
        )
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        # Every way a send can fail is an attempt in the log, retried with backoff.
        return status, _clean(f"{type(exc).__name__}: {exc}")
    return status, _clean(f"HTTP {status}: {_shown(response, bytes(excerpt))}")


_PENDING = (
    "SELECT d.status, d.attempts, d.payload::text AS body, d.event_type, d.endpoint_id, "
    "e.url, e.status AS endpoint_status, e.deleted_at, e.secret_ciphertext, e.secret_key_id "
    "FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id "
    "WHERE d.id = $1 FOR UPDATE OF d"
)


@task_logged
async def deliver_webhook(ctx: JobContext, *, delivery_id: str, team_id: str) -> dict[str, Any]:
    """One attempt of one delivery. A failure schedules the next attempt (exponential backoff
    from WEBHOOK_RETRY_BASE_SECONDS, WEBHOOK_MAX_ATTEMPTS in all) and counts against the
    endpoint, which is disabled after WEBHOOK_DISABLE_AFTER failures in a row.

    The attempt is committed before the send, as failed with NO_OUTCOME and the next attempt
    due after the backoff, and completed after it: a worker that dies during a send (killed,
    out of memory) leaves a failed attempt and a retry in due time, never a delivery that is
    sent again at once, forever."""
    runtime = ctx["runtime"]
    settings = runtime.settings
    delivery, team = uuid.UUID(delivery_id), uuid.UUID(team_id)
    async with unit_of_work(runtime, team_id=team) as work:
        conn = work.conn
        row = await conn.fetchrow(_PENDING, delivery)
        if row is None or row["status"] != "pending":
            return {"skipped": "no pending delivery"}
        attempt = row["attempts"] + 1
        if row["endpoint_status"] != "active" or row["deleted_at"] is not None:
            skipped = "the endpoint is disabled or deleted"
        elif attempt > settings.webhook_max_attempts:  # the last attempts were cut short
            skipped = "no attempts left"
        else:
            skipped = ""
        if skipped:
            await states.abandon(conn, delivery)
            return {"skipped": skipped}
        secret = WebhookService(work).secret(
            row["endpoint_id"], row["secret_ciphertext"], row["secret_key_id"]
        )
        delay = settings.webhook_retry_base_seconds * 2 ** (attempt - 1)
        attempt_id = await states.attempt(conn, team, delivery, attempt, delay)
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
    retry = False
    endpoint = row["endpoint_id"]
    async with unit_of_work(runtime, team_id=team) as work:
        conn = work.conn
        if error is None:
            assert status is not None
            await states.succeed(conn, delivery, endpoint, attempt_id, status, elapsed_ms)
            return {"attempt": attempt, "status": status}
        failures = await states.failed_in_a_row(conn, endpoint)
        disable = failures >= settings.webhook_disable_after
        retry = attempt < settings.webhook_max_attempts and not disable
        await states.fail(
            conn,
            delivery,
            attempt_id,
            (status, error),
            elapsed_ms,
            retry=retry,
            delay=delay,
        )
        if disable:
            reason = _clean(f"{failures} failed deliveries in a row; the last: {error}")
            await states.disable(conn, endpoint, reason)
            await emit(
                conn,
                team,
                "webhook.disabled",
                {"webhookId": str(endpoint), "url": row["url"], "reason": reason},
            )
    if retry:
        await enqueue_delivery(
            runtime, delivery_id=delivery, team_id=team, attempt=attempt, delay=delay
        )
    return {"attempt": attempt, "status": status, "error": error, "retry": retry}
