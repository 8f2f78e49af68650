"""The team tier's idempotency store (rpc.idempotency): a team's keys in ``idempotency_keys``,
claimed and answered in the call's own unit of work, so a key commits with its write."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol

from app.auth.service import SessionUser
from app.work import Work
from rpc import Answer, Claim, Kept

__all__ = ["RETENTION", "TeamKeys", "TeamWork"]

# How long a key replays its answer; the worker purges older ones (app/idempotency/jobs.py).
RETENTION = dt.timedelta(hours=24)

# A key past RETENTION that the purge has not reached yet is claimed anew. A live one locks
# its row (and so waits for a call still holding it) and returns nothing.
_CLAIM = """
INSERT INTO idempotency_keys (team_id, key, caller, procedure, fingerprint)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (team_id, key) DO UPDATE
    SET caller = EXCLUDED.caller, procedure = EXCLUDED.procedure,
        fingerprint = EXCLUDED.fingerprint, status = NULL, answer = NULL, created_at = now()
    WHERE idempotency_keys.created_at < now() - $6::interval
RETURNING id
"""
_KEPT = (
    "SELECT caller, procedure, fingerprint, status, answer FROM idempotency_keys "
    "WHERE team_id = $1 AND key = $2"
)
_KEEP = "UPDATE idempotency_keys SET status = $3, answer = $4 WHERE team_id = $1 AND key = $2"


class TeamWork(Protocol):
    """What the store reads of a team call's context (app.auth.tiers.TeamContext)."""

    @property
    def work(self) -> Work: ...

    @property
    def team_id(self) -> uuid.UUID: ...

    @property
    def session(self) -> SessionUser | None: ...

    @property
    def api_key_id(self) -> uuid.UUID | None: ...


def _caller(ctx: TeamWork) -> str:
    """Who makes the call: a member (whichever of their sessions) or an API key."""
    if ctx.session is not None:
        return f"user:{ctx.session.user.id}"
    return f"key:{ctx.api_key_id}"


class TeamKeys:
    """Each team's keys its own: the same key in two teams names two calls. Within a team a
    key is unique; its answer is replayed only to the caller who made the call."""

    async def claim(self, ctx: TeamWork, claim: Claim) -> Kept | None:
        conn = ctx.work.conn
        args = (ctx.team_id, claim.key)
        caller = _caller(ctx)
        # Twice at most: a key the purge deletes between the two statements is claimed anew.
        for _ in range(2):
            claimed = await conn.fetchval(
                _CLAIM, *args, caller, claim.procedure, claim.fingerprint, RETENTION
            )
            if claimed:
                return None
            row = await conn.fetchrow(_KEPT, *args)
            if row is not None:
                answer = Answer(status=row["status"], body=bytes(row["answer"]))
                same = row["caller"] == caller
                return Kept(row["procedure"], bytes(row["fingerprint"]), answer, same)
        raise RuntimeError(f"idempotency key {claim.key!r} neither claimed nor kept")

    async def keep(self, ctx: TeamWork, claim: Claim, answer: Answer) -> None:
        await ctx.work.conn.execute(_KEEP, ctx.team_id, claim.key, answer.status, answer.body)
