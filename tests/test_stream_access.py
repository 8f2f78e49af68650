"""Live streams follow access: each way access ends closes the open stream within a second,
across API processes, with a final ``revoked`` event saying why; nothing written afterwards
reaches it; the old credentials are refused on reconnect. Two API processes for the whole
module: the stream on one, the call that ends access on the other.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest
from httpx_sse import aconnect_sse
from subnest_sdk.sync import DictStore, StreamRevokedError, SyncClient

from app.config import Settings
from tests.support import Caller, ServerProcess, join_by_sql, member_of_new_team, start_server
from tests.test_stream import _insert, _poke

pytestmark = pytest.mark.timeout(180)


@dataclass
class Servers:
    # Where access is ended; its streams are re-checked every second (the lost-notice case).
    writer: ServerProcess
    # Where the streams are open: re-checked only hourly, so each must end by its notice.
    reader: ServerProcess


@pytest.fixture
def servers(settings: Settings) -> Iterator[Servers]:
    with (
        start_server(settings, STREAM_REAUTH_SECONDS="1") as writer,
        start_server(
            settings, STREAM_REAUTH_SECONDS="3600", STREAM_CONCURRENCY_PER_KEY="1"
        ) as reader,
    ):
        yield Servers(writer, reader)


@dataclass
class OpenStream:
    """A stream read in the background: its events, and when it closed."""

    events: list[tuple[str, Any]] = field(default_factory=list)
    up_to_date: asyncio.Event = field(default_factory=asyncio.Event)
    closed_at: float | None = None
    task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, base_url: str, headers: dict[str, str]) -> OpenStream:
        stream = cls()
        stream.task = asyncio.create_task(stream._read(base_url, headers))
        async with asyncio.timeout(10):
            await stream.up_to_date.wait()
        return stream

    async def _read(self, base_url: str, headers: dict[str, str]) -> None:
        async with (
            httpx.AsyncClient(base_url=base_url, timeout=30) as http,
            aconnect_sse(http, "GET", "/realtime/stream", headers=headers) as source,
        ):
            assert source.response.status_code == 200, await source.response.aread()
            async for event in source.aiter_sse():
                self.events.append((event.event, json.loads(event.data) if event.data else None))
                if event.event == "up-to-date":
                    self.up_to_date.set()
        self.closed_at = time.monotonic()

    async def ended(self, since: float, reason: str) -> None:
        """Closed within a second of ``since``, its last event ``revoked`` with ``reason``."""
        assert self.task is not None
        async with asyncio.timeout(max(0.1, since + 1.0 - time.monotonic())):
            await self.task
        assert self.closed_at is not None and self.closed_at - since < 1.0
        assert self.events[-1] == ("revoked", {"reason": reason}), self.events[-3:]


async def _refused(
    base_url: str, headers: dict[str, str], status: int, code: str, says: str = ""
) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        response = await http.get("/realtime/stream", headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert says in response.json()["message"]


def _call(caller: Caller, base_url: str, procedure: str, **body: Any) -> Any:
    return asyncio.to_thread(Caller(base_url, caller.headers), procedure, **body)


async def test_streams_end_when_access_ends_on_another_process(
    servers: Servers, settings: Settings, database_url: str
) -> None:
    writer, reader = servers.writer.base_url, servers.reader.base_url
    owner, team_id = member_of_new_team(writer)
    team = uuid.UUID(team_id)
    created = owner("apiKeys.create", name="ci")
    key = {"X-API-Key": created["key"]}
    other_key = {"X-API-Key": owner("apiKeys.create", name="other")["key"]}
    member, _ = member_of_new_team(writer, "member@example.com")
    await join_by_sql(database_url, team, "member@example.com", "member")
    member.headers["X-Team-Id"] = team_id
    leaving, _ = member_of_new_team(writer, "leaving@example.com")
    leaving.headers["X-Team-Id"] = team_id
    await join_by_sql(database_url, team, "leaving@example.com", "member")
    leaving_session = Caller(writer, {"Authorization": leaving.headers["Authorization"]})

    async def write(email: str) -> None:
        await _insert(database_url, team, [email])
        await _poke(settings, team)

    # Streams per API key are capped (STREAM_CONCURRENCY_PER_KEY=1 on the reader).
    by_key = await OpenStream.open(reader, key)
    await _refused(reader, key, 429, "RATE_LIMITED", "STREAM_CONCURRENCY_PER_KEY")
    by_member = await OpenStream.open(reader, member.headers)
    by_leaving = await OpenStream.open(reader, leaving.headers)

    # A revoked key; the SDK's replica on it (on the writer) stops with a typed error and
    # does not reconnect.
    replica = SyncClient(writer, api_key=created["key"], store=DictStore())
    running = asyncio.create_task(replica.run())
    async with asyncio.timeout(10):
        await replica.up_to_date.wait()
    started = time.monotonic()
    await _call(owner, writer, "apiKeys.revoke", id=created["apiKey"]["id"])
    await by_key.ended(started, "keyRevoked")
    with pytest.raises(StreamRevokedError) as stopped:
        async with asyncio.timeout(1):
            await running
    assert stopped.value.reason == "keyRevoked"
    await replica.close()
    await _refused(reader, key, 401, "UNAUTHENTICATED")

    # A removed member.
    started = time.monotonic()
    await _call(owner, writer, "members.remove", userId=member("auth.me")["user"]["id"])
    await by_member.ended(started, "memberRemoved")
    await _refused(reader, member.headers, 403, "FORBIDDEN")

    # A session that signs out.
    started = time.monotonic()
    await _call(leaving_session, writer, "auth.signOut")
    await by_leaving.ended(started, "signedOut")
    await _refused(reader, leaving.headers, 401, "UNAUTHENTICATED")

    # A session ended from another of the user's sessions, and those a password change ends.
    changer, _ = member_of_new_team(writer, "changer@example.com")
    await join_by_sql(database_url, team, "changer@example.com", "member")
    signed_in = [
        Caller(writer, {})("auth.signIn", email="changer@example.com", password="password-123")
        for _ in range(2)
    ]
    revoked, changed = (
        {"Authorization": f"Bearer {s['session']['token']}", "X-Team-Id": team_id}
        for s in signed_in
    )
    (revoked_id,) = (
        s["id"] for s in Caller(writer, revoked)("auth.sessions.list")["items"] if s["current"]
    )
    by_revoked = await OpenStream.open(reader, revoked)
    by_changed = await OpenStream.open(reader, changed)
    started = time.monotonic()
    await _call(changer, writer, "auth.sessions.revoke", id=revoked_id)
    await by_revoked.ended(started, "signedOut")
    await _refused(reader, revoked, 401, "UNAUTHENTICATED")
    started = time.monotonic()
    await _call(
        changer,
        writer,
        "auth.changePassword",
        currentPassword="password-123",
        newPassword="password-456",
    )
    await by_changed.ended(started, "signedOut")
    await _refused(reader, changed, 401, "UNAUTHENTICATED")

    # Nothing written afterwards reached any of them (they are closed, and said so last).
    await write("after@example.com")
    for stream in (by_key, by_member, by_leaving, by_revoked, by_changed):
        assert all(data is None or "after@" not in json.dumps(data) for _, data in stream.events)

    # A session that expires: the stream ends at its expiry.
    expiring, _ = member_of_new_team(writer, "expiring@example.com")
    expiring.headers["X-Team-Id"] = team_id
    await join_by_sql(database_url, team, "expiring@example.com", "member")
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "UPDATE sessions SET expires_at = now() + interval '2 seconds' "
            "WHERE user_id = (SELECT id FROM users WHERE email = 'expiring@example.com')"
        )
        by_expiring = await OpenStream.open(reader, expiring.headers)
        due = await conn.fetchval(
            "SELECT extract(epoch FROM expires_at - now()) FROM sessions "
            "WHERE user_id = (SELECT id FROM users WHERE email = 'expiring@example.com')"
        )
        await by_expiring.ended(time.monotonic() + float(due), "sessionExpired")
        await _refused(reader, expiring.headers, 401, "UNAUTHENTICATED")

        # A lost notice (the key revoked in the database alone): the re-check ends the stream.
        lost = await OpenStream.open(writer, other_key)
        started = time.monotonic()
        await conn.execute("UPDATE api_keys SET revoked_at = now() WHERE name = 'other'")
        await lost.ended(started + 0.5, "keyRevoked")  # re-checked every second, plus the query
    finally:
        await conn.close()

    # A team scheduled for deletion ends its members' streams and its keys'.
    third_key = {"X-API-Key": owner("apiKeys.create", name="third")["key"]}
    by_owner = await OpenStream.open(reader, owner.headers)
    by_third = await OpenStream.open(reader, third_key)
    started = time.monotonic()
    await _call(owner, writer, "teams.delete")
    await by_owner.ended(started, "teamDeleted")
    await by_third.ended(started, "teamDeleted")
    await _refused(reader, owner.headers, 422, "TEAM_DELETION_SCHEDULED")
    await _refused(reader, third_key, 422, "TEAM_DELETION_SCHEDULED")


async def test_streams_opened_with_the_same_credentials_share_a_recent_re_check(
    settings: Settings,
) -> None:
    """2,000 streams of one key re-checked it 2,000 times a STREAM_REAUTH_SECONDS, the most
    frequent statement of bench/realtime.py (e): a read made in the last fifth of it serves
    them, and those that ask together make one."""
    import msgspec

    from app.auth.access import StreamCredentials, standing
    from app.auth.secrets import new_api_key
    from app.runtime import Runtime
    from app.work import unit_of_work

    runtime = Runtime(msgspec.structs.replace(settings, stream_reauth_seconds=15.0))
    await runtime.start()
    try:
        team, key = uuid.uuid4(), new_api_key()
        async with unit_of_work(runtime, team_id=team) as work:
            await work.conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", team)
            key_id = await work.conn.fetchval(
                "INSERT INTO api_keys (team_id, name, prefix, key_hash) "
                "VALUES ($1, 'k', $2, $3) RETURNING id",
                team,
                key.prefix,
                key.key_hash,
            )
        credentials = StreamCredentials(team_id=team, key_id=key_id)
        together = await asyncio.gather(*(standing(runtime, credentials) for _ in range(50)))
        assert {held.ended for held in together} == {None}
        async with unit_of_work(runtime, team_id=team) as work:  # a notice lost, say
            await work.conn.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", key_id)
        assert (await standing(runtime, credentials)).ended is None, "read 3 s ago at most: shared"
        async with asyncio.timeout(10):  # and read again once that read is older
            while (await standing(runtime, credentials)).ended != "keyRevoked":
                await asyncio.sleep(0.1)
    finally:
        await runtime.stop()
