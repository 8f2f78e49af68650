"""Fake Brevo API v3: /v3/account, /v3/contacts, /v3/contacts/lists/{id}[/contacts].

Auth is the ``api-key`` header; errors are ``{"code", "message"}`` (the shape the connector
has always read); any other route answers 404. Pages cited and read: api-limits and
limit-headers; the contacts reference is cited where it lives (docs/providers/brevo.md says
what is confirmed).

- Contacts (https://developers.brevo.com/reference/get-contacts): limit/offset pages (``limit``
  at most 1,000, 500 for a list; above: a 400) in ``sort`` order of creation (default desc, as
  Brevo). A contact's state is ``emailBlacklisted``; times are ``createdAt`` and
  ``modifiedAt`` (ISO 8601 with an offset).
- Rate limits (``bucket``, ``limit_headers``, ``throttled``): per endpoint; every endpoint
  under /v3/contacts allows 10 requests a second, /v3/account falls in the 100-an-hour bucket
  of unlisted endpoints (https://developers.brevo.com/docs/api-limits). Every response carries
  ``x-sib-ratelimit-limit``, ``-remaining`` and ``-reset`` (seconds to the reset); over the
  limit, a 429 with those and no ``Retry-After`` (https://developers.brevo.com/docs/limit-headers).
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

__all__ = ["FakeBrevo", "fake_brevo"]

_OFFSET = dt.timezone(dt.timedelta(hours=1))
_CODES = {
    400: "invalid_parameter",
    401: "unauthorized",
    404: "document_not_found",
    405: "method_not_allowed",
    429: "too_many_requests",
}


class FakeBrevo(FakeEsp):
    provider = "brevo"
    profile = Profile(
        statuses={"subscribed": "subscribed", "blacklisted": "unsubscribed"},
        unsubscribed="blacklisted",
        new_id=lambda seq, _email: str(seq),
        custom_fields=("COMPANY", "SCORE"),
        account_wide=True,
    )
    default_limits = {"contacts": Limit(10, 1.0), "account": Limit(100, 3600.0)}
    unauthorized_message = "Key not found"
    list_not_found_message = "List ID does not exist"
    default_list_id = "7"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v3"

    def authorized(self, request: Request) -> bool:
        return hmac.compare_digest(request.headers.get("api-key", ""), self.api_key)

    def error(self, status: int, message: str) -> Response:
        return Response(status, {"code": _CODES.get(status, "internal_error"), "message": message})

    def bucket(self, request: Request) -> str | None:
        if request.path == "/v3/account":
            return "account"
        return "contacts" if request.path.startswith("/v3/contacts") else None

    def limit_headers(self, window: Window) -> dict[str, str]:
        return {
            "x-sib-ratelimit-limit": str(window.limit),
            "x-sib-ratelimit-remaining": str(window.remaining),
            "x-sib-ratelimit-reset": str(math.ceil(window.reset_in)),
        }

    def throttled(self, window: Window) -> Response:
        response = self.error(429, "Too many requests in a short period of time")
        response.headers.update(self.limit_headers(window))
        return response

    def routes(self) -> list[Route]:
        return [
            (re.compile(r"/v3/account"), self.get_account),
            (re.compile(r"/v3/contacts"), self.contacts),
            (re.compile(r"/v3/contacts/lists/(?P<list_id>[^/]+)"), self.get_list),
            (re.compile(r"/v3/contacts/lists/(?P<list_id>[^/]+)/contacts"), self.list_contacts),
        ]

    def get_account(self, request: Request) -> Response:
        body = {
            "email": "owner@example.com",
            "firstName": "Owner",
            "lastName": "Example",
            "companyName": "Fake Brevo account",
            "plan": [{"type": "free", "credits": 300, "creditsType": "sendLimit"}],
        }
        return Response(200, body)

    def contacts(self, request: Request) -> Response:
        return self._page(request, self.account.live(list_only=False), 1000)

    def get_list(self, request: Request, list_id: str) -> Response:
        self.check_list(list_id)
        count = len(self.account.live())
        return Response(200, {"id": int(list_id), "name": "Fake list", "uniqueSubscribers": count})

    def list_contacts(self, request: Request, list_id: str) -> Response:
        self.check_list(list_id)
        return self._page(request, self.account.live(), 500)

    def _page(self, request: Request, contacts: list[FakeSubscriber], maximum: int) -> Response:
        limit = self.int_param(request, "limit", 50, maximum)
        offset = self.int_param(request, "offset", 0, 10**9)
        sort = request.param("sort", "desc")
        if sort not in ("asc", "desc"):
            return self.error(400, "sort must be asc or desc")
        if sort == "desc":
            contacts = contacts[::-1]
        page = self.listed(contacts)[offset : offset + limit]
        return Response(200, {"contacts": [self._contact(c) for c in page], "count": len(contacts)})

    def _contact(self, s: FakeSubscriber) -> dict[str, Any]:
        attributes: dict[str, Any] = {"FIRSTNAME": s.first_name, "LASTNAME": s.last_name}
        attributes.update(s.custom_fields)
        return {
            "email": s.email,
            "id": int(s.external_id),
            "emailBlacklisted": s.status == "blacklisted",
            "smsBlacklisted": False,
            "createdAt": _when(s.created_at),
            "modifiedAt": _when(s.updated_at),
            "listIds": [int(self.list_id)] if s.in_list else [],
            "listUnsubscribed": [],
            "attributes": {k: v for k, v in attributes.items() if v is not None},
        }


def _when(moment: dt.datetime) -> str:
    """Brevo's form: milliseconds and the account's offset (here +01:00)."""
    return moment.astimezone(_OFFSET).isoformat(timespec="milliseconds")


# ``with fake_brevo(size=2500) as fake:`` runs one (see FakeEsp.running).
fake_brevo = FakeBrevo.running
