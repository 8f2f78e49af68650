"""usage.*."""

from __future__ import annotations

from app.auth.tiers import TEAM, TeamContext
from app.schemas import Empty
from app.usage.schemas import UsageOut
from app.usage.service import UsageService
from rpc import Registry

__all__ = ["procedures"]

procedures = Registry()


@procedures.procedure("usage.get", tier=TEAM, scope="read")
async def get_usage(ctx: TeamContext, data: Empty) -> UsageOut:
    """This billing period's usage of each metric against the team's plan (calendar months,
    UTC). Alerts go out at 90% and 100% of a limit, once each per period (``usage.threshold``);
    over a limit, the procedures that consume it answer 422 PLAN_LIMIT_REACHED."""
    return await UsageService(ctx.work.conn).report(ctx.team_id)
