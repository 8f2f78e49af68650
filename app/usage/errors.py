"""Domain errors of usage metering."""

from __future__ import annotations

import msgspec

from rpc import DomainError

__all__ = ["LimitData", "PlanLimitReached"]


class LimitData(msgspec.Struct, rename="camel"):
    metric: str
    used: int
    limit: int


class PlanLimitReached(DomainError):
    code = "PLAN_LIMIT_REACHED"
    status = 422
    data_type = LimitData
    default_message = "the plan's limit for this billing period is reached"
