"""sync.pull: delta-sync for local replicas."""

from __future__ import annotations

from app.auth.tiers import TEAM, TeamContext
from app.feed.errors import MustRefetch
from app.feed.schemas import PullInput, PullOut
from app.feed.service import FeedService
from rpc import Registry

__all__ = ["procedures"]

procedures = Registry()


@procedures.procedure("sync.pull", tier=TEAM, scope="read", errors=(MustRefetch,))
async def pull(ctx: TeamContext, data: PullInput) -> PullOut:
    """The team's changes after ``cursor`` (from the start without one), oldest first.

    Upsert changes by ``id``; ``op: "delete"`` is a tombstone. Continue from the answer's
    ``cursor`` while ``hasMore``; a 409 MUST_REFETCH means: start again without a cursor.
    With ``filter``, only that subset: a row that leaves it arrives as ``op: "delete"``; keep
    one cursor per filter.
    """
    return await FeedService(ctx.work.conn).pull(ctx.team_id, data.cursor, data.limit, data.filter)
