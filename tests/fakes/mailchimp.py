"""Fake Mailchimp Marketing API 3.0: /ping, /lists/{id}, /lists/{id}/members (count/offset).

Basic auth with the key as password; the data centre is the first path segment and must be
the key's suffix, as the host name must be at Mailchimp. Errors are problem+json
(https://mailchimp.com/developer/marketing/docs/errors/). Any other route answers 404.
(docs/providers/mailchimp.md says which of these pages were read.)

- Members (https://mailchimp.com/developer/marketing/api/list-members/list-members-info/):
  ``count`` at most 1,000 (above: a 400 problem), ``offset``; a member's ``id`` is the MD5 of
  its lower-cased email (so it changes with the email), ``contact_id`` is stable; times are
  ``timestamp_signup`` (may be empty), ``timestamp_opt`` and ``last_changed`` (ISO 8601).
- Throttling (``throttled``): Mailchimp limits concurrency, 10 simultaneous connections per
  key (``max_concurrent``), with no request quota, no rate-limit headers and no
  ``Retry-After``; at high volume it may answer a 403 with no JSON body instead of a 429
  (https://mailchimp.com/developer/marketing/docs/fundamentals/, "Throttling", as summarised
  in api-evangelist/mailchimp rate-limits/mailchimp-rate-limits.yml; the bare 403 is confirmed
  there only, not on a Mailchimp page we could read). The fake's is an HTML page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from typing import Any

from tests.fakes.base import (
    FakeEsp,
    FakeSubscriber,
    Profile,
    Request,
    Response,
    Route,
    Window,
)

__all__ = ["FakeMailchimp", "fake_mailchimp", "member_id"]

_TITLES = {
    400: "Invalid Resource",
    401: "API Key Invalid",
    403: "Forbidden",
    404: "Resource Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
}


def member_id(email: str) -> str:
    """Mailchimp's member id: the MD5 of the lower-cased email."""
    return hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()


def _contact_id(seq: int, _email: str) -> str:
    return hashlib.sha1(f"fake-contact/{seq}".encode(), usedforsecurity=False).hexdigest()[:24]


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()  # 2023-01-01T05:00:00+00:00, as Mailchimp writes them


class FakeMailchimp(FakeEsp):
    provider = "mailchimp"
    profile = Profile(
        statuses={
            "subscribed": "subscribed",
            "unsubscribed": "unsubscribed",
            "cleaned": "cleaned",
            "pending": "pending",
            "transactional": "unsubscribed",
        },
        unsubscribed="unsubscribed",
        new_id=_contact_id,
        custom_fields=("COMPANY", "SCORE"),
        unset_value="",  # Mailchimp reports unset merge fields as ""
        legacy_id=member_id,
    )
    max_concurrent = 10
    unauthorized_message = (
        "Your API key may be invalid, or you've attempted to access the wrong datacenter."
    )
    list_not_found_message = "The requested resource could not be found."
    data_centre = "us21"
    default_list_id = "a1b2c3d4e5"

    @classmethod
    def make_key(cls, seed: int) -> str:
        return f"{super().make_key(seed)}-{cls.data_centre}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/{{dc}}/3.0"

    @property
    def wrong_key(self) -> str:
        return f"0000wrong0000-{self.data_centre}"

    def authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            _, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        data_centre = request.path.split("/")[1]
        return password == self.api_key and data_centre == self.data_centre

    def error(self, status: int, message: str) -> Response:
        body = {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": _TITLES.get(status, "Internal Server Error"),
            "status": status,
            "detail": message,
            "instance": "5f3b2c8e-8d2a-4e8b-9a57-0c1e2d3f4a5b",
        }
        return Response(status, body, content_type="application/problem+json")

    def throttled(self, window: Window) -> Response:
        page = "<html><head><title>403 Forbidden</title></head><body>Forbidden</body></html>"
        return Response(403, page, content_type="text/html")

    def routes(self) -> list[Route]:
        return [
            (re.compile(r"/[^/]+/3\.0/ping"), self.ping),
            (re.compile(r"/[^/]+/3\.0/lists/(?P<list_id>[^/]+)"), self.get_list),
            (re.compile(r"/[^/]+/3\.0/lists/(?P<list_id>[^/]+)/members"), self.members),
        ]

    def ping(self, request: Request) -> Response:
        return Response(200, {"health_status": "Everything's Chimpy!"})

    def get_list(self, request: Request, list_id: str) -> Response:
        self.check_list(list_id)
        count = len(self.account.live())
        return Response(
            200, {"id": list_id, "name": "Fake audience", "stats": {"member_count": count}}
        )

    def members(self, request: Request, list_id: str) -> Response:
        self.check_list(list_id)
        count = self.int_param(request, "count", 10, 1000)
        offset = self.int_param(request, "offset", 0, 10**9)
        subscribers = self.account.live()
        status = request.param("status")
        if status:
            subscribers = [s for s in subscribers if s.status == status]
        page = self.listed(subscribers)[offset : offset + count]
        body = {
            "members": [self._member(s) for s in page],
            "list_id": list_id,
            "total_items": len(subscribers),
            "_links": [],
        }
        return Response(200, body)

    def _member(self, s: FakeSubscriber) -> dict[str, Any]:
        merge: dict[str, Any] = {"FNAME": s.first_name or "", "LNAME": s.last_name or ""}
        for name in self.profile.custom_fields:
            merge[name] = s.custom_fields.get(name, "")
        return {
            "id": member_id(s.email),
            "contact_id": s.external_id,
            "email_address": s.email,
            "unique_email_id": s.external_id[:10],
            "status": s.status,
            "merge_fields": merge,
            "timestamp_signup": "" if s.seq % 3 == 0 else _iso(s.created_at),  # often unset
            "timestamp_opt": _iso(s.created_at),
            "last_changed": _iso(s.updated_at),
            "list_id": self.list_id,
        }


# ``with fake_mailchimp(size=2500) as fake:`` runs one (see FakeEsp.running).
fake_mailchimp = FakeMailchimp.running
