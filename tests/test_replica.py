"""Replicas of a team against a real server: the TypeScript SyncClient (MemoryStore, run by
node) and the Python SyncClient (SQLiteStore) end equal to the API's listings, with rows in
every feed table (tombstones and an export among them). The TypeScript one survives a server
restart (resuming from its cursor, no full refetch), refetches on MUST_REFETCH, stops for good
when its session ends, waits what an `unavailable` event says while PostgreSQL is down, and
refetches on the stream's `must-refetch` when it falls behind. And a paged pull from the start
completes after a tombstone purge."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import msgspec
import pytest
import redis.asyncio as aioredis
from httpx_sse import connect_sse

from app.availability import RETRY_AFTER_SECONDS
from app.config import Settings
from app.db import migrate, role_url
from app.feed.tables import FEED
from realtime import change_channel
from tests.support import (
    Caller,
    NodeReplica,
    add_connection,
    compiled_typescript_sdk,
    fetch,
    member_of_new_team,
    start_server,
    wait_for,
)

TABLES = [table.name for table in FEED.tables]
Rows = dict[str, dict[str, dict[str, Any]]]


async def _populate(caller: Caller, database_url: str, team_id: str) -> list[str]:
    """Rows in every feed table: subscribers (edited, two deleted), two connections (one
    deleted), a sync run, an export; the export's id."""
    team = uuid.UUID(team_id)
    kept = await add_connection(database_url, team)
    gone = await add_connection(database_url, team)
    caller("espConnections.delete", id=str(gone))
    made = [
        caller("subscribers.create", email=f"reader{n}@example.com", firstName=f"R{n}")
        for n in range(6)
    ]
    caller("subscribers.update", id=made[0]["id"], lastName="Edited", localFields={"vip": True})
    for subscriber in made[1:3]:
        caller("subscribers.delete", id=subscriber["id"])
    caller("espConnections.sync", id=str(kept))  # queued: no worker runs here
    return [caller("exports.create", format="csv")["id"]]


def _listings(caller: Caller, export_ids: list[str]) -> Rows:
    """What the API lists of each feed table, by id."""
    subscribers: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = caller("subscribers.list", limit=500, **({"after": after} if after else {}))
        subscribers += page["items"]
        after = page["nextAfter"]
        if after is None:
            break
    listed = {
        "subscribers": subscribers,
        "esp_connections": caller("espConnections.list")["items"],
        "sync_runs": caller("syncRuns.list", limit=200)["items"],
        "exports": [caller("exports.get", id=export_id) for export_id in export_ids],
    }
    return {table: {row["id"]: row for row in rows} for table, rows in listed.items()}


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT")


def _value(value: Any) -> Any:
    """Timestamps as instants (the feed writes +00:00 where the procedures write Z)."""
    if isinstance(value, str) and _TIMESTAMP.match(value):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _assert_replica_is_the_listing(replica: Rows, listing: Rows) -> None:
    """The same rows of every table, field by field where the feed and the listing share one."""
    for table in TABLES:
        got, want = replica.get(table, {}), listing[table]
        assert want, f"the team has no {table}: the test proves nothing of it"
        assert set(got) == set(want), table
        for key, row in want.items():
            shared = set(row) & set(got[key])
            assert {"id", "status"} <= shared, (table, shared)
            assert {k: _value(got[key][k]) for k in shared} == {
                k: _value(row[k]) for k in shared
            }, (table, key)


async def _write_while_down(database_url: str, team_id: str) -> None:
    """As the app role, as a worker would while the API is away: one new subscriber, one
    deleted."""
    conn = await asyncpg.connect(role_url(database_url, "subnest_app"))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.team_id', $1, true)", team_id)
            await conn.execute(
                "INSERT INTO subscribers (team_id, email) VALUES ($1, 'while-down@example.com')",
                uuid.UUID(team_id),
            )
            await conn.execute(
                "UPDATE subscribers SET deleted_at = now() WHERE email = 'reader3@example.com'"
            )
    finally:
        await conn.close()


async def _feed_starts_anew(database_url: str) -> None:
    """What a database recreated or restored elsewhere looks like to a cursor: another epoch."""
    await fetch(database_url, "UPDATE change_feed SET epoch = substr(md5(random()::text), 1, 12)")


