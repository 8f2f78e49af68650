"""Idempotency keys of team writes, kept in PostgreSQL under the team's RLS (decision 0029)."""

from app.idempotency.store import RETENTION, TeamKeys

__all__ = ["RETENTION", "TeamKeys"]
