"""A generic change feed on PostgreSQL and Redis. Imports nothing from ``app``.

Describe the feed's tables with :class:`FeedTable` in a :class:`ChangeFeed`; read a team's
changes after a :class:`ChangeCursor` with :func:`pull` (of a :class:`Subset`, or
``EVERYTHING``); follow them live through one :class:`ChangeHub` per process, woken by pokes on
Redis and by its sweep (:func:`moved`).
"""

from realtime.cursor import MAX_LENGTH, ChangeCursor, InvalidCursor
from realtime.delta import (
    EVERYTHING,
    Change,
    ChangeFeed,
    DeltaPage,
    FeedTable,
    StaleCursor,
    Subset,
    head,
    moved,
    pull,
    snapshot_xmin,
)
from realtime.hub import (
    ChangeHub,
    FetchPage,
    Live,
    Moved,
    ReadXmin,
    Render,
    Subscription,
    access_notice,
    change_channel,
)

__all__ = [
    "EVERYTHING",
    "MAX_LENGTH",
    "Change",
    "ChangeCursor",
    "ChangeFeed",
    "ChangeHub",
    "DeltaPage",
    "FeedTable",
    "FetchPage",
    "InvalidCursor",
    "Live",
    "Moved",
    "ReadXmin",
    "Render",
    "StaleCursor",
    "Subscription",
    "Subset",
    "access_notice",
    "change_channel",
    "head",
    "moved",
    "pull",
    "snapshot_xmin",
]
