"""How many streamed downloads run at once: per API process and per team in that process.

A download holds a pooled connection for as long as its client reads, so the process lets at
most DOWNLOAD_CONCURRENCY run (the rest of the pool stays free for calls) and at most
DOWNLOAD_CONCURRENCY_PER_TEAM of one team (one team cannot take every slot). A request over
either limit is refused at once (429), never queued: a queue would hold the request open.
"""

from __future__ import annotations

import uuid
from collections import Counter

from rpc.errors import RateLimited, RateLimitedData

__all__ = ["RETRY_AFTER_SECONDS", "DownloadSlots"]

# What a refused download's Retry-After says.
RETRY_AFTER_SECONDS = 5


class DownloadSlots:
    """Counted in the event loop (no await between the check and the count): race-free."""

    def __init__(self, total: int, per_team: int) -> None:
        self.total = total
        self.per_team = per_team
        self._teams: Counter[uuid.UUID] = Counter()
        self._running = 0

    @property
    def running(self) -> int:
        return self._running

    def take(self, team_id: uuid.UUID) -> None:
        """Count one more download of the team, or raise RateLimited (429)."""
        if self._running >= self.total:
            why = f"{self.total} downloads are running on this server (DOWNLOAD_CONCURRENCY)"
        elif self._teams[team_id] >= self.per_team:
            why = (
                f"this team already has {self.per_team} downloads running "
                "(DOWNLOAD_CONCURRENCY_PER_TEAM)"
            )
        else:
            self._running += 1
            self._teams[team_id] += 1
            return
        raise RateLimited(
            f"{why}; retry in {RETRY_AFTER_SECONDS} s",
            data=RateLimitedData(retry_after=RETRY_AFTER_SECONDS),
        )

    def give_back(self, team_id: uuid.UUID) -> None:
        self._running -= 1
        self._teams[team_id] -= 1
        if self._teams[team_id] <= 0:
            del self._teams[team_id]
