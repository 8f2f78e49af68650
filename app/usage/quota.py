"""The API-request quota, enforced in process: each API process learns the team's total from
its own request-log flushes (once a second), so the check on the request path is a dict lookup."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from app.usage.errors import LimitData, PlanLimitReached
from app.usage.plans import period_of

if TYPE_CHECKING:
    from app.runtime import Runtime

__all__ = ["ApiQuota", "api_quota"]


class ApiQuota:
    def __init__(self) -> None:
        self._exceeded: dict[uuid.UUID, tuple[dt.date, int, int]] = {}

    def note(self, team_id: uuid.UUID, period_start: dt.date, used: int, limit: int | None) -> None:
        """The team's total after a flush: over the limit from now to the end of the period."""
        if limit is not None and used >= limit:
            self._exceeded[team_id] = (period_start, used, limit)
        else:
            self._exceeded.pop(team_id, None)

    def check(self, team_id: uuid.UUID) -> None:
        exceeded = self._exceeded.get(team_id)
        if exceeded is None:
            return
        period_start, used, limit = exceeded
        if period_start != period_of(dt.datetime.now(dt.UTC))[0]:
            del self._exceeded[team_id]  # a new period has begun
            return
        raise PlanLimitReached(
            f"API requests: {used:,} of {limit:,} used this billing period",
            data=LimitData(metric="api_requests", used=used, limit=limit),
        )


def api_quota(runtime: Runtime) -> ApiQuota:
    """API-key calls over the plan's limit, as this process last learned."""
    return runtime.held(_api_quota)


def _api_quota(runtime: Runtime) -> ApiQuota:
    return ApiQuota()
