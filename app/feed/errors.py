"""Domain errors of the change feed."""

from __future__ import annotations

from rpc import DomainError

__all__ = ["MustRefetch"]


class MustRefetch(DomainError):
    code = "MUST_REFETCH"
    status = 409
    default_message = "this cursor cannot be continued: pull again without one"
