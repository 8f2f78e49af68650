"""Fake MailerLite connect API: /api/subscribers, /api/groups/{id}/subscribers (cursors).

Auth is ``Authorization: Bearer``; errors are ``{"message": ..., "errors": {...}}``
(https://developers.mailerlite.com/getting-started, "Errors"). There is no
``GET /api/groups/{id}``: like every route not listed here, it answers 404.
(docs/providers/mailerlite.md says which of these pages were read.)

- Subscribers (https://developers.mailerlite.com/docs/subscribers.html): ``fields`` list every
  field of the account, null when unset; names are ``name`` / ``last_name``; ``limit`` 0 only
  counts; times are ``created_at``, ``updated_at`` and ``subscribed_at``, written
  ``YYYY-MM-DD HH:MM:SS`` (UTC). The documented default ``limit`` is 25; the maximum is not
  documented: the fake allows 1,000 (above: a 400).
- Rate limit (``limit_headers``, ``throttled``): 120 requests per minute; every response
  carries ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``; over the limit, a 429 with
  ``Retry-After`` in seconds (documented example: 119)
  (https://developers.mailerlite.com/getting-started, "Rate limits"). The 429's message is
  ours: the page shows none.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import re
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

__all__ = ["FakeMailerLite", "fake_mailerlite"]

_STATES = ("active", "unsubscribed", "unconfirmed", "bounced", "junk")
_DEFAULT_FIELDS = ("city", "country", "phone", "state", "z_i_p")


class FakeMailerLite(FakeEsp):
    provider = "mailerlite"
    profile = Profile(
        statuses={
            "active": "subscribed",
            "unsubscribed": "unsubscribed",
            "unconfirmed": "pending",
            "bounced": "bounced",
            "junk": "cleaned",
        },
        unsubscribed="unsubscribed",
        new_id=lambda seq, _email: str(31_986_843_064_000_000 + seq * 7919),
        custom_fields=("company", "score"),
        account_wide=True,
    )
    default_limits = {"api": Limit(120, 60.0)}
    unauthorized_message = "Unauthenticated."
    list_not_found_message = "Resource not found."
    default_list_id = "111222333"

    @property
    def base_url(self) -> str:
        return f"{self.root}/api"

    def authorized(self, request: Request) -> bool:
        return hmac.compare_digest(
            request.headers.get("authorization", ""), f"Bearer {self.api_key}"
        )

    def error(self, status: int, message: str) -> Response:
        return Response(status, {"message": message})

    def limit_headers(self, window: Window) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(window.remaining),
        }

    def throttled(self, window: Window) -> Response:
        response = self.error(429, "Too Many Attempts.")
        response.headers.update(
            {"Retry-After": str(math.ceil(window.reset_in)), **self.limit_headers(window)}
        )
        return response

    def routes(self) -> list[Route]:
        return [
            (re.compile(r"/api/subscribers"), self.subscribers),
            (re.compile(r"/api/groups/(?P<group>[^/]+)/subscribers"), self.group_subscribers),
        ]

    def subscribers(self, request: Request) -> Response:
        return self._listing(request, self.account.live(list_only=False))

    def group_subscribers(self, request: Request, group: str) -> Response:
        self.check_list(group)
        return self._listing(request, self.account.live())

    def _listing(self, request: Request, subscribers: list[FakeSubscriber]) -> Response:
        limit = self.int_param(request, "limit", 25, 1000)
        status = request.param("filter[status]")
        if status is not None and status not in _STATES:
            invalid = {"message": "The selected filter.status is invalid.", "errors": {}}
            return Response(422, invalid)
        subscribers = [s for s in subscribers if status in (None, s.status)]
        if limit == 0:  # MailerLite's documented way to count
            return Response(200, {"total": len(subscribers)})
        page, more = self.after_cursor(self.listed(subscribers), request.param("cursor"), limit)
        next_cursor = self.cursor_of(page[-1]) if more else None
        body: dict[str, Any] = {
            "data": [self._subscriber(s) for s in page],
            "links": {
                "first": None,
                "last": None,
                "prev": None,
                "next": f"{self.base_url}/subscribers?cursor={next_cursor}" if more else None,
            },
            "meta": {
                "path": f"{self.base_url}{request.path.removeprefix('/api')}",
                "per_page": limit,
                "next_cursor": next_cursor,
                "prev_cursor": None,
            },
        }
        return Response(200, body)

    def _subscriber(self, s: FakeSubscriber) -> dict[str, Any]:
        fields: dict[str, Any] = {"name": s.first_name, "last_name": s.last_name}
        fields.update(dict.fromkeys(_DEFAULT_FIELDS))
        fields.update({name: s.custom_fields.get(name) for name in self.profile.custom_fields})
        return {
            "id": s.external_id,
            "email": s.email,
            "status": s.status,
            "source": "api",
            "sent": 0,
            "opens_count": 0,
            "clicks_count": 0,
            "subscribed_at": _when(s.created_at),
            "unsubscribed_at": None,
            "created_at": _when(s.created_at),
            "updated_at": _when(s.updated_at),
            "fields": fields,
            "opted_in_at": None,
            "optin_ip": None,
        }


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


# ``with fake_mailerlite(size=2500) as fake:`` runs one (see FakeEsp.running).
fake_mailerlite = FakeMailerLite.running
