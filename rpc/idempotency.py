"""Idempotent writes: the ``Idempotency-Key`` header, and the store a tier keeps keys in.

A procedure declared ``idempotent=True`` takes an optional ``Idempotency-Key`` header. The
layer claims the key in the tier's unit of work before the handler runs and keeps the answer
in the same unit of work, so a key and its write commit (or roll back) together:

- a repeat with the same key and input answers what the first call answered (status and body),
  marked ``Idempotent-Replayed: true``, without running the handler;
- the same key with another input or procedure, or from another caller, answers 422
  ``IDEMPOTENCY_KEY_REUSED`` (a replay skips the procedure, and so its own checks, such as a
  role: only the caller who made the call gets its answer again);
- a repeat sent while the first is still running waits for it (the store's unique key) and
  then replays its answer, or runs itself if the first failed;
- a failed call keeps nothing (its unit of work rolls back): the same key may be sent again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

import msgspec

from rpc.errors import ValidationData, ValidationFailed

__all__ = [
    "HEADER",
    "KEY_PATTERN",
    "MAX_KEY_LENGTH",
    "REPLAYED_HEADER",
    "Answer",
    "Claim",
    "IdempotencyStore",
    "Kept",
    "claim_of",
    "key_of",
]

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Visible ASCII without spaces, quotes or separators that proxies and logs mangle: a UUID, a
# ULID or a caller's own "order-1234:attempt" all fit.
KEY_PATTERN = rf"^[A-Za-z0-9._:~+/=-]{{1,{MAX_KEY_LENGTH}}}$"
_KEY = re.compile(KEY_PATTERN)
_encoder = msgspec.json.Encoder()

CtxT_contra = TypeVar("CtxT_contra", contravariant=True)


@dataclass(frozen=True, slots=True)
class Claim:
    """One call's key: the procedure and a digest of its decoded input (never the input)."""

    key: str
    procedure: str
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    """What a call answered: its status and the encoded body."""

    status: int
    body: bytes


@dataclass(frozen=True, slots=True)
class Kept:
    """A key found in the store: the call that claimed it first, and its answer.
    ``same_caller``: whether that call had this call's caller (the store's notion of one, e.g.
    a user or an API key); another caller's key is not replayed to this one."""

    procedure: str
    fingerprint: bytes
    answer: Answer
    same_caller: bool = True

    def matches(self, claim: Claim) -> bool:
        return (
            self.same_caller
            and self.procedure == claim.procedure
            and self.fingerprint == claim.fingerprint
        )


class IdempotencyStore(Protocol[CtxT_contra]):
    """Where a tier keeps the keys of its callers (each caller's keys its own, e.g. a team's),
    in the unit of work the tier's context holds."""

    async def claim(self, ctx: CtxT_contra, claim: Claim) -> Kept | None:
        """Record ``claim`` in the context's unit of work and return None; or, when the key is
        already kept (a live one, not past the store's retention), what it keeps. A key being
        claimed by a call still running is waited for."""
        ...

    async def keep(self, ctx: CtxT_contra, claim: Claim, answer: Answer) -> None:
        """Store the answer of the call that claimed ``claim`` (in the same unit of work)."""
        ...


def key_of(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The request's Idempotency-Key, None without one; ValidationFailed when malformed."""
    for name, value in headers:
        if name == b"idempotency-key":
            text = value.decode("latin-1")
            if not _KEY.match(text):
                raise ValidationFailed(
                    f"{HEADER} must be 1 to {MAX_KEY_LENGTH} of A-Z a-z 0-9 . _ : ~ + / = -",
                    data=ValidationData(path=HEADER, detail="malformed idempotency key"),
                )
            return text
    return None


def claim_of(key: str, procedure: str, data: msgspec.Struct) -> Claim:
    """The claim of a call: its input digested in its decoded (canonical) form, so spacing
    or a field's default spelled out does not make another request."""
    return Claim(key, procedure, hashlib.sha256(_encoder.encode(data)).digest())
