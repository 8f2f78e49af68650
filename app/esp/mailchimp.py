"""Mailchimp Marketing API 3.0: the members of one audience, by count/offset pages of 1,000.

Auth is HTTP Basic (any user name, the API key as password) against the data centre named by
the key's suffix (``…-us21``). Statuses: subscribed, unsubscribed, pending and cleaned map to
ours; ``transactional`` (never opted in to marketing) and ``archived`` map to "unsubscribed",
since neither may be sent a newsletter. Names come from the FNAME / LNAME merge fields; the
other merge fields are the custom fields.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from typing import Any

import msgspec

from app.esp.base import BaseConnector, clean_email, clean_name, custom_fields, segment
from app.esp.connector import (
    EspEndpoints,
    InvalidCredentials,
    NormalizedSubscriber,
    Page,
)

__all__ = ["MailchimpConnector", "data_centre"]

PAGE_SIZE = 1000  # Mailchimp's maximum ``count``
_DATA_CENTRE = re.compile(r"^[a-z]{2,}[0-9]+$")  # goes into a host name: nothing else passes
_NAME_FIELDS = ("FNAME", "LNAME")
_MEMBER_FIELDS = "members.id,members.email_address,members.status,members.merge_fields,total_items"


class _Member(msgspec.Struct):
    id: str
    email_address: str
    status: str
    merge_fields: dict[str, Any] = msgspec.field(default_factory=dict)


class _Members(msgspec.Struct):
    members: list[_Member]
    total_items: int | None = None


class _Any(msgspec.Struct):
    pass


def data_centre(api_key: str) -> str | None:
    """``us21`` for a key ``…-us21``; None when the key has no valid suffix."""
    _, sep, dc = api_key.rpartition("-")
    return dc if sep and _DATA_CENTRE.match(dc) else None


class MailchimpConnector(BaseConnector):
    """One Mailchimp audience (``list_id``)."""

    provider = "mailchimp"
    requires_list_id = True
    list_id_name = "audience id"
    # At high volume Mailchimp may throttle with a 403 and no JSON body (a 403 with its
    # problem+json body is an auth refusal).
    bare_403_throttles = True
    statuses = {
        "subscribed": "subscribed",
        "unsubscribed": "unsubscribed",
        "pending": "pending",
        "cleaned": "cleaned",
        "transactional": "unsubscribed",
        "archived": "unsubscribed",
    }

    def _base_url(self, endpoints: EspEndpoints, api_key: str) -> str:
        dc = data_centre(api_key)
        if dc is None:
            raise InvalidCredentials(
                self.provider, "a Mailchimp API key ends in its data centre, like '-us21'"
            )
        return endpoints.mailchimp.replace("{dc}", dc)

    def _auth_headers(self, api_key: str) -> dict[str, str]:
        token = base64.b64encode(f"subnest:{api_key}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    @staticmethod
    def _error_message(body: Any) -> str | None:
        # problem+json: {"type", "title", "status", "detail", "instance"}
        if not isinstance(body, dict):
            return None
        parts = [body.get("title"), body.get("detail")]
        return ": ".join(p for p in parts if isinstance(p, str) and p) or None

    async def verify(self) -> None:
        await self._get("/ping", _Any)
        await self._get_list(f"/lists/{segment(self._list)}", _Any, {"fields": "id"})

    async def pages(self) -> AsyncIterator[Page]:
        offset = 0
        while True:
            body = await self._get(
                f"/lists/{segment(self._list)}/members",
                _Members,
                {"count": PAGE_SIZE, "offset": offset, "fields": _MEMBER_FIELDS},
            )
            yield self._page(((m.id, self._normalize(m)) for m in body.members), body.total_items)
            offset += len(body.members)
            if len(body.members) < PAGE_SIZE or (
                body.total_items is not None and offset >= body.total_items
            ):
                return

    @property
    def _list(self) -> str:
        assert self.list_id is not None  # make_connector requires it
        return self.list_id

    def _normalize(self, member: _Member) -> NormalizedSubscriber | None:
        status = self._status(member.status)
        if status is None:
            return None
        merge = member.merge_fields
        return NormalizedSubscriber(
            external_id=member.id,
            email=clean_email(member.email_address),
            first_name=clean_name(merge.get("FNAME")),
            last_name=clean_name(merge.get("LNAME")),
            status=status,
            custom_fields=custom_fields(merge, skip=_NAME_FIELDS),
        )
