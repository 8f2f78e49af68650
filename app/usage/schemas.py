"""Wire types of usage.*."""

from __future__ import annotations

import datetime as dt

from app.usage.plans import Metric
from rpc import Output

__all__ = ["MetricUsage", "UsageOut"]


class MetricUsage(Output):
    metric: Metric
    used: int
    limit: int | None
    percent: float | None


class UsageOut(Output):
    plan: str
    period_start: dt.date
    period_end: dt.date
    metrics: list[MetricUsage]
