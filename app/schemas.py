"""Wire types shared by several features."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec

from app.config import Settings
from rpc import Input, Output, ValidationData, ValidationFailed

__all__ = [
    "Email",
    "Empty",
    "IdInput",
    "Ok",
    "Role",
    "ShortText",
    "SubscriberStatus",
    "Timestamp",
    "check_json_field",
]

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
# A subscriber's state, whatever its provider calls it ("cleaned" also covers complained /
# junk / invalid / spam addresses): what the API answers and what connectors map to.
SubscriberStatus = Literal["subscribed", "unsubscribed", "pending", "bounced", "cleaned"]
# An aware timestamp: "format: date-time" in the OpenAPI document.
Timestamp = Annotated[dt.datetime, msgspec.Meta(tz=True)]


class Empty(Input):
    """No input."""


class IdInput(Input):
    id: uuid.UUID


class Ok(Output):
    ok: bool = True


def check_json_field(value: dict[str, Any] | None, path: str, settings: Settings) -> None:
    """VALIDATION_FAILED at ``path`` unless the free-form JSON object ``value`` stays within
    JSON_FIELDS_MAX_BYTES (encoded), JSON_FIELDS_MAX_KEYS (object keys at any depth) and
    JSON_FIELDS_MAX_DEPTH (the object itself is depth 1)."""
    if value is None:
        return
    size = len(msgspec.json.encode(value))
    if size > settings.json_fields_max_bytes:
        _too_large(
            path,
            f"at most {settings.json_fields_max_bytes} bytes of JSON "
            f"(JSON_FIELDS_MAX_BYTES); got {size}",
        )
    keys, depth = _measure(value)
    if depth > settings.json_fields_max_depth:
        _too_large(
            path,
            f"nested at most {settings.json_fields_max_depth} deep "
            f"(JSON_FIELDS_MAX_DEPTH); got {depth}",
        )
    if keys > settings.json_fields_max_keys:
        _too_large(
            path, f"at most {settings.json_fields_max_keys} keys (JSON_FIELDS_MAX_KEYS); got {keys}"
        )


def _measure(value: object) -> tuple[int, int]:
    """Object keys at any depth, and the depth of nested objects and arrays (iteratively:
    the bytes bound keeps it small, and no recursion limit is in play)."""
    keys, deepest = 0, 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            keys += len(item)
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return keys, deepest


def _too_large(path: str, detail: str) -> None:
    raise ValidationFailed(f"{path}: {detail}", data=ValidationData(path=path, detail=detail))
