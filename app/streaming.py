"""Long responses (streamed downloads, live streams): how many run at once, and opening one.

Slots: how many of one kind run at once, per process and per team (and per API key).

A streamed download holds a pooled connection for as long as its client reads, and a live
stream a socket and a queue for as long as its client stays: each kind lets at most ``total``
run in the process and at most ``per_team`` of one team (one team cannot take every slot). A
request over either limit is refused at once (429), never queued: a queue would hold the
request open.

:func:`opened` starts a response's generator before the headers go: a refusal or an outage
raised by its first step answers as a plain error (429, 503), and once started its ``finally``
(which gives its slot back) runs whatever happens to the response.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator

from rpc.errors import RateLimited, RateLimitedData

__all__ = ["Slots", "opened"]


class Slots:
    """Counted in the event loop (no await between the check and the count): race-free.

    ``what`` names the requests in a refusal (``downloads``), ``settings`` the two settings
    that bound them, and ``retry_after`` is what a refusal's Retry-After says."""

    def __init__(
        self,
        total: int,
        per_team: int,
        *,
        what: str,
        settings: tuple[str, str],
        retry_after: int,
        per_key: tuple[int, str] | None = None,
    ) -> None:
        """``per_key``: at most so many of one API key, and the setting that says so."""
        self.total = total
        self.per_team = per_team
        self.what = what
        self.settings = settings
        self.retry_after = retry_after
        self.per_key = per_key
        self._teams: Counter[uuid.UUID] = Counter()
        self._keys: Counter[uuid.UUID] = Counter()
        self._running = 0

    @property
    def running(self) -> int:
        return self._running

    def take(self, team_id: uuid.UUID, key_id: uuid.UUID | None = None) -> None:
        """Count one more of the team's (and of its API key's), or raise RateLimited (429)."""
        total_setting, team_setting = self.settings
        if self._running >= self.total:
            why = f"{self.total} {self.what} are open on this server ({total_setting})"
        elif self._teams[team_id] >= self.per_team:
            why = f"this team already has {self.per_team} {self.what} open ({team_setting})"
        elif key_id is not None and self.per_key and self._keys[key_id] >= self.per_key[0]:
            limit, key_setting = self.per_key
            why = f"this API key already has {limit} {self.what} open ({key_setting})"
        else:
            self._running += 1
            self._teams[team_id] += 1
            if key_id is not None:
                self._keys[key_id] += 1
            return
        raise RateLimited(
            f"{why}; retry in {self.retry_after} s",
            data=RateLimitedData(retry_after=self.retry_after),
        )

    def give_back(self, team_id: uuid.UUID, key_id: uuid.UUID | None = None) -> None:
        self._running -= 1
        for counter, name in ((self._teams, team_id), (self._keys, key_id)):
            if name is not None:
                counter[name] -= 1
                if counter[name] <= 0:
                    del counter[name]


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
