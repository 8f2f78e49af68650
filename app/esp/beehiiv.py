"""beehiiv API v2: the subscriptions of one publication, by cursor pages of 100.

Auth is a Bearer API key. ``status=all`` and ``expand[]=custom_fields`` ask for every state and
the custom fields. active → subscribed, inactive (unsubscribed) → unsubscribed, pending
(awaiting double opt-in), validating and needs_attention (awaiting approval) → pending,
invalid → cleaned, paused (the reader paused their emails; not confirmed in beehiiv's docs) →
unsubscribed, since a paused reader is not to be sent a newsletter. A 429 carries
``RateLimit-Reset`` (a Unix epoch time) and no ``Retry-After``.

beehiiv has no name fields of its own: names come from custom fields called
``first_name`` / ``last_name`` (any case, spaces or underscores: "First Name" too); every other
custom field is kept under its name. ``created`` (a Unix epoch time) is its only timestamp.
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
    provider_time,
    segment,
)
from app.esp.connector import (
    EspEndpoints,
    NormalizedSubscriber,
    Page,
    ProviderError,
    RateLimit,
)

__all__ = ["BeehiivConnector"]

PAGE_SIZE = 100  # beehiiv's maximum ``limit``
_FIRST_NAMES = {"firstname"}
_LAST_NAMES = {"lastname", "surname"}


class _CustomField(msgspec.Struct):
    name: str | None = None
    kind: str | None = None
    value: Any = None


class _Subscription(msgspec.Struct):
    id: str
    email: str
    status: str
    created: int | None = None  # a Unix epoch time
    custom_fields: list[_CustomField] = msgspec.field(default_factory=list)


class _Pagination(msgspec.Struct):
    has_more: bool | None = None
    next_cursor: str | None = None
    total_results: int | None = None


class _Subscriptions(msgspec.Struct):
    data: list[_Subscription]
    # The API reference puts the cursor fields at the top level, the pagination guide in a
    # "pagination" object: both are read.
    has_more: bool | None = None
    next_cursor: str | None = None
    total_results: int | None = None
    pagination: _Pagination | None = None


class _Publication(msgspec.Struct):
    data: dict[str, Any]


def _name_key(name: str) -> str:
    return name.lower().replace(" ", "").replace("_", "")


class BeehiivConnector(BaseConnector):
    """One beehiiv publication (``list_id``)."""

    provider = "beehiiv"
    requires_list_id = True
    list_id_name = "publication id"
    # 180 requests per minute per organisation; every response counts what is left and when
    # the window resets (a Unix epoch time).
    rate_limit = RateLimit(
        requests=180,
        window=60.0,
        reset_wait=60.0,
        reset_header="RateLimit-Reset",
        remaining_header="RateLimit-Remaining",
    )
    statuses = {
        "active": "subscribed",
        "inactive": "unsubscribed",
        "pending": "pending",
        "validating": "pending",
        "needs_attention": "pending",
        "invalid": "cleaned",
        "paused": "unsubscribed",
    }

    def _base_url(self, endpoints: EspEndpoints, api_key: str) -> str:
        return endpoints.beehiiv

    def _auth_headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_key}"}

    @staticmethod
    def _error_message(body: Any) -> str | None:
        # {"status": 401, "statusText": "...", "errors": [{"message": "...", "code": "..."}]}
        if not isinstance(body, dict):
            return None
        errors = body.get("errors")
        if isinstance(errors, list):
            messages = [e.get("message") for e in errors if isinstance(e, dict)]
            text = "; ".join(m for m in messages if isinstance(m, str) and m)
            if text:
                return text
        status_text = body.get("statusText")
        return status_text if isinstance(status_text, str) and status_text else None

    async def verify(self) -> None:
        await self._get_list(f"/publications/{segment(self._publication)}", _Publication)

    async def pages(self) -> AsyncIterator[Page]:
        path = f"/publications/{segment(self._publication)}/subscriptions"
        params: dict[str, str | int] = {
            "limit": PAGE_SIZE,
            "status": "all",
            "expand[]": "custom_fields",
        }
        while True:
            body = await self._get(path, _Subscriptions, params)
            nested = body.pagination or _Pagination()
            has_more = body.has_more if body.has_more is not None else nested.has_more
            cursor = body.next_cursor or nested.next_cursor
            total = body.total_results if body.total_results is not None else nested.total_results
            if has_more is None and cursor is None and len(body.data) >= PAGE_SIZE:
                # A full page that says nothing of the next: ending here would take the rest of
                # the list for deleted.
                raise ProviderError(
                    self.provider, "a full page of subscriptions without has_more or next_cursor"
                )
            yield self._page(((s.id, self._normalize(s)) for s in body.data), total)
            if not has_more or not cursor:
                return
            params = {**params, "cursor": cursor}

    @property
    def _publication(self) -> str:
        assert self.list_id is not None  # make_connector requires it
        return self.list_id

    def _normalize(self, sub: _Subscription) -> NormalizedSubscriber | None:
        status = self._status(sub.status)
        if status is None:
            return None
        fields = {f.name: f.value for f in sub.custom_fields if f.name}
        first = next((n for n in fields if _name_key(n) in _FIRST_NAMES), None)
        last = next((n for n in fields if _name_key(n) in _LAST_NAMES), None)
        return NormalizedSubscriber(
            external_id=sub.id,
            email=clean_email(sub.email),
            first_name=clean_name(fields.get(first)) if first else None,
            last_name=clean_name(fields.get(last)) if last else None,
            status=status,
            custom_fields=custom_fields(fields, skip=[n for n in (first, last) if n]),
            provider_created_at=provider_time(sub.created),
        )
