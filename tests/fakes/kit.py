"""Fake Kit API v4: /v4/account and /v4/subscribers (``after`` cursor pages).

Auth is ``X-Kit-Api-Key``; errors are ``{"errors": [...]}``; any other route answers 404.
(docs/providers/kit.md says which of these pages were read.)

- Subscribers (https://developers.kit.com/api-reference/subscribers/list-subscribers): only
  active ones unless ``status`` says otherwise; ``per_page`` at most 1,000 (above: a 400);
  custom ``fields`` list every field of the account, null when unset, and the last name lives
  in the ``last_name`` field; ``created_at`` (ISO 8601, UTC) is the only timestamp.
- Throttling (``throttled``): 120 requests per 60 s per API key; the 429's body is the plain
  text ``Retry later``, not JSON, with no ``Retry-After`` and no rate-limit headers; "a wait of
  up to 60 seconds resets the limit" (https://developers.kit.com/api-reference/rate-limits).
"""

from __future__ import annotations

import hmac
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

__all__ = ["FakeKit", "fake_kit"]

_STATES = ("active", "inactive", "bounced", "complained", "cancelled")


class FakeKit(FakeEsp):
    provider = "kit"
    profile = Profile(
        statuses={
            "active": "subscribed",
            "inactive": "pending",
            "cancelled": "unsubscribed",
            "bounced": "bounced",
            "complained": "cleaned",
        },
        unsubscribed="cancelled",
        new_id=lambda seq, _email: str(16_000 + seq),
        custom_fields=("company", "score"),
        reports_updated=False,
    )
    default_limits = {"api": Limit(120, 60.0)}
    unauthorized_message = "The API key is invalid"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v4"

    def authorized(self, request: Request) -> bool:
        return hmac.compare_digest(request.headers.get("x-kit-api-key", ""), self.api_key)

    def error(self, status: int, message: str) -> Response:
        return Response(status, {"errors": [message]})

    def throttled(self, window: Window) -> Response:
        return Response(429, "Retry later", content_type="text/plain")

    def routes(self) -> list[Route]:
        return [
            (re.compile(r"/v4/account"), self.get_account),
            (re.compile(r"/v4/subscribers"), self.subscribers),
        ]

    def get_account(self, request: Request) -> Response:
        body = {
            "user": {"email": "owner@example.com"},
            "account": {
                "id": 31474,
                "name": "Fake Kit account",
                "plan_type": "creator",
                "primary_email_address": "owner@example.com",
                "created_at": "2023-02-17T11:43:55Z",
            },
        }
        return Response(200, body)

    def subscribers(self, request: Request) -> Response:
        per_page = self.int_param(request, "per_page", 500, 1000)
        status = request.param("status", "active")
        if status not in (*_STATES, "all"):
            return self.error(422, f"Status {status} is not valid")
        subscribers = [s for s in self.account.live() if status in ("all", s.status)]
        page, more = self.after_cursor(self.listed(subscribers), request.param("after"), per_page)
        pagination: dict[str, Any] = {
            "has_previous_page": bool(request.param("after")),
            "has_next_page": more,
            "start_cursor": self.cursor_of(page[0] if page else None),
            "end_cursor": self.cursor_of(page[-1] if page else None),
            "per_page": per_page,
        }
        if request.param("include_total_count") == "true":
            pagination["total_count"] = len(subscribers)
        return Response(
            200, {"subscribers": [self._subscriber(s) for s in page], "pagination": pagination}
        )

    def _subscriber(self, s: FakeSubscriber) -> dict[str, Any]:
        fields: dict[str, Any] = {"last_name": s.last_name}
        fields.update({name: s.custom_fields.get(name) for name in self.profile.custom_fields})
        return {
            "id": int(s.external_id),
            "first_name": s.first_name,
            "email_address": s.email,
            "state": s.status,
            "created_at": s.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "fields": fields,
        }


# ``with fake_kit(size=2500) as fake:`` runs one (see FakeEsp.running).
fake_kit = FakeKit.running
