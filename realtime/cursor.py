"""The change-feed cursor: ``v1.<epoch>.<txid>.<seq>``, opaque to clients."""

from __future__ import annotations

import msgspec

__all__ = ["MAX_LENGTH", "ChangeCursor", "InvalidCursor"]

_VERSION = "v1"
MAX_LENGTH = 100  # "v1." + an epoch + two numbers of at most 20 digits, with room to spare


class InvalidCursor(ValueError):
    """The text is not a cursor this server made."""


class ChangeCursor(msgspec.Struct, frozen=True, order=True):
    """A position in the feed: after the change stamped ``(txid, seq)`` in database ``epoch``."""

    epoch: str
    txid: int
    seq: int

    @classmethod
    def start(cls, epoch: str) -> ChangeCursor:
        """Before every change: a pull from here returns the whole (live and tombstoned) state."""
        return cls(epoch=epoch, txid=0, seq=0)

    def encode(self) -> str:
        return f"{_VERSION}.{self.epoch}.{self.txid}.{self.seq}"

    @classmethod
    def decode(cls, text: str) -> ChangeCursor:
        """The cursor ``text`` encodes; InvalidCursor for anything else (checked by length
        before any number in it is parsed: a cursor is at most ``MAX_LENGTH`` characters)."""
        if len(text) > MAX_LENGTH:
            raise InvalidCursor(f"longer than {MAX_LENGTH} characters")
        parts = text.split(".")
        if len(parts) != 4 or parts[0] != _VERSION:
            raise InvalidCursor("not a v1 cursor")
        _, epoch, txid, seq = parts
        numbers = (txid, seq)
        if not (epoch.isascii() and epoch.isalnum()) or not all(
            n.isascii() and n.isdigit() and len(n) <= 20 for n in numbers
        ):
            raise InvalidCursor("malformed cursor")
        if int(txid) >= 2**64 or int(seq) >= 2**63:
            raise InvalidCursor("cursor out of range")
        return cls(epoch=epoch, txid=int(txid), seq=int(seq))
