"""The worker's side of the outbox: every second, send what is due; retry with backoff."""

from __future__ import annotations

import logging
import uuid
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import msgspec

from app.config import Settings
from app.credentials import CredentialsUnreadable, Sealed
from app.db import error_text
from app.jobs import JobContext
from app.mail.messages import render
from app.runtime import Runtime

__all__ = ["send_mails"]

log = logging.getLogger(__name__)

# Due mails are claimed by moving their next attempt to the backoff of this attempt: a worker
# that dies mid-send leaves them to be retried then, by any worker.
_CLAIM = """
UPDATE mails SET attempts = attempts + 1,
    next_attempt_at = now() + make_interval(secs => least(3600, $2 * power(2, attempts)))
WHERE id IN (
    SELECT id FROM mails WHERE status = 'pending' AND next_attempt_at <= now()
    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
)
RETURNING id, kind, to_address, data, sealed, key_id, attempts
"""
_SENT = (
    "UPDATE mails SET status = 'sent', sent_at = now(), sealed = NULL, key_id = NULL, "
    "last_error = NULL WHERE id = ANY($1::uuid[])"
)
_FAILED = (
    "UPDATE mails SET last_error = $2, "
    "status = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END, "
    "sealed = CASE WHEN attempts >= $3 THEN NULL ELSE sealed END WHERE id = $1"
)
_warned_unset = False


def _smtp(settings: Settings) -> aiosmtplib.SMTP:
    password = settings.smtp_password.reveal() if settings.smtp_password else None
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=settings.smtp_tls == "tls",
        start_tls=settings.smtp_tls == "starttls",
        timeout=settings.smtp_timeout_seconds,
        username=settings.smtp_username,
        password=password,
    )


def _message(runtime: Runtime, row: Any) -> EmailMessage:
    token = None
    if row["sealed"] is not None:
        opened = runtime.cipher.open(
            row["id"], Sealed(ciphertext=bytes(row["sealed"]), key_id=row["key_id"])
        )  # opening also blanks the token out of this process's log lines
        token = opened["token"]
    settings = runtime.settings
    return render(
        row["kind"],
        msgspec.json.decode(row["data"]),
        token,
        base=settings.link_base,
        sender=settings.mail_from,
        to=row["to_address"],
    )


async def send_mails(ctx: JobContext) -> int:
    """Every second (cron): send the due mails of the outbox over one SMTP connection; a mail
    that fails is tried again after MAIL_RETRY_BASE_SECONDS * 2^attempt (at most an hour), up to
    MAIL_MAX_ATTEMPTS. How many were sent."""
    global _warned_unset
    runtime = ctx["runtime"]
    settings = runtime.settings
    if settings.smtp_host is None:
        if not _warned_unset:
            async with runtime.db.maintenance() as conn:
                waiting = await conn.fetchval("SELECT count(*) FROM mails WHERE status = 'pending'")
            if waiting:
                log.warning("SMTP_HOST is unset: %d mails wait in the outbox until it is", waiting)
                _warned_unset = True
        return 0
    async with runtime.db.maintenance() as conn, conn.transaction():
        rows = await conn.fetch(_CLAIM, settings.mail_batch, settings.mail_retry_base_seconds)
    if not rows:
        return 0
    sent: list[uuid.UUID] = []
    failed: list[tuple[uuid.UUID, str]] = []
    try:
        async with _smtp(settings) as smtp:
            for row in rows:
                try:
                    await smtp.send_message(_message(runtime, row))
                    sent.append(row["id"])
                except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as exc:
                    failed.append((row["id"], f"{type(exc).__name__}: {exc}"))
                except CredentialsUnreadable as exc:
                    failed.append((row["id"], f"unreadable: {exc}"))
    except (aiosmtplib.SMTPException, OSError) as exc:
        done = {*sent, *(mail for mail, _ in failed)}
        failed += [
            (row["id"], f"{type(exc).__name__}: {exc}") for row in rows if row["id"] not in done
        ]
    async with runtime.db.maintenance() as conn, conn.transaction():
        if sent:
            await conn.execute(_SENT, sent)
        for mail_id, error in failed:
            await conn.execute(_FAILED, mail_id, error_text(error), settings.mail_max_attempts)
    if failed:
        log.warning(
            "mail: %d sent, %d to retry or given up (%s)", len(sent), len(failed), failed[0][1]
        )
    return len(sent)
