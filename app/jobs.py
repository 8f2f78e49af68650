"""The context every SAQ job receives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from saq.types import Context

if TYPE_CHECKING:
    from app.runtime import Runtime

__all__ = ["JobContext"]


class JobContext(Context, total=False):
    runtime: Runtime
