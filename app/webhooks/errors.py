"""Domain errors of webhooks."""

from __future__ import annotations

import msgspec

from rpc import DomainError

__all__ = ["RefusedUrl", "WebhookLimit", "WebhookLimitReached", "WebhookUrlRefused"]


class RefusedUrl(msgspec.Struct, rename="camel"):
    reason: str


class WebhookUrlRefused(DomainError):
    code = "WEBHOOK_URL_REFUSED"
    status = 422
    data_type = RefusedUrl
    default_message = "webhooks may only point at public http(s) addresses"


class WebhookLimit(msgspec.Struct, rename="camel"):
    limit: int


class WebhookLimitReached(DomainError):
    code = "WEBHOOK_LIMIT_REACHED"
    status = 422
    data_type = WebhookLimit
    default_message = "the team has as many webhooks as it may have; delete one first"
