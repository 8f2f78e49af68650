"""The change-feed cursor: ``v1.<epoch>.<txid>.<seq>``, opaque to clients."""

from __future__ import annotations

import msgspec

__all__ = ["ChangeCursor", "InvalidCursor"]

_VERSION = "v1"


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
        parts = text.split(".")
        if len(parts) != 4 or parts[0] != _VERSION:
            raise InvalidCursor("not a v1 cursor")
        _, epoch, txid, seq = parts
        if not (epoch.isalnum() and txid.isdigit() and seq.isdigit()):
            raise InvalidCursor("malformed cursor")
        return cls(epoch=epoch, txid=int(txid), seq=int(seq))
