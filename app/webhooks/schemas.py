"""Wire types of webhooks.*."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from app.events import EventType
from app.schemas import Timestamp
from rpc import SECRET, Input, Output

__all__ = [
    "AttemptOut",
    "CreateWebhookInput",
    "CreatedWebhook",
    "DeliveriesInput",
    "DeliveryList",
    "DeliveryOut",
    "DeliveryStatus",
    "EndpointStatus",
    "TestQueued",
    "UpdateWebhookInput",
    "WebhookCreator",
    "WebhookList",
    "WebhookOut",
]

Url = Annotated[
    str, msgspec.Meta(min_length=8, max_length=2000, examples=["https://example.com/hook"])
]


# A delivery's and an endpoint's lives: app/webhooks/states.py.
DeliveryStatus = Literal["pending", "succeeded", "failed"]
EndpointStatus = Literal["active", "disabled"]


class CreateWebhookInput(Input):
    url: Url
    events: Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=20)]


class UpdateWebhookInput(Input):
    id: uuid.UUID
    url: Url | None = None
    events: Annotated[list[EventType], msgspec.Meta(min_length=1, max_length=20)] | None = None
    status: EndpointStatus | None = None


class WebhookCreator(Output):
    """Who made a webhook: a member (``id`` their user id) or an API key (``id`` the key's). The
    webhook belongs to the team either way: it outlives its creator (decision 0023)."""

    kind: Literal["member", "apiKey"]
    id: uuid.UUID
    name: str | None


class WebhookOut(Output):
    id: uuid.UUID
    url: str
    events: list[str]
    status: EndpointStatus
    disabled_reason: str | None
    consecutive_failures: int
    created_at: Timestamp
    created_by: WebhookCreator | None = None  # None: made before creators were recorded


class CreatedWebhook(Output):
    webhook: WebhookOut
    secret: Annotated[
        str,
        msgspec.Meta(description="signs every delivery (HMAC-SHA256); shown only this once"),
        SECRET,
    ]


class WebhookList(Output):
    items: list[WebhookOut]


class TestQueued(Output):
    delivery_id: uuid.UUID


class DeliveriesInput(Input):
    endpoint_id: uuid.UUID | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=200)] = 50


class AttemptOut(Output):
    attempt: int
    response_status: int | None
    error: str | None
    duration_ms: float
    at: Timestamp


class DeliveryOut(Output):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: Timestamp | None
    created_at: Timestamp
    log: list[AttemptOut]


class DeliveryList(Output):
    items: list[DeliveryOut]
