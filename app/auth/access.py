"""When access ends, the live streams opened with it end too (decision 0022).

Everything that ends access calls :func:`access_ended` in its unit of work, naming what ended
and why; once the transaction commits, one notice goes out on Redis (``ACCESS_CHANNEL``), every
API process's change hub ends the streams carrying a named tag within milliseconds, each with
a final ``revoked`` event, and forgets the API keys it had cached for them (so a reconnect is
refused at once, not after the key cache's second). Callers today:

- ``auth.signOut``: ``sessions=[id]``, ``signedOut``
- ``apiKeys.revoke``: ``keys=[id]``, ``keyRevoked``
- ``members.remove``: ``members=[(user, team)]``, ``memberRemoved``
- ``teams.delete``: ``teams=[id]``, ``teamDeleted``

Still to wire (procedures being added alongside): ``auth.sessions.revoke`` (``sessions=[id]``,
``signedOut``), ``auth.changePassword`` (the other sessions, ``signedOut``), and a job that
expires keys, if one ever acts rather than lets time do it (``keys=[...]``, ``keyExpired``).

Expiry needs no notice: a stream knows when its session (or key) expires and ends then. A lost
notice (Redis down at that moment) is caught by the stream's re-check every
STREAM_REAUTH_SECONDS (:func:`standing`), which reads the credentials' rows again (one read
serves the streams opened with the same credentials for a fifth of that: ``Standings``).
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from app.auth.keys import api_keys
from realtime import access_notice

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.work import Work

__all__ = [
    "ACCESS_CHANNEL",
    "Reason",
    "Standing",
    "Standings",
    "StreamCredentials",
    "access_ended",
    "forget_cached",
    "publish_access_ended",
    "standing",
]

ACCESS_CHANNEL = "access"
Reason = Literal[
    "keyRevoked", "keyExpired", "memberRemoved", "signedOut", "sessionExpired", "teamDeleted"
]


def _key(key_id: uuid.UUID) -> str:
    return f"key:{key_id}"


def _session(session_id: uuid.UUID) -> str:
    return f"session:{session_id}"


def _member(user_id: uuid.UUID, team_id: uuid.UUID) -> str:
    return f"member:{user_id}:{team_id}"


def _team(team_id: uuid.UUID) -> str:
    return f"team:{team_id}"


@dataclass(frozen=True, slots=True)
class StreamCredentials:
    """What a stream was opened with: a team API key, or a member's session."""

    team_id: uuid.UUID
    key_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None

    @property
    def tags(self) -> frozenset[str]:
        """The notices that end it: its key's, its session's, its membership's, its team's."""
        tags = {_team(self.team_id)}
        if self.key_id is not None:
            tags.add(_key(self.key_id))
        if self.session_id is not None:
            tags.add(_session(self.session_id))
        if self.user_id is not None:
            tags.add(_member(self.user_id, self.team_id))
        return frozenset(tags)

    @property
    def expired(self) -> Reason:
        return "keyExpired" if self.key_id is not None else "sessionExpired"


def access_ended(
    work: Work,
    reason: Reason,
    *,
    keys: Iterable[uuid.UUID] = (),
    sessions: Iterable[uuid.UUID] = (),
    members: Iterable[tuple[uuid.UUID, uuid.UUID]] = (),
    teams: Iterable[uuid.UUID] = (),
) -> None:
    """The access named here ended (``members``: ``(user_id, team_id)`` pairs): once the unit
    of work commits, the streams opened with it end on every API process, saying ``reason``.
    THE one call for anything that ends access (see the module docstring)."""
    tags = [
        *map(_key, keys),
        *map(_session, sessions),
        *(_member(user, team) for user, team in members),
        *map(_team, teams),
    ]
    if tags:
        work.after_commit(functools.partial(publish_access_ended, work.runtime, tags, reason))


async def publish_access_ended(runtime: Runtime, tags: list[str], reason: Reason) -> None:
    """Publish the notice now (``access_ended`` does, after commit)."""
    await runtime.redis.publish(ACCESS_CHANNEL, access_notice(tags, reason))


def forget_cached(runtime: Runtime, tags: list[str], reason: str) -> None:
    """The hub's notice hook: forget the API keys this process cached for the ended access, so
    that their next use reads their row again."""
    for tag in tags:
        kind, _, rest = tag.partition(":")
        try:
            if kind == "key":
                api_keys(runtime).forget_key(uuid.UUID(rest))
            elif kind == "team":
                api_keys(runtime).forget_team(uuid.UUID(rest))
        except ValueError:
            continue


