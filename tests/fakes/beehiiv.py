"""Fake beehiiv API v2: /v2/publications/{id} and its /subscriptions (cursor pages of ≤ 100).

Auth is ``Authorization: Bearer``; errors are ``{"status", "statusText", "errors": [...]}``;
any other route answers 404. (docs/providers/beehiiv.md says which of these pages were read.)

- Subscriptions (https://developers.beehiiv.com/api-reference/subscriptions/index): ``limit``
  at most 100 (above: a 400); custom fields only with ``expand[]=custom_fields``; beehiiv has no
  name fields, so names are the "First Name" / "Last Name" custom fields; ``created`` (a Unix
  epoch time) is the only timestamp. Statuses include ``paused`` (the issue's list; not found
  on a beehiiv page we could read).
- Rate limit (``limit_headers``, ``throttled``): 180 requests per minute per organisation;
  every response carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset``,
  a Unix epoch time in seconds; the 429 has no ``Retry-After``
  (https://developers.beehiiv.com/welcome/rate-limiting).
"""

from __future__ import annotations

import hmac
import math
import re
import time
import uuid
from typing import Any

from tests.fakes.base import (
    FakeEsp,
    FakeSubscriber,
    Limit,
    Profile,
    Request,
    Response,
    Route,
    Window,
)

__all__ = ["FakeBeehiiv", "fake_beehiiv"]

_STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
}
_FIRST, _LAST = "First Name", "Last Name"


def _subscription_id(seq: int, _email: str) -> str:
    return f"sub_{uuid.uuid5(uuid.NAMESPACE_URL, f'fake-beehiiv/{seq}')}"


class FakeBeehiiv(FakeEsp):
    provider = "beehiiv"
    profile = Profile(
        statuses={
            "active": "subscribed",
            "inactive": "unsubscribed",
            "pending": "pending",
            "validating": "pending",
            "needs_attention": "pending",
            "invalid": "cleaned",
            "paused": "unsubscribed",
        },
        unsubscribed="inactive",
        new_id=_subscription_id,
        custom_fields=("Company", "Score"),
        reports_updated=False,
    )
    default_limits = {"api": Limit(180, 60.0)}
    unauthorized_message = "The API key provided is invalid or has been revoked"
    list_not_found_message = "Publication not found"
    default_list_id = "pub_00000000-0000-4000-8000-00000000fake"
    # A page without has_more and next_cursor (where the guide and the reference place them
    # differently, or an API change drops them): the connector must not take it as the end.
    cursorless = False

    @property
    def base_url(self) -> str:
        return f"{self.root}/v2"

    def authorized(self, request: Request) -> bool:
        return hmac.compare_digest(
            request.headers.get("authorization", ""), f"Bearer {self.api_key}"
        )

    def error(self, status: int, message: str) -> Response:
        code = _STATUS_TEXT.get(status, "Internal Server Error").lower().replace(" ", "_")
        body = {
            "status": status,
            "statusText": _STATUS_TEXT.get(status, "Internal Server Error"),
            "errors": [{"message": message, "code": code}],
        }
        return Response(status, body)

    def limit_headers(self, window: Window) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(window.limit),
            "RateLimit-Remaining": str(window.remaining),
            "RateLimit-Reset": str(math.ceil(time.time() + window.reset_in)),
        }

    def throttled(self, window: Window) -> Response:
        response = self.error(429, "Too many requests")
        response.headers.update(self.limit_headers(window))
        return response

    def routes(self) -> list[Route]:
        return [
            (re.compile(r"/v2/publications/(?P<pub>[^/]+)"), self.publication),
            (re.compile(r"/v2/publications/(?P<pub>[^/]+)/subscriptions"), self.subscriptions),
        ]

    def publication(self, request: Request, pub: str) -> Response:
        self.check_list(pub)
        return Response(
            200, {"data": {"id": pub, "name": "Fake newsletter", "created": 1666000000}}
        )

    def subscriptions(self, request: Request, pub: str) -> Response:
        self.check_list(pub)
        limit = self.int_param(request, "limit", 10, 100)
        status = request.param("status", "all")
        subscribers = [s for s in self.account.live() if status in ("all", s.status)]
        page, more = self.after_cursor(self.listed(subscribers), request.param("cursor"), limit)
        expand = request.query.get("expand[]", []) + request.query.get("expand", [])
        body: dict[str, Any] = {
            "data": [self._subscription(s, "custom_fields" in expand) for s in page],
            "limit": limit,
        }
        if not self.cursorless:
            body |= {"has_more": more, "next_cursor": self.cursor_of(page[-1]) if more else None}
        if request.param("include_total") == "true":
            body["total_results"] = len(subscribers)
        return Response(200, body)

    def _subscription(self, s: FakeSubscriber, custom: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": s.external_id,
            "email": s.email,
            "status": s.status,
            "created": int(s.created_at.timestamp()),
            "subscription_tier": "free",
            "utm_source": "",
            "utm_medium": "",
            "utm_channel": "",
            "utm_campaign": "",
            "referring_site": "",
            "referral_code": s.external_id[-8:],
        }
        if custom:
            values = {_FIRST: s.first_name, _LAST: s.last_name, **s.custom_fields}
            body["custom_fields"] = [
                {"name": name, "kind": "integer" if isinstance(v, int) else "string", "value": v}
                for name, v in values.items()
                if v is not None
            ]
        return body


# ``with fake_beehiiv(size=2500) as fake:`` runs one (see FakeEsp.running).
fake_beehiiv = FakeBeehiiv.running
