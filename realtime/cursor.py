"""The change-feed cursor: ``v2.<epoch>.<txid>.<seq>.<horizon>``, opaque to clients.

``horizon`` is the feed's purge horizon when the cursor was issued: a cursor below the horizon
is still good while the horizon has not moved since (no tombstone after it can have been
purged), so a paged pull from the start completes although the team's rows are older than the
horizon. Cursors of the first version (``v1.<epoch>.<txid>.<seq>``, no horizon) are still read,
as issued under horizon 0.
"""

from __future__ import annotations

import msgspec

__all__ = ["MAX_LENGTH", "ChangeCursor", "InvalidCursor"]

_VERSION = "v2"
_PARTS = {"v1": 4, "v2": 5}  # the versions read, and their parts
MAX_LENGTH = 100  # "v2." + an epoch + three numbers of at most 20 digits, with room to spare


class InvalidCursor(ValueError):
    """The text is not a cursor this server made."""


class ChangeCursor(msgspec.Struct, frozen=True, order=True):
    """A position in the feed: after the change stamped ``(txid, seq)`` in database ``epoch``,
    issued while the purge horizon was ``horizon`` (it orders only positions of one stamp)."""

    epoch: str
    txid: int
    seq: int
    horizon: int = 0

    @classmethod
    def start(cls, epoch: str, horizon: int = 0) -> ChangeCursor:
        """Before every change: a pull from here returns the whole (live and tombstoned) state."""
        return cls(epoch=epoch, txid=0, seq=0, horizon=horizon)

    @property
    def started(self) -> bool:
        """Whether this is the start, before every change."""
        return (self.txid, self.seq) == (0, 0)

    def valid_under(self, horizon: int) -> bool:
        """Whether no tombstone after this position can have been purged by a purge horizon
        at ``horizon``: the start, a position at or past it, or one issued under it."""
        return self.started or self.txid >= horizon or self.horizon >= horizon

    def encode(self) -> str:
        return f"{_VERSION}.{self.epoch}.{self.txid}.{self.seq}.{self.horizon}"

    @classmethod
    def decode(cls, text: str) -> ChangeCursor:
        """The cursor ``text`` encodes; InvalidCursor for anything else (checked by length
        before any number in it is parsed: a cursor is at most ``MAX_LENGTH`` characters)."""
        if len(text) > MAX_LENGTH:
            raise InvalidCursor(f"longer than {MAX_LENGTH} characters")
        parts = text.split(".")
        if _PARTS.get(parts[0]) != len(parts):
            raise InvalidCursor("not a v1 or v2 cursor")
        epoch, numbers = parts[1], parts[2:]
        if not (epoch.isascii() and epoch.isalnum()) or not all(
            n.isascii() and n.isdigit() and len(n) <= 20 for n in numbers
        ):
            raise InvalidCursor("malformed cursor")
        txid, seq, *horizon = (int(n) for n in numbers)
        if txid >= 2**64 or seq >= 2**63 or any(h >= 2**64 for h in horizon):
            raise InvalidCursor("cursor out of range")
        return cls(epoch=epoch, txid=txid, seq=seq, horizon=horizon[0] if horizon else 0)
