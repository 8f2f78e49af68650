"""GET /dev/mail: the mails the `subnest dev` sink caught, newest first (development only)."""

from __future__ import annotations

import html
from pathlib import Path

from litestar import MediaType, get
from litestar.handlers import HTTPRouteHandler

from app.mail.sink import read_caught

__all__ = ["CAUGHT_FILE", "caught_path", "dev_mail_route"]

CAUGHT_FILE = "dev-mail.jsonl"  # in SUBNEST_DATA_DIR: the sink appends, this page reads


def dev_mail_route(path: Path) -> HTTPRouteHandler:
    """The page, reading what the sink wrote to ``path``. Mounted only when
    SUBNEST_ENV=development: elsewhere /dev/mail is a 404 like any unknown path."""

    @get("/dev/mail", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=True)
    def dev_mail() -> str:
        items = []
        for mail in read_caught(path):
            links = "".join(
                f'<li><a href="{html.escape(link)}">{html.escape(link)}</a></li>'
                for link in mail.links
            )
            items.append(
                f"<article><h2>{html.escape(mail.subject)}</h2>"
                f"<p>to {html.escape(', '.join(mail.to))}</p><ul>{links}</ul>"
                f"<pre>{html.escape(mail.text)}</pre></article>"
            )
        body = "".join(items) or "<p>No mail caught yet.</p>"
        return (
            "<!doctype html><html><head><meta charset=utf-8><title>Caught mail</title>"
            '<link rel="stylesheet" href="/static/style.css"></head><body><main>'
            "<h1>Mail caught by the development sink</h1>"
            f"<p>Newest first; reload to see more.</p>{body}</main></body></html>"
        )

    return dev_mail


def caught_path(data_path: Path) -> Path:
    """Where the development sink writes what it catches."""
    return data_path / CAUGHT_FILE
