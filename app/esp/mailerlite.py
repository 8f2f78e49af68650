"""MailerLite (connect API): the subscribers of the account or of one group, by cursor pages.

Auth is a Bearer API key. Without a status filter the listing has every state: active →
subscribed, unsubscribed → unsubscribed, unconfirmed → pending, bounced → bounced, junk →
cleaned. Names are the ``name`` and ``last_name`` fields; the other fields are custom (unset
ones, reported as null, are left out). ``created_at`` / ``updated_at`` (``YYYY-MM-DD HH:MM:SS``,
UTC) are the timestamps. A 429 carries ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec

from app.esp.base import (
    BaseConnector,
    clean_email,
    clean_name,
    custom_fields,
    message_field,
    provider_time,
    segment,
)
from app.esp.connector import EspEndpoints, NormalizedSubscriber, Page, RateLimit

__all__ = ["MailerLiteConnector"]

PAGE_SIZE = 100  # documented default 25; 1,000 is not confirmed as allowed, 100 is
_NAME_FIELDS = ("name", "last_name")


class _Subscriber(msgspec.Struct):
    id: str | int
    email: str
    status: str
    created_at: str | None = None
    updated_at: str | None = None
    fields: dict[str, Any] = msgspec.field(default_factory=dict)


class _Meta(msgspec.Struct):
    next_cursor: str | None = None


class _Subscribers(msgspec.Struct):
    data: list[_Subscriber]
    meta: _Meta = msgspec.field(default_factory=_Meta)


class _Any(msgspec.Struct):
    pass


class MailerLiteConnector(BaseConnector):
    """All subscribers of one MailerLite account, or of one group (``list_id``)."""

    provider = "mailerlite"
    list_id_name = "group id"
    # 120 requests per minute; a 429 says when in Retry-After; every response counts what is
    # left in X-RateLimit-Remaining (without a reset time: at 0 we wait the window).
    rate_limit = RateLimit(
        requests=120, window=60.0, reset_wait=60.0, remaining_header="X-RateLimit-Remaining"
    )
    statuses = {
        "active": "subscribed",
        "unsubscribed": "unsubscribed",
        "unconfirmed": "pending",
        "bounced": "bounced",
        "junk": "cleaned",
    }

    def _base_url(self, endpoints: EspEndpoints, api_key: str) -> str:
        return endpoints.mailerlite

    def _auth_headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}

    # {"message": "...", "errors": {"field": ["..."]}}
    _error_message = staticmethod(message_field)

    async def verify(self) -> None:
        if self.list_id:  # (the API has no GET /groups/{id}: its first subscriber instead)
            await self._get_list(f"/groups/{segment(self.list_id)}/subscribers", _Any, {"limit": 1})
        else:
            await self._get("/subscribers", _Any, {"limit": 0})  # just the count: cheap

    async def pages(self) -> AsyncIterator[Page]:
        path = f"/groups/{segment(self.list_id)}/subscribers" if self.list_id else "/subscribers"
        params: dict[str, str | int] = {"limit": PAGE_SIZE}
        while True:
            body = await self._get(path, _Subscribers, params)
            yield self._page(((s.id, self._normalize(s)) for s in body.data), None)
            if not body.meta.next_cursor:
                return
            params = {**params, "cursor": body.meta.next_cursor}

    def _normalize(self, sub: _Subscriber) -> NormalizedSubscriber | None:
        status = self._status(sub.status)
        if status is None:
            return None
        return NormalizedSubscriber(
            external_id=str(sub.id),
            email=clean_email(sub.email),
            first_name=clean_name(sub.fields.get("name")),
            last_name=clean_name(sub.fields.get("last_name")),
            status=status,
            custom_fields=custom_fields(sub.fields, skip=_NAME_FIELDS),
            provider_created_at=provider_time(sub.created_at),
            provider_updated_at=provider_time(sub.updated_at),
        )