class Standing(NamedTuple):
    """Whether a stream's credentials still hold: ``ended`` says why not; ``expires_in``, in
    how many seconds they expire (as the database's clock says), if they do."""

    ended: Reason | None
    expires_in: float | None = None


# Streams re-check at 0.8-1.0 of STREAM_REAUTH_SECONDS: a read of one's credentials made within
# that last fifth serves the others opened with them.
_SHARED = 0.2


class Standings:
    """The standing of each stream's credentials as this process last read it. The re-check is
    a backstop behind the access notices, so streams opened with the same credentials (a
    client's ten tabs, 2,000 streams of one key) share a read made in the last ``shared``
    seconds, and those that ask together make one."""

    def __init__(self, runtime: Runtime, *, max_entries: int = 10_000) -> None:
        self._runtime = runtime
        self._shared = runtime.settings.stream_reauth_seconds * _SHARED
        self._max_entries = max_entries
        self._read: dict[StreamCredentials, tuple[Standing, float]] = {}
        self._reading: dict[StreamCredentials, asyncio.Future[tuple[Standing, float]]] = {}

    async def of(self, credentials: StreamCredentials) -> Standing:
        """The credentials' standing, read now or shared (``expires_in`` counted from now)."""
        loop = asyncio.get_running_loop()
        read = self._read.get(credentials)
        if read is None or loop.time() - read[1] >= self._shared:
            pending = self._reading.get(credentials)
            if pending is None:
                pending = self._reading[credentials] = asyncio.ensure_future(
                    self._fresh(credentials)
                )
                pending.add_done_callback(lambda _: self._reading.pop(credentials, None))
            read = await asyncio.shield(pending)  # a stream that leaves cancels only itself
        held, read_at = read
        if held.expires_in is None:
            return held
        return Standing(held.ended, held.expires_in - (loop.time() - read_at))

    async def _fresh(self, credentials: StreamCredentials) -> tuple[Standing, float]:
        held = await _standing(self._runtime, credentials)
        read_at = asyncio.get_running_loop().time()
        if len(self._read) >= self._max_entries:
            self._read = {c: r for c, r in self._read.items() if read_at - r[1] < self._shared}
        self._read[credentials] = (held, read_at)
        return held, read_at


async def standing(runtime: Runtime, credentials: StreamCredentials) -> Standing:
    """The credentials' standing (their rows read again, or a read shared: ``Standings``)."""
    return await runtime.held(Standings).of(credentials)


async def _standing(runtime: Runtime, credentials: StreamCredentials) -> Standing:
    """Read the credentials' rows again (one short unit of work)."""
    from app.teams.service import TeamService
    from app.work import unit_of_work

    team_id = credentials.team_id
    if credentials.key_id is not None:
        async with unit_of_work(runtime, team_id=team_id, read_only=True) as work:
            row = await work.conn.fetchrow(_KEY, credentials.key_id)
        if row is None or row["revoked"]:
            return Standing("keyRevoked")
        if row["expires_in"] is not None and row["expires_in"] <= 0:
            return Standing("keyExpired")
        if row["deletion_due_at"] is not None:
            return Standing("teamDeleted")
        return Standing(None, row["expires_in"])
    assert credentials.session_id is not None and credentials.user_id is not None
    async with unit_of_work(runtime, read_only=True) as work:
        session = await work.conn.fetchrow(_SESSION, credentials.session_id)
        if session is None:
            return Standing("signedOut")
        if session["expires_in"] <= 0:
            return Standing("sessionExpired")
        await work.set_tenant(user_id=credentials.user_id)
        membership = await TeamService(work).membership(team_id, credentials.user_id)
    if membership is None:
        return Standing("memberRemoved")
    if membership[1] is not None:
        return Standing("teamDeleted")
    return Standing(None, session["expires_in"])


def _seconds(column: str) -> str:
    return f"extract(epoch FROM {column} - now())::float8"


# A key's expiry (migration 0014, decision 0023): NULL for a key that never expires.
_KEY = f"""
SELECT k.revoked_at IS NOT NULL OR k.deleted_at IS NOT NULL AS revoked, t.deletion_due_at,
    {_seconds("k.expires_at")} AS expires_in
FROM api_keys k JOIN teams t ON t.id = k.team_id WHERE k.id = $1
"""
_SESSION = f"""
SELECT {_seconds("s.expires_at")} AS expires_in
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.id = $1 AND s.deleted_at IS NULL AND u.deleted_at IS NULL
"""
