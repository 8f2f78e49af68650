"""Mailchimp Marketing API 3.0: the members of one audience, by count/offset pages of 1,000.

Auth is HTTP Basic (any user name, the API key as password) against the data centre named by
the key's suffix (``…-us21``). A member's id is its ``contact_id``: the member ``id`` is the
MD5 of its lower-cased email, so an email change would look like a departure and a sign-up;
the MD5 id goes along as ``legacy_id`` for rows an older version stored under it. Statuses:
subscribed, unsubscribed, pending and cleaned map to ours; ``transactional`` (never opted in to
marketing) and ``archived`` map to "unsubscribed", since neither may be sent a newsletter.
Names come from the FNAME / LNAME merge fields; the other merge fields are the custom fields.
Created is ``timestamp_signup`` (else ``timestamp_opt``), updated ``last_changed``.
"""

from __future__ import annotations

import base64
import re
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
    InvalidCredentials,
    NormalizedSubscriber,
    Page,
    RateLimit,
)

__all__ = ["MailchimpConnector", "data_centre"]

PAGE_SIZE = 1000  # Mailchimp's maximum ``count``
_DATA_CENTRE = re.compile(r"^[a-z]{2,}[0-9]+$")  # goes into a host name: nothing else passes
_NAME_FIELDS = ("FNAME", "LNAME")
_MEMBER_FIELDS = ",".join(
    [
        *(
            f"members.{name}"
            for name in (
                "id",
                "contact_id",
                "email_address",
                "status",
                "merge_fields",
                "timestamp_signup",
                "timestamp_opt",
                "last_changed",
            )
        ),
        "total_items",
    ]
)


class _Member(msgspec.Struct):
    id: str
    email_address: str
    status: str
    contact_id: str | None = None
    merge_fields: dict[str, Any] = msgspec.field(default_factory=dict)
    timestamp_signup: str | None = None
    timestamp_opt: str | None = None
    last_changed: str | None = None

    @property
    def key(self) -> str:
        """The stable id: ``contact_id`` (the MD5 ``id`` where a member has none)."""
        return self.contact_id or self.id


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
    # Mailchimp limits concurrent connections (10 per key), not requests per window, sends no
    # rate-limit headers and, at high volume, may throttle with a 403 and no JSON body (a 403
    # with its problem+json body is an auth refusal). It documents no reset window: 10 s is
    # ours (a connection slot frees as soon as another client's request ends).
    rate_limit = RateLimit(requests=None, window=0.0, reset_wait=10.0, bare_403_throttles=True)
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
            listed = ((m.key, self._normalize(m)) for m in body.members)
            yield self._page(listed, body.total_items)
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
            external_id=member.key,
            email=clean_email(member.email_address),
            first_name=clean_name(merge.get("FNAME")),
            last_name=clean_name(merge.get("LNAME")),
            status=status,
            custom_fields=custom_fields(merge, skip=_NAME_FIELDS),
            provider_created_at=provider_time(member.timestamp_signup)
            or provider_time(member.timestamp_opt),
            provider_updated_at=provider_time(member.last_changed),
            legacy_id=member.id if member.key != member.id else None,
        )
