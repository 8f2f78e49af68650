"""Fake Brevo API v3: /v3/account, /v3/contacts, /v3/contacts/lists/{id}[/contacts].

Auth is the ``api-key`` header. Pages are limit/offset (≤ 1,000, ≤ 500 for a list) in
``sort`` order of creation (default desc, as Brevo). A contact's state is
``emailBlacklisted``; a 429 says when to retry in ``x-sib-ratelimit-reset`` only.
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from tests.fakes.base import FakeEsp, FakeSubscriber, Profile, Request, Response, Route

__all__ = ["FakeBrevo", "fake_brevo"]

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
    unauthorized_message = "Key not found"
    list_not_found_message = "List ID does not exist"

    def __init__(self, *, size: int = 100, seed: int = 0, list_id: str = "7") -> None:
        super().__init__(size=size, seed=seed, list_id=list_id)

    @property
    def base_url(self) -> str:
        return f"{self.root}/v3"

    def authorized(self, request: Request) -> bool:
        return hmac.compare_digest(request.headers.get("api-key", ""), self.api_key)

    def error(self, status: int, message: str) -> Response:
        return Response(status, {"code": _CODES.get(status, "internal_error"), "message": message})

    def rate_limit_headers(self) -> dict[str, str]:
        return {
            "x-sib-ratelimit-limit": "10",
            "x-sib-ratelimit-remaining": "0",
            "x-sib-ratelimit-reset": "1",
        }

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
            "createdAt": "2024-01-01T10:00:00.000+01:00",
            "modifiedAt": "2024-01-01T10:00:00.000+01:00",
            "listIds": [int(self.list_id)] if s.in_list else [],
            "listUnsubscribed": [],
            "attributes": {k: v for k, v in attributes.items() if v is not None},
        }


# ``with fake_brevo(size=2500) as fake:`` runs one (see FakeEsp.running).
fake_brevo = FakeBrevo.running
