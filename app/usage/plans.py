"""Plans and their limits per billing period (a calendar month, UTC)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

__all__ = ["METRICS", "PLANS", "Metric", "Plan", "period_of"]

Metric = Literal["synced_subscribers", "api_requests"]
METRICS: tuple[Metric, ...] = ("synced_subscribers", "api_requests")


class Plan(msgspec.Struct, frozen=True):
    """Limits per period; None is unlimited. ``synced_subscribers``: rows a sync created or
    changed; ``api_requests``: calls made with the team's API keys."""

    synced_subscribers: int | None
    api_requests: int | None

    def limit(self, metric: Metric) -> int | None:
        limit: int | None = getattr(self, metric)
        return limit


PLANS: dict[str, Plan] = {
    "free": Plan(synced_subscribers=100_000, api_requests=100_000),
    "pro": Plan(synced_subscribers=2_000_000, api_requests=5_000_000),
    "enterprise": Plan(synced_subscribers=None, api_requests=None),
}


def period_of(moment: dt.datetime) -> tuple[dt.date, dt.date]:
    """The billing period holding ``moment``: its first day and the next period's first day."""
    start = moment.astimezone(dt.UTC).date().replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end
