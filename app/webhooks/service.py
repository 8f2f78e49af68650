"""Webhook endpoints and their delivery log, inside a team's unit of work."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import uuid
from typing import Any

import asyncpg
import msgspec

from app.credentials import Sealed
from app.webhooks.errors import WebhookLimit, WebhookLimitReached
from app.webhooks.queueing import enqueue_delivery
from app.webhooks.schemas import (
    AttemptOut,
    CreatedWebhook,
    DeliveryOut,
    WebhookCreator,
    WebhookOut,
)
from app.webhooks.urls import CheckedUrl
from app.work import Work
from rpc import NotFound

__all__ = ["WebhookService", "envelope"]

# One lock per team while its endpoints are counted and one is added (two creates at the limit
# minus one cannot both pass); the prefix keeps it apart from the other advisory locks.
_ENDPOINTS_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('webhook_endpoints:' || $1, 0))"

_ENDPOINT = "id, url, events, status, disabled_reason, consecutive_failures, created_at"
# An endpoint with its creator's name: the member's, or the API key's (revoked or not).
_WITH_CREATOR = (
    "SELECT e.id, e.url, e.events, e.status, e.disabled_reason, e.consecutive_failures, "
    "e.created_at, e.created_by, e.created_by_key, u.name AS member_name, k.name AS key_name "
    "FROM webhook_endpoints e LEFT JOIN users u ON u.id = e.created_by "
    "LEFT JOIN api_keys k ON k.id = e.created_by_key WHERE e.deleted_at IS NULL"
)


def _endpoint(row: asyncpg.Record) -> WebhookOut:
    creator = None
    if row["created_by_key"] is not None:
        creator = WebhookCreator(kind="apiKey", id=row["created_by_key"], name=row["key_name"])
    elif row["created_by"] is not None:
        creator = WebhookCreator(kind="member", id=row["created_by"], name=row["member_name"])
    return WebhookOut(**{k: row[k] for k in _ENDPOINT.split(", ")}, created_by=creator)


def envelope(
    event_id: uuid.UUID, event_type: str, team_id: uuid.UUID, created_at: str, data: Any
) -> dict[str, Any]:
    """The JSON body of a delivery."""
    return {
        "id": str(event_id),
        "type": event_type,
        "createdAt": created_at,
        "teamId": str(team_id),
        "data": data,
    }


class WebhookService:
    def __init__(self, work: Work) -> None:
        self.work = work
        self.conn = work.conn
        self.runtime = work.runtime

    async def create(
        self,
        team_id: uuid.UUID,
        url: CheckedUrl,
        events: list[str],
        *,
        member: uuid.UUID | None = None,
        api_key: uuid.UUID | None = None,
    ) -> CreatedWebhook:
        """A new endpoint for ``url`` (checked before the unit of work opened: a DNS lookup
        must not hold the transaction), at most WEBHOOK_MAX_ENDPOINTS_PER_TEAM of them, made by
        ``member`` or ``api_key`` (recorded and listed; the team owns it all the same)."""
        limit = self.runtime.settings.webhook_max_endpoints_per_team
        await self.conn.execute(_ENDPOINTS_LOCK, str(team_id))
        count = await self.conn.fetchval(
            "SELECT count(*) FROM webhook_endpoints WHERE team_id = $1 AND deleted_at IS NULL",
            team_id,
        )
        if count >= limit:
            raise WebhookLimitReached(data=WebhookLimit(limit=limit))
        endpoint_id = uuid.uuid4()
        secret = f"whsec_{secrets.token_urlsafe(32)}"
        sealed = self.runtime.cipher.seal(endpoint_id, {"secret": secret})
        await self.conn.execute(
            "INSERT INTO webhook_endpoints (id, team_id, url, events, secret_ciphertext, "
            "secret_key_id, created_by, created_by_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            endpoint_id,
            team_id,
            url,
            sorted(set(events)),
            sealed.ciphertext,
            sealed.key_id,
            member,
            api_key,
        )
        return CreatedWebhook(webhook=await self._one(endpoint_id), secret=secret)

    async def all(self) -> list[WebhookOut]:
        rows = await self.conn.fetch(f"{_WITH_CREATOR} ORDER BY e.created_at")
        return [_endpoint(row) for row in rows]

    async def _one(self, endpoint_id: uuid.UUID) -> WebhookOut:
        row = await self.conn.fetchrow(f"{_WITH_CREATOR} AND e.id = $1", endpoint_id)
        if row is None:
            raise NotFound("no such webhook")
        return _endpoint(row)

    async def update(
        self,
        endpoint_id: uuid.UUID,
        *,
        url: CheckedUrl | None,
        events: list[str] | None,
        status: str | None,
    ) -> WebhookOut:
        """Change what is given (a new ``url`` checked before the unit of work opened).
        ``status="active"`` re-enables a webhook disabled after failures (its failure count
        starts again); ``"disabled"`` pauses it by hand."""
        row = await self.conn.fetchrow(
            "UPDATE webhook_endpoints SET url = coalesce($2, url), "
            "events = coalesce($3, events), status = coalesce($4, status), "
            "disabled_reason = CASE WHEN $4 = 'active' THEN NULL "
            "WHEN $4 = 'disabled' AND status = 'active' THEN 'disabled by a member' "
            "ELSE disabled_reason END, "
            "consecutive_failures = CASE WHEN $4 = 'active' THEN 0 ELSE consecutive_failures END "
            "WHERE id = $1 AND deleted_at IS NULL RETURNING id",
            endpoint_id,
            url,
            sorted(set(events)) if events is not None else None,
            status,
        )
        if row is None:
            raise NotFound("no such webhook")
        return await self._one(endpoint_id)

    async def delete(self, endpoint_id: uuid.UUID) -> None:
        status = await self.conn.execute(
            "UPDATE webhook_endpoints SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL",
            endpoint_id,
        )
        if status == "UPDATE 0":
            raise NotFound("no such webhook")

    def secret(self, endpoint_id: uuid.UUID, ciphertext: bytes, key_id: str) -> str:
        sealed = Sealed(ciphertext=ciphertext, key_id=key_id)
        return self.runtime.cipher.open(endpoint_id, sealed)["secret"]

    async def test(self, team_id: uuid.UUID, endpoint_id: uuid.UUID) -> uuid.UUID:
        """A ``webhook.test`` delivery to this endpoint, queued now."""
        exists = await self.conn.fetchval(
            "SELECT 1 FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NULL", endpoint_id
        )
        if exists is None:
            raise NotFound("no such webhook")
        ping_id = uuid.uuid4()
        created = dt.datetime.now(dt.UTC).isoformat()
        body = envelope(ping_id, "webhook.test", team_id, created, {})
        delivery_id: uuid.UUID = await self.conn.fetchval(
            "INSERT INTO webhook_deliveries (team_id, endpoint_id, event_type, payload) "
            "VALUES ($1, $2, 'webhook.test', $3::jsonb) RETURNING id",
            team_id,
            endpoint_id,
            msgspec.json.encode(body).decode(),
        )
        self.work.after_commit(
            functools.partial(
                enqueue_delivery,
                self.runtime,
                delivery_id=delivery_id,
                team_id=team_id,
                attempt=0,
            )
        )
        return delivery_id

    async def deliveries(self, endpoint_id: uuid.UUID | None, limit: int) -> list[DeliveryOut]:
        rows = await self.conn.fetch(
            "SELECT d.id, d.endpoint_id, d.event_type, d.status, d.attempts, "
            "CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at, "
            "d.created_at, coalesce(json_agg(json_build_object('attempt', a.attempt, "
            "'responseStatus', a.response_status, 'error', a.error, 'durationMs', a.duration_ms, "
            "'at', a.created_at) ORDER BY a.attempt) FILTER (WHERE a.id IS NOT NULL), '[]')::text "
            "AS log FROM webhook_deliveries d LEFT JOIN webhook_attempts a ON a.delivery_id = d.id "
            "WHERE ($1::uuid IS NULL OR d.endpoint_id = $1) GROUP BY d.id "
            "ORDER BY d.created_at DESC LIMIT $2",
            endpoint_id,
            limit,
        )
        return [
            DeliveryOut(
                **{k: v for k, v in row.items() if k != "log"},
                log=msgspec.json.decode(row["log"], type=list[AttemptOut]),
            )
            for row in rows
        ]
