"""Domain errors of webhooks."""

from __future__ import annotations

import msgspec

from rpc import DomainError

__all__ = ["RefusedUrl", "WebhookUrlRefused"]


class RefusedUrl(msgspec.Struct, rename="camel"):
    reason: str


class WebhookUrlRefused(DomainError):
    code = "WEBHOOK_URL_REFUSED"
    status = 422
    data_type = RefusedUrl
    default_message = "webhooks may only point at public http(s) addresses"
