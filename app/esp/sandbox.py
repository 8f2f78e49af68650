"""The demo audience of ``subnest dev``: a local stand-in for Mailchimp's API, so that "Sync now"
on the demo connection works on a machine with no Mailchimp account.

It answers the three requests the Mailchimp connector makes (``/ping``, the audience, its members
by count/offset pages, HTTP Basic with the sandbox key) for one audience, ``demo-list``, whose
members are the subscribers ``seed_demo`` wrote. Each complete listing moves the audience on a
little (a few sign-ups, status changes and departures), so every sync has something to show. It
is demo data for development only: ``subnest dev`` starts it unless ``ESP_MAILCHIMP_BASE_URL``
is set, and nothing else does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.seed import DEMO_LIST_ID, demo_member

__all__ = ["DemoAudience"]

SANDBOX_API_KEY = "sandbox-demo-key-us1"
_PREFIX = "/3.0"
# Per listing: this many new members, status changes and departures.
_JOINERS, _CHANGES, _LEAVERS = 25, 10, 5


class DemoAudience:
    """The sandbox server; ``start()`` serves it on a free port of 127.0.0.1 in a thread."""

    api_key = SANDBOX_API_KEY

    def __init__(self, seeded: int) -> None:
        self._seeded = seeded
        self._generation = 0  # complete listings begun
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{_PREFIX}"

    @property
    def credentials(self) -> dict[str, str]:
        return {"apiKey": self.api_key}

    def start(self) -> DemoAudience:
        audience = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = audience.answer(self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                kind = "application/json" if status == 200 else "application/problem+json"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the API's own log says what the sync did

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, name="demo-audience", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, path: str, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """(status, JSON body) for one GET, as Mailchimp would answer it."""
        expected = "Basic " + base64.b64encode(f"subnest:{self.api_key}".encode()).decode()
        if authorization != expected:
            return 401, _problem(401, "API Key Invalid", "Your API key may be invalid.")
        url = urlsplit(path)
        route = url.path.removeprefix(_PREFIX).rstrip("/")
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if route == "/ping":
            return 200, {"health_status": "Everything's Chimpy!"}
        if route == f"/lists/{DEMO_LIST_ID}":
            return 200, {"id": DEMO_LIST_ID}
        if route == f"/lists/{DEMO_LIST_ID}/members":
            try:
                count, offset = int(query.get("count", "10")), int(query.get("offset", "0"))
            except ValueError:
                return 400, _problem(400, "Invalid Resource", "count and offset are numbers")
            with self._lock:
                if offset == 0:
                    self._generation += 1  # a new listing: the audience moved on
                generation = self._generation
            members = self._members(generation)
            page = members[offset : offset + max(0, min(count, 1000))]
            return 200, {"members": page, "total_items": len(members)}
        return 404, _problem(404, "Resource Not Found", f"no resource at {url.path}")

    def _members(self, generation: int) -> list[dict[str, Any]]:
        """The audience as the ``generation``-th listing sees it."""
        left = set(range(1, 1 + _LEAVERS * generation))  # the oldest members leave first
        total = self._seeded + _JOINERS * generation
        members = []
        for n in range(1, total + 1):
            if n in left:
                continue
            member = demo_member(n)
            status: str = member.status
            # Each listing, another handful unsubscribe.
            if (n * 7919) % (self._seeded // _CHANGES or 1) < generation:
                status = "unsubscribed"
            assert member.provider_created_at is not None
            signed_up = member.provider_created_at.isoformat()
            members.append(
                {
                    # As Mailchimp: ``id`` is the MD5 of the lower-cased email, ``contact_id``
                    # the stable id the connector keys members by.
                    "id": hashlib.md5(
                        member.email.lower().encode(), usedforsecurity=False
                    ).hexdigest(),
                    "contact_id": member.external_id,
                    "email_address": member.email,
                    "status": status,
                    "timestamp_signup": signed_up,
                    "timestamp_opt": signed_up,
                    "last_changed": signed_up,
                    "merge_fields": {
                        "FNAME": member.first_name,
                        "LNAME": member.last_name,
                        **member.custom_fields,
                    },
                }
            )
        return members


def _problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}
