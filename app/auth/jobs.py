"""Scheduled upkeep of identity data."""

from __future__ import annotations

import datetime as dt

from app.jobs import JobContext
from tables import Session

__all__ = ["purge_expired_sessions"]

EXPIRED_SESSION_RETENTION = dt.timedelta(days=1)


async def purge_expired_sessions(ctx: JobContext) -> int:
    """Delete sessions that expired more than a day ago; return how many went."""
    cutoff = dt.datetime.now(dt.UTC) - EXPIRED_SESSION_RETENTION
    async with ctx["runtime"].db.transaction():
        deleted = await Session.delete().where(Session.expires_at < cutoff).returning(Session.id)
    return len(deleted)
