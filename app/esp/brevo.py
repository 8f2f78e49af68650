"""Brevo (formerly Sendinblue) API v3: the contacts of the account or of one list.

Auth is the ``api-key`` header. Pages are limit/offset in ascending creation order (so
contacts added meanwhile land at the end): 1,000 for all contacts, 500 for a list. A contact
has no status field: ``emailBlacklisted`` (unsubscribed from all email) or the list among
``listUnsubscribed`` → unsubscribed, otherwise subscribed. Brevo does not report bounces on
contacts. Names are the FIRSTNAME / LASTNAME attributes (PRENOM / NOM in French accounts); the
other attributes are custom. Contacts without an email (SMS-only) are skipped. A 429 says when
to retry in ``x-sib-ratelimit-reset``. ``createdAt`` / ``modifiedAt`` are the timestamps.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
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

__all__ = ["BrevoConnector"]

PAGE_SIZE = 1000  # GET /contacts maximum
LIST_PAGE_SIZE = 500  # GET /contacts/lists/{id}/contacts maximum
_FIRST_NAMES = ("FIRSTNAME", "PRENOM")
_LAST_NAMES = ("LASTNAME", "NOM")


class _Contact(msgspec.Struct):
    id: int | str
    email: str | None = None
    email_blacklisted: bool = msgspec.field(default=False, name="emailBlacklisted")
    list_unsubscribed: list[int] = msgspec.field(default_factory=list, name="listUnsubscribed")
    attributes: dict[str, Any] = msgspec.field(default_factory=dict)
    created_at: str | None = msgspec.field(default=None, name="createdAt")
    modified_at: str | None = msgspec.field(default=None, name="modifiedAt")


class _Contacts(msgspec.Struct):
    contacts: list[_Contact] = msgspec.field(default_factory=list)
    count: int | None = None


class _Any(msgspec.Struct):
    pass


class BrevoConnector(BaseConnector):
    """All contacts of one Brevo account, or of one list (``list_id``, a number)."""

    provider = "brevo"
    list_id_pattern = re.compile(r"[0-9]+")
    # Buckets per endpoint: everything under /v3/contacts (all this connector asks) allows 10
    # requests a second; every response counts what is left and the seconds to the reset.
    rate_limit = RateLimit(
        requests=10,
        window=1.0,
        reset_wait=1.0,
        reset_header="x-sib-ratelimit-reset",
        remaining_header="x-sib-ratelimit-remaining",
    )

    def _base_url(self, endpoints: EspEndpoints, api_key: str) -> str:
        return endpoints.brevo

    def _auth_headers(self, api_key: str) -> dict[str, str]:
        return {"api-key": api_key, "Accept": "application/json"}

    # {"code": "unauthorized", "message": "Key not found"}
    _error_message = staticmethod(message_field)

    async def verify(self) -> None:
        # /contacts, not /account: that one counts in the 100-an-hour bucket.
        await self._get("/contacts", _Any, {"limit": 1})
        if self.list_id:
            await self._get_list(f"/contacts/lists/{segment(self.list_id)}", _Any)

    async def pages(self) -> AsyncIterator[Page]:
        if self.list_id:
            path, size = f"/contacts/lists/{segment(self.list_id)}/contacts", LIST_PAGE_SIZE
        else:
            path, size = "/contacts", PAGE_SIZE
        offset = 0
        while True:
            body = await self._get(
                path, _Contacts, {"limit": size, "offset": offset, "sort": "asc"}
            )
            # A contact without an email (SMS only) is listed and counted in ``count`` but not
            # synced: skipped, so the listing still adds up to the provider's total.
            listed = ((c.id, self._normalize(c) if c.email else None) for c in body.contacts)
            yield self._page(listed, body.count)
            offset += len(body.contacts)
            if len(body.contacts) < size or (body.count is not None and offset >= body.count):
                return

    def _normalize(self, contact: _Contact) -> NormalizedSubscriber:
        assert contact.email is not None  # pages() skips contacts without one
        attributes = contact.attributes
        unsubscribed = contact.email_blacklisted or (
            self.list_id is not None and int(self.list_id) in contact.list_unsubscribed
        )
        return NormalizedSubscriber(
            external_id=str(contact.id),
            email=clean_email(contact.email),
            first_name=_first_name(attributes, _FIRST_NAMES),
            last_name=_first_name(attributes, _LAST_NAMES),
            status="unsubscribed" if unsubscribed else "subscribed",
            custom_fields=custom_fields(attributes, skip=_FIRST_NAMES + _LAST_NAMES),
            provider_created_at=provider_time(contact.created_at),
            provider_updated_at=provider_time(contact.modified_at),
        )


def _first_name(attributes: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first non-empty name among the ``keys`` attributes."""
    for key in keys:
        name = clean_name(attributes.get(key))
        if name:
            return name
    return None
