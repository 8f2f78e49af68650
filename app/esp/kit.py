"""Kit (formerly ConvertKit) API v4: every subscriber of the account, by cursor pages of 1,000.

Auth is the ``X-Kit-Api-Key`` header. ``status=all`` lists every state (the API's default is
active only): active → subscribed, inactive (not yet confirmed) → pending, cancelled →
unsubscribed, bounced → bounced, complained → cleaned. Kit has a native ``first_name`` only;
the last name is read from the ``last_name`` custom field, Kit's usual name for it. A list id
is ignored: Kit has no lists, only tags and forms. ``created_at`` is Kit's only timestamp.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec

from app.esp.base import BaseConnector, clean_email, clean_name, custom_fields, provider_time
from app.esp.connector import EspEndpoints, NormalizedSubscriber, Page, RateLimit

__all__ = ["KitConnector"]

PAGE_SIZE = 1000  # Kit's maximum ``per_page``
_LAST_NAME_FIELD = "last_name"


class _Subscriber(msgspec.Struct):
    id: int | str
    email_address: str
    state: str
    first_name: str | None = None
    created_at: str | None = None
    fields: dict[str, Any] = msgspec.field(default_factory=dict)


class _Pagination(msgspec.Struct):
    has_next_page: bool = False
    end_cursor: str | None = None
    total_count: int | None = None


class _Subscribers(msgspec.Struct):
    subscribers: list[_Subscriber]
    pagination: _Pagination = msgspec.field(default_factory=_Pagination)


class _Account(msgspec.Struct):
    account: dict[str, Any]


class KitConnector(BaseConnector):
    """All subscribers of one Kit account."""

    provider = "kit"
    # 120 requests per 60 s per API key; the 429 gives no hint, and "a wait of up to 60 seconds
    # resets the limit".
    rate_limit = RateLimit(requests=120, window=60.0, reset_wait=60.0)
    statuses = {
        "active": "subscribed",
        "inactive": "pending",
        "cancelled": "unsubscribed",
        "bounced": "bounced",
        "complained": "cleaned",
    }

    def _base_url(self, endpoints: EspEndpoints, api_key: str) -> str:
        return endpoints.kit

    def _auth_headers(self, api_key: str) -> dict[str, str]:
        return {"X-Kit-Api-Key": api_key}

    @staticmethod
    def _error_message(body: Any) -> str | None:
        # {"errors": ["..."]}
        errors = body.get("errors") if isinstance(body, dict) else None
        if isinstance(errors, list):
            return "; ".join(str(e) for e in errors if e) or None
        return None

    async def verify(self) -> None:
        await self._get("/account", _Account)

    async def pages(self) -> AsyncIterator[Page]:
        params: dict[str, str | int] = {"status": "all", "per_page": PAGE_SIZE}
        while True:
            body = await self._get("/subscribers", _Subscribers, params)
            listed = ((s.id, self._normalize(s)) for s in body.subscribers)
            yield self._page(listed, body.pagination.total_count)
            cursor = body.pagination.end_cursor
            if not body.pagination.has_next_page or not cursor:
                return
            params = {**params, "after": cursor}

    def _normalize(self, sub: _Subscriber) -> NormalizedSubscriber | None:
        status = self._status(sub.state)
        if status is None:
            return None
        return NormalizedSubscriber(
            external_id=str(sub.id),
            email=clean_email(sub.email_address),
            first_name=clean_name(sub.first_name),
            last_name=clean_name(sub.fields.get(_LAST_NAME_FIELD)),
            status=status,
            custom_fields=custom_fields(sub.fields, skip=(_LAST_NAME_FIELD,)),
            provider_created_at=provider_time(sub.created_at),
        )