def _team_followed(
    sdk: Path, base_url: str, database_url: str
) -> tuple[Caller, str, list[str], NodeReplica]:
    """A new team with rows in every feed table, and a TypeScript replica of it, live."""
    caller, team_id = member_of_new_team(base_url)
    exports = asyncio.run(_populate(caller, database_url, team_id))
    token = caller.headers["Authorization"].removeprefix("Bearer ")
    # Another test's open transaction may hold the feed's xmin back: wait until the feed shows
    # the last write (in commit order below xmin, so every earlier one too), so that the
    # replica's first pull is the whole team, in pages.
    wait_for(
        lambda: any(c["id"] == exports[-1] for c in caller("sync.pull", limit=1000)["changes"]),
        what="the team's writes on the feed",
    )
    replica = NodeReplica(sdk, base_url, token, team_id)
    try:
        replica.status("live", since=0)
    except BaseException:
        replica.close()
        raise
    return caller, team_id, exports, replica


def _since(requests: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    return requests[count:]


def test_a_typescript_replica_equals_the_listings_through_a_restart_and_a_refetch(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    sdk = compiled_typescript_sdk(tmp_path / "sdk").parent
    with start_server(settings) as first:
        port = urlsplit(first.base_url).port
        caller, team_id, exports, replica = _team_followed(sdk, first.base_url, database_url)
        try:
            state = replica.dump()
            _assert_replica_is_the_listing(state["tables"], _listings(caller, exports))
            pulls = [r for r in state["requests"] if r["kind"] == "pull"]
            assert len(pulls) > 1 and pulls[0]["cursor"] is None, "paged, from the start"
            assert state["identityKept"] and state["notified"] >= 1

            # The server stops; rows change while it is away; it comes back on the same port.
            mark, asked = len(replica.seen), len(state["requests"])
            first.stop()
            replica.status("reconnecting", since=mark)
            asyncio.run(_write_while_down(database_url, team_id))
            with start_server(settings, port=port) as second:
                resumed = _resumed(replica, caller, exports, since=mark, asked=asked)
                emails = {r["email"] for r in resumed["tables"]["subscribers"].values()}
                assert "while-down@example.com" in emails
                assert "reader3@example.com" not in emails
                again = _since(resumed["requests"], asked)
                assert {r["cursor"] for r in again} == {state["cursor"]}, "from its cursor"

                # The feed starts anew meanwhile: the cursor is refused (409 MUST_REFETCH), the
                # replica empties and pulls from the start, and ends equal again.
                mark, asked = len(replica.seen), len(resumed["requests"])
                second.stop()
                replica.status("reconnecting", since=mark)
                asyncio.run(_feed_starts_anew(database_url))
                with start_server(settings, port=port) as third:
                    replica.status("live", since=mark)
                    refetched = replica.dump()
                    later = _since(refetched["requests"], asked)
                    assert any(r == {**r, "kind": "pull", "cursor": None} for r in later), later
                    _assert_replica_is_the_listing(refetched["tables"], _listings(caller, exports))

                    # The session ends: a final revoked event, surfaced, and no reconnect.
                    caller("auth.signOut")
                    stopped = replica.wait(lambda m: "stopped" in m, since=mark)["stopped"]
                    assert (stopped["error"], stopped["reason"]) == (
                        "StreamRevokedError",
                        "signedOut",
                    )
                    final = replica.dump()
                    assert final["status"] == "stopped"
                    assert len(final["requests"]) == len(refetched["requests"])
                    assert third.process.poll() is None
        finally:
            replica.close()


@pytest.mark.timeout(180)
def test_a_typescript_replica_waits_out_a_database_outage_as_the_server_says(
    settings: Settings, tmp_path: Path, server_data_dir: Path
) -> None:
    from tests.test_outages import StoppablePostgres  # a PostgreSQL of the test's own to stop

    postgres = StoppablePostgres(server_data_dir)
    try:
        owner_url = postgres.start()
        asyncio.run(migrate(owner_url))
        own = msgspec.structs.replace(
            settings, database_url=owner_url, feed_tick_seconds=1.0, db_acquire_timeout_seconds=2.0
        )
        sdk = compiled_typescript_sdk(tmp_path / "sdk").parent
        with start_server(own) as api:
            caller, _, exports, replica = _team_followed(sdk, api.base_url, owner_url)
            try:
                asked = len(replica.dump()["requests"])
                mark = len(replica.seen)
                postgres.stop_server()
                # The stream ends with `unavailable` (retry after 2 s): the replica waits that
                # long, though its own backoff (at most 1 s here) would have come back sooner.
                cut = replica.wait(lambda m: m.get("status") == "reconnecting", since=mark)
                state: dict[str, Any] = wait_for(
                    lambda: d if len((d := replica.dump())["requests"]) > asked else None,
                    what="a reconnection",
                )
                waited = state["requests"][asked]["at"] - cut["at"]
                print(f"reconnected {waited} ms after the unavailable event")  # pytest -s
                assert RETRY_AFTER_SECONDS * 1000 - 50 <= waited < 10_000, waited
                postgres.start_server()
                _resumed(replica, caller, exports, since=mark, asked=asked)
            finally:
                replica.close()
    finally:
        postgres.close()


class _Follower:
    """A plain SSE client of the team in a thread, reading as fast as it can: it collects the
    ids of the subscriber changes it is sent. Should it fall behind too (a loaded machine), it
    starts again from the beginning on `must-refetch`, as a replica does."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.up_to_date = threading.Event()
        self.ids: set[str] = set()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(base_url, headers), daemon=True)
        self._thread.start()

    @property
    def changes(self) -> int:
        return len(self.ids)

    def _run(self, base_url: str, headers: dict[str, str]) -> None:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            while not self._done.is_set():
                with connect_sse(http, "GET", "/realtime/stream", headers=headers) as source:
                    for event in source.iter_sse():
                        if event.event == "up-to-date":
                            self.up_to_date.set()
                        elif event.event == "change" and '"subscribers"' in event.data:
                            self.ids.add(json.loads(event.data)["id"])
                        if self._done.is_set() or event.event == "must-refetch":
                            break

    def close(self) -> None:
        self._done.set()  # it returns at its next event (a ping at the latest)


async def _bulk_insert(settings: Settings, database_url: str, team_id: str, count: int) -> None:
    """``count`` subscribers of ~700 bytes on the feed, in one transaction, then the poke the
    API sends after a commit."""
    conn = await asyncpg.connect(role_url(database_url, "subnest_app"))
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.team_id', $1, true)", team_id)
            await conn.execute(
                "INSERT INTO subscribers (team_id, email, custom_fields) SELECT $1, "
                "'bulk' || n || '@example.com', jsonb_build_object('pad', repeat('p', 500)) "
                "FROM generate_series(1, $2) n",
                uuid.UUID(team_id),
                count,
            )
    finally:
        await conn.close()
    client = aioredis.Redis.from_url(settings.redis_url or "")
    try:
        await client.publish(change_channel(uuid.UUID(team_id)), b"")
    finally:
        await client.aclose()


@pytest.mark.timeout(180)
def test_a_typescript_replica_that_falls_behind_refetches_on_the_must_refetch_event(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    # A replica whose store stops taking writes stops reading its stream; the server's buffer
    # for it overflows, and the stream ends with `must-refetch`: the replica empties and pulls
    # from the start, with no new stream first (a 409 would need one).
    sdk = compiled_typescript_sdk(tmp_path / "sdk").parent
    count = 20_000  # ~14 MB: past the socket buffers and the server's 1,000 queued changes
    with start_server(settings) as api:
        caller, team_id = member_of_new_team(api.base_url)
        token = caller.headers["Authorization"].removeprefix("Bearer ")
        replica = NodeReplica(sdk, api.base_url, token, team_id, page_size=1000)
        follower = _Follower(api.base_url, caller.headers)
        try:
            replica.status("live", since=0)
            assert follower.up_to_date.wait(30)
            mark, asked = len(replica.seen), len(replica.dump("ids")["requests"])
            replica.send("hold")
            asyncio.run(_bulk_insert(settings, database_url, team_id, count))
            # Once a free reader has all of it, the server has offered all of it to the replica.
            wait_for(lambda: follower.changes >= count, timeout=60, what="the burst delivered")
            replica.send("release")
            replica.status("live", since=mark)
            state = replica.dump("ids")
            later = _since(state["requests"], asked)
            assert later[0]["kind"] == "pull" and later[0]["cursor"] is None, later
            rows = asyncio.run(
                fetch(database_url, "SELECT id FROM subscribers WHERE team_id = $1", team_id)
            )
            assert set(state["tables"]["subscribers"]) == {str(r["id"]) for r in rows}
        finally:
            follower.close()
            replica.close()


def _resumed(
    replica: NodeReplica, caller: Caller, exports: list[str], *, since: int, asked: int
) -> dict[str, Any]:
    """Live again after message ``since``: a write reaches it, it equals the listings, and its
    requests after the first ``asked`` are streams only (no refetch). Its state."""
    replica.status("live", since=since)
    email = f"after-{uuid.uuid4().hex[:8]}@example.com"
    caller("subscribers.create", email=email)
    state: dict[str, Any] = wait_for(
        lambda: _has_email(replica.dump(), email), what="a live change after the break"
    )
    _assert_replica_is_the_listing(state["tables"], _listings(caller, exports))
    again = _since(state["requests"], asked)
    assert again and all(r["kind"] == "stream" for r in again), "no refetch"
    return state


def _has_email(state: dict[str, Any], email: str) -> dict[str, Any] | None:
    rows = state["tables"].get("subscribers", {}).values()
    return state if any(row["email"] == email for row in rows) else None


async def test_a_python_sqlite_replica_equals_the_listings(
    server: Any, database_url: str, tmp_path: Path
) -> None:
    from subnest_sdk.sync import SQLiteStore, SyncClient

    caller, team_id = member_of_new_team(server.base_url)
    exports = await _populate(caller, database_url, team_id)
    path = str(tmp_path / "replica.db")
    token = caller.headers["Authorization"].removeprefix("Bearer ")
    async with SyncClient(
        server.base_url, store=SQLiteStore(path), session_token=token, team_id=team_id
    ) as sync:
        runner = asyncio.create_task(sync.run())
        try:
            async with asyncio.timeout(30):
                await sync.up_to_date.wait()
        finally:
            runner.cancel()
            with pytest.raises(asyncio.CancelledError):
                await runner
    reopened = SQLiteStore(path)  # what is on disk
    replica = {table: reopened.rows(table) for table in TABLES}
    _assert_replica_is_the_listing(replica, _listings(caller, exports))


async def test_a_paged_pull_from_the_start_completes_after_a_purge(
    server: Any, database_url: str
) -> None:
    from subnest_sdk import AsyncClient

    caller, team_id = member_of_new_team(server.base_url)
    for n in range(3):
        caller("subscribers.create", email=f"old{n}@example.com")
    token = caller.headers["Authorization"].removeprefix("Bearer ")
    async with AsyncClient(server.base_url, session_token=token, team_id=team_id) as client:
        # xids are cluster-wide: another test's open transaction can hold the rows back from
        # every pull for a while; wait until they show, then move the horizon past them.
        async with asyncio.timeout(30):
            while len((await client.sync.pull(limit=10)).changes) < 3:
                await asyncio.sleep(0.05)
        await fetch(
            database_url, "UPDATE change_feed SET purge_horizon_txid = pg_current_xact_id()"
        )
        first = await client.sync.pull(limit=2)
        assert first.has_more
        rest = await client.sync.pull(cursor=first.cursor, limit=2)  # was 409 MUST_REFETCH
    assert len(first.changes) + len(rest.changes) == 3


# The filter's pass-through, on the wire (the server's side of subsets is tested with it).
_SEND_FILTER = """
const { SyncClient } = await import(process.argv[1]);
const sent = {};
const answer = (status, body) => new Response(JSON.stringify(body), { status });
const sync = new SyncClient({
  baseUrl: "http://127.0.0.1:9",
  apiKey: "snk_test",
  filter: JSON.parse(process.argv[2]),
  fetch: async (input, init) => {
    const url = new URL(String(input));
    if (url.pathname === "/rpc/sync.pull") {
      sent.pull = JSON.parse(String(init.body));
      return answer(200, { changes: [], cursor: "v1.e.1.1", hasMore: false });
    }
    sent.stream = url.pathname + url.search;
    return answer(401, { code: "UNAUTHENTICATED", message: "no", data: {} });
  },
});
await sync.start().catch((err) => { sent.stopped = err.name; });
console.log(JSON.stringify(sent));
"""


def test_the_typescript_replica_sends_its_filter_to_both_calls(tmp_path: Path) -> None:
    sdk = compiled_typescript_sdk(tmp_path / "sdk").parent
    filter_ = {
        "tables": ["subscribers", "sync_runs"],
        "connectionId": "c-1",
        "status": ["subscribed", "bounced"],
    }
    module = (sdk / "replica.js").as_uri()
    ran = subprocess.run(
        ["node", "--input-type=module", "-e", _SEND_FILTER, module, json.dumps(filter_)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    sent = json.loads(ran.stdout)
    assert sent["pull"] == {"cursor": None, "limit": 500, "filter": filter_}
    assert sent["stream"] == (
        "/realtime/stream?tables=subscribers,sync_runs&connectionId=c-1&status=subscribed,bounced"
    )
    assert sent["stopped"] == "ApiError", "a 401 stops it: no retry fixes it"
