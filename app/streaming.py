"""Long responses (streamed downloads, live streams): how many run at once, and opening one.

Slots: how many of one kind run at once, per process and per team (and per API key).

A streamed download holds a pooled connection for as long as its client reads, and a live
stream a socket and a queue for as long as its client stays: each kind lets at most so many
run in the process, of one team (one team cannot take every slot) and, for streams, of one API
key. A request over a limit is refused at once (429), never queued: a queue would hold the
request open.

:func:`opened` starts a response's generator before the headers go: a refusal or an outage
raised by its first step answers as a plain error (429, 503), and once started its ``finally``
(which gives its slot back) runs whatever happens to the response.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import NamedTuple

from rpc import RateLimited, RateLimitedData

__all__ = ["Bound", "Slots", "opened"]


class Bound(NamedTuple):
    """At most ``limit`` at once per ``holder`` (``None``: the whole process), as ``setting``
    says; ``who`` names the holder in a refusal (``this team``)."""

    holder: str | None
    limit: int
    setting: str
    who: str


class Slots:
    """Counted in the event loop (no await between the check and the count): race-free.

    ``what`` names the requests in a refusal (``downloads``), ``bounds`` the limits on them
    (the process's, a team's, an API key's), and ``retry_after`` is what a refusal's
    Retry-After says. ``take``/``give_back`` name the holders: ``team=…``, ``key=…``."""

    def __init__(self, what: str, retry_after: int, *bounds: Bound) -> None:
        self.what = what
        self.retry_after = retry_after
        self.bounds = bounds
        self._held: Counter[tuple[str | None, uuid.UUID | None]] = Counter()

    def _counted(
        self, holders: dict[str, uuid.UUID | None]
    ) -> Iterator[tuple[Bound, tuple[str | None, uuid.UUID | None]]]:
        """Each bound that applies to these holders, with the key it is counted under."""
        for bound in self.bounds:
            held_by = holders.get(bound.holder) if bound.holder else None
            if bound.holder is None or held_by is not None:
                yield bound, (bound.holder, held_by)

    def take(self, **holders: uuid.UUID | None) -> None:
        """Count one more of these holders', or raise RateLimited (429) naming the bound."""
        counted = list(self._counted(holders))
        for bound, key in counted:
            if self._held[key] >= bound.limit:
                raise RateLimited(
                    f"{bound.who} already has {bound.limit} {self.what} open ({bound.setting}); "
                    f"retry in {self.retry_after} s",
                    data=RateLimitedData(retry_after=self.retry_after),
                )
        for _, key in counted:
            self._held[key] += 1

    def give_back(self, **holders: uuid.UUID | None) -> None:
        for _, key in self._counted(holders):
            self._held[key] -= 1
            if self._held[key] <= 0:
                del self._held[key]


async def opened(body: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    """``body`` started: its first item read here (what it raises, the caller answers), then
    an iterator of that item and the rest, which closes ``body`` when the client leaves."""
    first = await anext(body, b"")
    return _then(first, body)


async def _then(first: bytes, rest: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    try:
        if first:
            yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()  # a client that left ends the body's work now, not when collected
