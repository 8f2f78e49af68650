"""Live fan-out: one Redis subscription per process, one delta query per team per burst.

Writers publish a data-less poke on ``sync:<team>`` after committing. The hub listens to all of
them on one connection; for a team with local subscribers it coalesces pokes, runs the delta query
once from the team's position, renders each change once (``render``, e.g. to SSE bytes) and puts
it on each subscriber's bounded queue.

A subscriber may follow a ``Subset`` of the feed. The team's query still reads the whole feed
once; its subscribers are grouped by equal subsets, and each change is admitted once per group
(``Subset.admit``: as is, as a delete of a subset it left, or not at all) and rendered once per
outcome, whatever the number of streams in the groups.

A poke often arrives while another transaction, older than the poked one, is still open: the
delta query's xmin guard holds the change back, and says from which txid (``held_back``). One
watcher per process then reads the snapshot's xmin every few milliseconds (one trivial query,
whatever the number of teams) and wakes each waiting team once xmin has passed its txid.

A sweep every ``tick_seconds`` and a re-query after Redis reconnects turn a lost poke into a
delay, never a loss. The sweep is one statement for every team of the process (``moved``: which of
them have changes past their position), so a process following a thousand quiet teams makes one
query a tick, not a thousand; only the teams that moved query their changes.

A delta query that fails because the database is unreachable (``unavailable(exc)``) ends the
team's streams, marked ``unavailable``: clients come back with their cursor once it answers
again. The hub says so once per outage in the log, not once per tick.

Streams also end when their access does. Each subscription carries the ``tags`` its owner gave
it (opaque strings, e.g. the credentials it was opened with); a notice on ``access_channel``,
published by any process, names tags and a reason: every subscription carrying one of them ends
at once with that reason (``ended``), and ``on_notice`` (the owner's hook, e.g. to forget cached
credentials) is called first. What the tags mean, and who publishes, is the owner's business.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from realtime.cursor import ChangeCursor
from realtime.delta import EVERYTHING, Change, DeltaPage, Subset

__all__ = [
    "ChangeHub",
    "FetchPage",
    "Live",
    "Moved",
    "ReadXmin",
    "Render",
    "Subscription",
    "access_notice",
    "change_channel",
]

log = logging.getLogger(__name__)
FetchPage = Callable[[uuid.UUID, ChangeCursor, int], Awaitable[DeltaPage]]
ReadXmin = Callable[[], Awaitable[int]]
# Of these teams at these positions, those with changes past them (one query for all).
Moved = Callable[[Sequence[tuple[uuid.UUID, ChangeCursor]]], Awaitable[Collection[uuid.UUID]]]
Render = Callable[[Change], bytes]
Unavailable = Callable[[BaseException], bool]
OnNotice = Callable[[list[str], str], None]
_PAGE = 500
_PREFIX = "sync:"  # pokes: a data-less PUBLISH on sync:<team> after a commit that changed it
_WATCH_SECONDS = 0.005  # how often xmin is read while some team's changes are held back


@dataclass(frozen=True, slots=True)
class Live:
    """A change as subscribers get it: its position, and the bytes ``render`` made of it, once
    for all of the team's subscribers that get it alike."""

    position: ChangeCursor
    change: Change
    data: bytes


@dataclass(eq=False)
class Subscription:
    """One live client: changes arrive on ``queue`` (``None``: end the stream, because the
    process is stopping or, with ``unavailable`` set, the database cannot be read); ``overflowed``
    when it fell too far behind. ``ended``: the reason its access ended (an access notice named
    one of its ``tags``, or its owner called ``end``); from then on nothing more is delivered."""

    queue: asyncio.Queue[Live | None]
    tags: frozenset[str] = frozenset()
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)
    unavailable: bool = False
    ended: str | None = None

    def end(self, reason: str) -> None:
        """End the stream for ``reason`` (the first reason stays)."""
        if self.ended is None:
            self.ended = reason
        try:
            self.queue.put_nowait(None)
        except asyncio.QueueFull:
            self.overflowed.set()  # the reader checks ``ended`` first


def change_channel(team_id: uuid.UUID) -> str:
    """The Redis channel a writer pokes after committing a change of the team's feed."""
    return f"{_PREFIX}{team_id}"


def access_notice(tags: list[str], reason: str) -> bytes:
    """What to publish on the access channel to end the streams carrying any of ``tags``."""
    return msgspec.json.encode({"tags": tags, "reason": reason})


_decode_notice = msgspec.json.Decoder(dict[str, Any])


