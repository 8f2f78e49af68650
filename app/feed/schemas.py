"""Wire types of sync.pull."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from rpc import Input, Output

__all__ = ["ChangeOut", "PullInput", "PullOut"]


class PullInput(Input):
    cursor: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 500


class ChangeOut(Output):
    table: Literal["subscribers", "esp_connections", "sync_runs", "exports"]
    op: Literal["upsert", "delete"]
    id: uuid.UUID
    row: Annotated[msgspec.Raw, msgspec.Meta(description="the row, in the table's wire fields")]
    cursor: str


class PullOut(Output):
    changes: list[ChangeOut]
    cursor: str
    has_more: bool
