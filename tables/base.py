"""Shared columns, mixed into the tables: timestamps with soft delete, tenant, change stamp."""

from __future__ import annotations

from typing import Any

from piccolo.columns import BigInt, Column, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow

__all__ = ["ChangeStamped", "Timestamped", "Xid8"]


class Xid8(Column):
    """PostgreSQL ``xid8`` (a 64-bit transaction id); asyncpg reads it as a Python ``int``."""

    value_type = int

    def __init__(self, default: int | None = None, **kwargs: Any) -> None:
        self.default = default
        kwargs.update({"default": default})
        super().__init__(**kwargs)

    @property
    def column_type(self) -> str:
        return "XID8"


class Timestamped:
    """``created_at``; ``updated_at`` (kept by a trigger); ``deleted_at``: the soft-delete mark."""

    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class ChangeStamped:
    """The change stamp of the feed: set on every insert and update by the ``stamp_change`` trigger.

    ``txid`` is the writing transaction (``pg_current_xact_id()``), ``seq`` orders rows within it.
    """

    txid = Xid8(null=True, default=None)
    seq = BigInt(null=True, default=None)