@dataclass(eq=False)
class _Team:
    cursor: ChangeCursor
    groups: dict[Subset, set[Subscription]] = field(default_factory=dict)  # by equal subsets
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def subscribers(self) -> list[Subscription]:
        return [subscription for group in self.groups.values() for subscription in group]


class ChangeHub:
    def __init__(
        self,
        redis_url: str,
        fetch: FetchPage,
        render: Render,
        read_xmin: ReadXmin,
        moved: Moved,
        *,
        tick_seconds: float = 2.0,
        buffer: int = 1000,
        unavailable: Unavailable | None = None,
        access_channel: str | None = None,
        on_notice: OnNotice | None = None,
    ) -> None:
        self._redis_url = redis_url
        self._fetch = fetch
        self._render = render
        self._read_xmin = read_xmin
        self._moved = moved
        self._tick_seconds = tick_seconds
        self._buffer = buffer
        self._teams: dict[uuid.UUID, _Team] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._held: dict[uuid.UUID, int] = {}  # team → the txid xmin must pass
        self._holding = asyncio.Event()
        self._unavailable = unavailable or (lambda exc: False)
        self._outage = False  # a query met an outage and no query has succeeded since
        self._access_channel = access_channel
        self._on_notice = on_notice
        self._tagged: dict[str, set[Subscription]] = {}

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(), name="change-hub-listen"),
            asyncio.create_task(self._watch(), name="change-hub-xmin"),
            asyncio.create_task(self._sweep(), name="change-hub-sweep"),
        ]

    async def stop(self) -> None:
        tasks = self._tasks + [t.task for t in self._teams.values() if t.task]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._teams.clear()

    @contextlib.asynccontextmanager
    async def subscribe(
        self,
        team_id: uuid.UUID,
        cursor: ChangeCursor,
        tags: frozenset[str] = frozenset(),
        subset: Subset = EVERYTHING,
    ) -> AsyncIterator[Subscription]:
        """Receive the team's changes of ``subset`` made after this call (catch-up is the
        caller's job), until an access notice names one of ``tags``."""
        subscription = Subscription(asyncio.Queue(self._buffer), tags)
        for tag in tags:
            self._tagged.setdefault(tag, set()).add(subscription)
        team = self._teams.get(team_id)
        if team is None:
            team = self._teams[team_id] = _Team(cursor=cursor)
            team.task = asyncio.create_task(self._drain(team_id, team), name=f"hub-{team_id}")
        team.groups.setdefault(subset, set()).add(subscription)
        try:
            yield subscription
        finally:
            for tag in tags:
                tagged = self._tagged.get(tag)
                if tagged is not None:
                    tagged.discard(subscription)
                    if not tagged:
                        del self._tagged[tag]
            group = team.groups.get(subset, set())
            group.discard(subscription)
            if not group:
                team.groups.pop(subset, None)
            if not team.groups and self._teams.get(team_id) is team:
                del self._teams[team_id]
                self._held.pop(team_id, None)
                if team.task is not None:
                    team.task.cancel()

    def close_all(self) -> None:
        """Ask every stream to end (the process is shutting down; clients reconnect elsewhere)."""
        for team in self._teams.values():
            self._end(team)

    def end_tagged(self, tags: list[str], reason: str) -> int:
        """End every subscription carrying one of ``tags`` (what an access notice does);
        how many ended."""
        ending = {s for tag in tags for s in self._tagged.get(tag, ())}
        for subscription in ending:
            subscription.end(reason)
        return len(ending)

    def _notice(self, data: object) -> None:
        try:
            notice = _decode_notice.decode(data if isinstance(data, bytes) else str(data))
            tags = [str(tag) for tag in notice["tags"]]
            reason = str(notice["reason"])
        except (msgspec.DecodeError, KeyError, TypeError):
            log.warning("ignored a malformed access notice")
            return
        if self._on_notice is not None:
            try:
                self._on_notice(tags, reason)
            except Exception:
                log.exception("the access notice hook failed")
        self.end_tagged(tags, reason)

    @staticmethod
    def _end(team: _Team, *, unavailable: bool = False) -> None:
        for subscription in team.subscribers():
            subscription.unavailable = unavailable
            try:
                subscription.queue.put_nowait(None)
            except asyncio.QueueFull:
                subscription.overflowed.set()

    def _failed(self, exc: Exception, what: str) -> bool:
        """Log a failed query: once per outage when the database is unreachable (then true),
        with its traceback otherwise."""
        if not self._unavailable(exc):
            log.exception("%s failed; retrying on the next tick", what)
            return False
        if not self._outage:
            self._outage = True
            log.warning(
                "%s: the database is unavailable (%s); live streams end and resume from their "
                "cursor",
                what,
                type(exc).__name__,
            )
        return True

    def _succeeded(self) -> None:
        if self._outage:
            self._outage = False
            log.warning("the database answers again: live streams resume")

    def poke(self, team_id: uuid.UUID) -> None:
        team = self._teams.get(team_id)
        if team is not None:
            team.wake.set()

    def _poke_all(self) -> None:
        for team in self._teams.values():
            team.wake.set()

    async def _drain(self, team_id: uuid.UUID, team: _Team) -> None:
        while True:
            await team.wake.wait()  # a poke, the watcher's or the sweep's wake-up
            team.wake.clear()  # pokes arriving during the query are coalesced into one more
            held: int | None = None
            try:
                while True:
                    page = await self._fetch(team_id, team.cursor, _PAGE)
                    for change in page.changes:
                        self._deliver(team, change)
                    team.cursor = page.cursor
                    if not page.has_more:
                        held = page.held_back
                        break
                self._succeeded()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._failed(exc, f"delta query for team {team_id}"):
                    self._end(team, unavailable=True)
            if self._teams.get(team_id) is not team:
                return  # its last client left: a cancellation absorbed on the way ends it too
            if held is None:
                self._held.pop(team_id, None)
            else:
                self._held[team_id] = held
                self._holding.set()

    async def _watch(self) -> None:
        """Wake each team whose held-back changes the snapshot's xmin has passed."""
        while True:
            if not self._held:
                self._holding.clear()
                await self._holding.wait()
                continue
            try:
                xmin = await self._read_xmin()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failed(exc, "reading the snapshot's xmin")  # the teams query again
                xmin = None
            for team_id, txid in list(self._held.items()):
                if xmin is None or txid < xmin:
                    del self._held[team_id]
                    self.poke(team_id)
            await asyncio.sleep(_WATCH_SECONDS if xmin is not None else 1.0)

    async def _sweep(self) -> None:
        """Every tick, wake the teams that moved past their position without a poke."""
        while True:
            await asyncio.sleep(self._tick_seconds)
            waiting = [(i, t.cursor) for i, t in self._teams.items() if not t.wake.is_set()]
            if not waiting:
                continue
            try:
                moved = await self._moved(waiting)
                self._succeeded()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._failed(exc, "the sweep of the teams' positions"):
                    for team in self._teams.values():
                        self._end(team, unavailable=True)
                else:
                    self._poke_all()  # each team reads for itself this time
                continue
            for team_id in moved:
                self.poke(team_id)

    def _deliver(self, team: _Team, change: Change) -> None:
        """Admit ``change`` once per group of equal subsets, render it once per outcome (as
        is, or as a delete), and queue it for each subscriber of the groups that admit it."""
        position = ChangeCursor.decode(change.cursor)
        made: dict[str, Live] = {}  # by op: the only thing a subset changes
        for subset, group in team.groups.items():
            admitted = subset.admit(change)
            if admitted is None:
                continue
            live = made.get(admitted.op)
            if live is None:
                live = made[admitted.op] = Live(position, admitted, self._render(admitted))
            for subscription in group:
                try:
                    subscription.queue.put_nowait(live)
                except asyncio.QueueFull:
                    subscription.overflowed.set()

    async def _listen(self) -> None:
        client = aioredis.Redis.from_url(self._redis_url, socket_timeout=None)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        backoff = 0.1
        try:
            while True:
                try:
                    if not pubsub.subscribed:
                        await pubsub.psubscribe(f"{_PREFIX}*")
                        if self._access_channel is not None:
                            await pubsub.subscribe(self._access_channel)
                        self._poke_all()  # anything missed while disconnected
                    message = await pubsub.get_message(timeout=1.0)
                    backoff = 0.1
                except (RedisConnectionError, RedisTimeoutError, OSError):
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    with contextlib.suppress(Exception):
                        await pubsub.reset()
                    pubsub = client.pubsub(ignore_subscribe_messages=True)
                    continue
                if message is not None and message.get("type") == "message":
                    self._notice(message["data"])
                elif message is not None and message.get("type") == "pmessage":
                    channel = message["channel"]
                    name = channel.decode() if isinstance(channel, bytes) else str(channel)
                    with contextlib.suppress(ValueError):
                        self.poke(uuid.UUID(name.removeprefix(_PREFIX)))
        finally:
            with contextlib.suppress(Exception):
                await pubsub.reset()
            await client.aclose()
