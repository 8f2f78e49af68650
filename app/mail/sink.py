"""A local SMTP server that keeps what it is sent (aiosmtpd): `subnest dev` runs one when
SMTP_HOST is unset, prints each caught mail and writes it where GET /dev/mail reads it; the
mail tests run one to catch what the worker sends."""

from __future__ import annotations

import json
import re
import socket
import threading
from dataclasses import asdict, dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

__all__ = ["CaughtMail", "MailSink", "read_caught"]

_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class CaughtMail:
    to: list[str]
    subject: str
    text: str
    links: list[str]


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        caught = CaughtMail(
            to=list(envelope.rcpt_tos),
            subject=str(parsed["Subject"] or ""),
            text=text,
            links=_LINK.findall(text),
        )
        self.sink.caught(caught)
        return "250 OK"


class MailSink:
    """``start()`` listens on 127.0.0.1 (a free port, or ``port``); ``stop()`` stops listening;
    start again to listen on the same port. ``messages``: what it caught, oldest first."""

    def __init__(self, *, echo: bool = False, path: Path | None = None, port: int = 0) -> None:
        self.echo = echo
        self.path = path
        self.port = port or _free_port()
        self.messages: list[CaughtMail] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> MailSink:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def caught(self, mail: CaughtMail) -> None:
        with self._lock:
            self.messages.append(mail)
            if self.path is not None:
                with self.path.open("a") as out:
                    out.write(json.dumps(asdict(mail)) + "\n")
        if self.echo:
            links = "".join(f"\n        {link}" for link in mail.links)
            print(f"  [mail] to {', '.join(mail.to)}: {mail.subject}{links}", flush=True)

    def to(self, address: str) -> list[CaughtMail]:
        """What was caught for ``address``."""
        with self._lock:
            return [m for m in self.messages if address in m.to]


def read_caught(path: Path, last: int = 50) -> list[CaughtMail]:
    """The last mails a sink wrote to ``path``, newest first."""
    if not path.exists():
        return []
    lines = path.read_text().splitlines()[-last:]
    return [CaughtMail(**json.loads(line)) for line in reversed(lines) if line.strip()]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
