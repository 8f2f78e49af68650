"""Wire types shared by several features."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec

from rpc import Input, Output

__all__ = ["Email", "Empty", "IdInput", "Ok", "Role", "ShortText", "Timestamp"]

Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=320,
        pattern=r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$",
        description="an email address",
        examples=["ada@example.com"],
    ),
]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Role = Literal["owner", "admin", "member"]
# An aware timestamp: "format: date-time" in the OpenAPI document.
Timestamp = Annotated[dt.datetime, msgspec.Meta(tz=True)]


class Empty(Input):
    """No input."""


class IdInput(Input):
    id: uuid.UUID


class Ok(Output):
    ok: bool = True
