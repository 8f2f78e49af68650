"""The feed's typed rows: every table's row is the Struct its procedures return, on sync.pull and
on the stream alike, and both SDKs decode it, and what a newer server may send, without failing."""

from __future__ import annotations

import asyncio
import http.server
import json
import logging
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from httpx_sse import connect_sse
from subnest_sdk import AsyncClient
from subnest_sdk import models as sdk

from app.exports.schemas import ExportRow
from app.feed.schemas import CHANGES, table_of
from app.feed.stream import live_event
from app.feed.tables import FEED
from app.subscribers.schemas import SubscriberOut
from app.sync.schemas import ConnectionOut, SyncRunOut
from tests.conftest import ModuleServer
from tests.support import (
    Caller,
    ServerProcess,
    add_connection,
    compiled_typescript,
    member_of_new_team,
    wait_for,
)
from tests.test_webhooks import _serving

ROOT = Path(__file__).resolve().parent.parent
ROWS: dict[str, type[msgspec.Struct]] = {
    table_of(change): msgspec.inspect.type_info(change).fields[-1].type.cls  # type: ignore[attr-defined]
    for change in CHANGES
}


@dataclass
class Team:
    """A team with a row of every feed table, and tombstones: ids by what they are."""

    caller: Caller
    subscriber: str
    deleted_subscriber: str
    connection: str
    deleted_connection: str
    run: str
    export: str

    @property
    def credentials(self) -> dict[str, str]:
        return {
            "session_token": self.caller.headers["Authorization"].removeprefix("Bearer "),
            "team_id": self.caller.headers["X-Team-Id"],
        }


@dataclass
class Rig:
    server: ServerProcess
    team: Team


def _team(server: ServerProcess, database_url: str) -> Team:
    caller, team_id = member_of_new_team(server.base_url, f"{uuid.uuid4().hex}@example.com")
    kept, gone = (
        str(asyncio.run(add_connection(database_url, uuid.UUID(team_id)))) for _ in range(2)
    )
    live = caller("subscribers.create", email="ada@example.com", customFields={"plan": "pro"})
    dead = caller("subscribers.create", email="gone@example.com", firstName="Gone")
    caller("subscribers.delete", id=dead["id"])
    run = caller("espConnections.sync", id=kept)
    caller("espConnections.delete", id=gone)
    export = caller("exports.create", format="ndjson", filter={"status": "subscribed"})
    return Team(caller, live["id"], dead["id"], kept, gone, run["syncRunId"], export["id"])


@pytest.fixture(scope="module")
def rig(module_server: ModuleServer) -> Iterator[Rig]:
    with module_server("feedtypes") as (services, server):
        yield Rig(server, _team(server, services.database_url))


def _pulled(caller: Caller) -> list[dict[str, Any]]:
    """Every change of the team, as sync.pull's JSON."""
    changes: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = caller("sync.pull", cursor=cursor, limit=2)  # several pages
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["hasMore"]:
            return changes


def _streamed(caller: Caller) -> list[dict[str, Any]]:
    """The stream's catch-up, as its ``change`` events' JSON (each with its event id)."""
    changes = []
    with (
        httpx.Client(base_url=caller.base_url, headers=caller.headers, timeout=30) as http,
        connect_sse(http, "GET", "/realtime/stream") as source,
    ):
        for event in source.iter_sse():
            if event.event == "up-to-date":
                return changes
            if event.event == "change":
                changes.append({**json.loads(event.data), "eventId": event.id})
    raise AssertionError("the stream ended before up-to-date")


def _latest(changes: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The last change of each row, by (table, id)."""
    return {(c["table"], c["id"]): c for c in changes}


def _strict(table: str, row: Any) -> msgspec.Struct:
    """``row`` decoded as its table's Struct, which must name exactly the row's fields."""
    kind = ROWS[table]
    assert set(row) == {f.encode_name for f in msgspec.structs.fields(kind)}, table
    return msgspec.json.decode(json.dumps(row), type=kind, strict=True)


def _differences(a: msgspec.Struct, b: msgspec.Struct) -> dict[str, tuple[Any, Any]]:
    return {
        f.name: (getattr(a, f.name), getattr(b, f.name))
        for f in msgspec.structs.fields(a)
        if getattr(a, f.name) != getattr(b, f.name)
    }


def test_every_table_of_the_feed_is_a_member_of_the_change_union() -> None:
    assert [t.name for t in FEED.tables] == [table_of(c) for c in CHANGES]
    assert {
        "subscribers": SubscriberOut,
        "esp_connections": ConnectionOut,
        "sync_runs": SyncRunOut,
        "exports": ExportRow,
    } == ROWS
    for table in FEED.tables:  # the feed's fields are the Struct's, by wire name
        assert list(table.fields) == [
            f.encode_name for f in msgspec.structs.fields(ROWS[table.name])
        ]


def test_the_openapi_document_says_the_union_of_every_table(rig: Rig) -> None:
    spec = httpx.get(f"{rig.server.base_url}/api/documentation/openapi.json").json()
    schemas = spec["components"]["schemas"]
    changes = schemas["PullOut"]["properties"]["changes"]["items"]
    mapping = changes["discriminator"]["mapping"]
    assert changes["discriminator"]["propertyName"] == "table"
    assert "anyOf" not in changes and sorted(changes["oneOf"], key=str) == sorted(
        ({"$ref": ref} for ref in mapping.values()), key=str
    )
    tables = {t.name: t for t in FEED.tables}
    assert set(mapping) == set(tables)
    for table, ref in mapping.items():
        member = schemas[ref.rsplit("/", 1)[-1]]
        assert member["properties"]["table"] == {"enum": [table]}
        row = member["properties"]["row"]["$ref"].rsplit("/", 1)[-1]
        assert row == ROWS[table].__name__
        assert set(schemas[row]["properties"]) == set(
            FEED.tables[list(mapping).index(table)].fields
        )


def test_a_column_for_a_field_the_struct_lacks_is_refused() -> None:
    from app.feed.schemas import SubscriberChange
    from app.feed.tables import feed_table

    with pytest.raises(ValueError, match=r"SubscriberOut has no fields \['password'\]"):
        feed_table(SubscriberChange, {"password": "password_hash"})


def test_every_tables_sql_row_decodes_strictly_into_its_struct(rig: Rig) -> None:
    team = rig.team
    latest = _latest(_pulled(team.caller))
    assert {table for table, _ in latest} == set(ROWS), "a row of every table is on the feed"
    for (table, _), change in latest.items():
        row = _strict(table, change["row"])
        assert (change["op"] == "delete") == (getattr(row, "deleted_at", None) is not None)
    tombstones = {key for key, c in latest.items() if c["op"] == "delete"}
    assert {("subscribers", team.deleted_subscriber)} <= tombstones
    assert {("esp_connections", team.deleted_connection)} <= tombstones
    assert latest["exports", team.export]["row"]["filter"]["status"] == "subscribed"


def test_pull_stream_and_the_procedures_agree_field_by_field(rig: Rig) -> None:
    team, caller = rig.team, rig.team.caller
    pulled, streamed = _latest(_pulled(caller)), _latest(_streamed(caller))
    assert pulled.keys() == streamed.keys()
    for key, change in pulled.items():
        other = streamed[key]
        assert other["cursor"] == other["eventId"] == change["cursor"]
        assert (other["op"], other["id"]) == (change["op"], change["id"])
        assert _differences(_strict(key[0], change["row"]), _strict(key[0], other["row"])) == {}

    deleted = caller("subscribers.list", deleted=True)["items"]
    answers: dict[tuple[str, str], Any] = {
        ("subscribers", team.subscriber): caller("subscribers.get", id=team.subscriber),
        ("subscribers", team.deleted_subscriber): next(
            s for s in deleted if s["id"] == team.deleted_subscriber
        ),
        ("esp_connections", team.connection): caller("espConnections.get", id=team.connection),
        ("sync_runs", team.run): caller("syncRuns.get", id=team.run),
        ("exports", team.export): caller("exports.get", id=team.export),
    }
    listed = caller("espConnections.list")["items"]
    assert (
        next(c for c in listed if c["id"] == team.connection)
        == answers["esp_connections", team.connection]
    )
    runs = caller("syncRuns.list", connectionId=team.connection)["items"]
    assert runs == [answers["sync_runs", team.run]]
    for (table, row_id), answer in answers.items():
        kind = ROWS[table]
        got = msgspec.json.decode(json.dumps(answer), type=kind)  # exports.get: + downloadUrl
        fed = _strict(table, pulled[table, row_id]["row"])
        assert _differences(fed, got) == {}, (table, row_id)


def test_the_python_sdk_decodes_a_row_of_every_table(rig: Rig) -> None:
    from subnest_sdk.sync import DictStore, SyncClient

    team = rig.team

    async def read() -> tuple[list[sdk.ChangeOut], DictStore]:
        changes: list[sdk.ChangeOut] = []
        async with AsyncClient(rig.server.base_url, **team.credentials) as client:
            cursor = None
            while True:
                page = await client.sync.pull(cursor=cursor, limit=2)
                changes += page.changes
                cursor = page.cursor
                if not page.has_more:
                    break
        live = {(c.table, c.id) for c in changes if c.op != "delete"}
        store = DictStore()
        async with SyncClient(rig.server.base_url, store=store, **team.credentials) as sync:
            async with asyncio.timeout(30):
                await sync.run(until=lambda _: sum(map(len, store.tables.values())) == len(live))
        return changes, store

    changes, store = asyncio.run(read())
    kinds = {
        sdk.SubscriberChange: sdk.SubscriberOut,
        sdk.ConnectionChange: sdk.ConnectionOut,
        sdk.SyncRunChange: sdk.SyncRunOut,
        sdk.ExportChange: sdk.ExportRow,
    }
    by_key = {}
    for change in changes:
        assert not isinstance(change, sdk.UnknownChangeOut)
        assert isinstance(change.row, kinds[type(change)])
        by_key[change.table, str(change.id)] = change
    assert {table for table, _ in by_key} == set(ROWS)
    tombstone = by_key["subscribers", team.deleted_subscriber]
    assert tombstone.op == "delete" and tombstone.row.deleted_at is not None
    export = by_key["exports", team.export]
    assert isinstance(export, sdk.ExportChange) and export.row.filter.status == "subscribed"
    assert export.row.status == "queued"
    # The replica holds what is live, each row as the wire has it.
    live = {key for key, change in by_key.items() if change.op != "delete"}
    assert {(table, key) for table, rows in store.tables.items() for key in rows} == live
    assert store.rows("subscribers")[team.subscriber]["customFields"] == {"plan": "pro"}


def _node_feed(tmp_path: Path, base_url: str, team: Team) -> subprocess.CompletedProcess[str]:
    """tests/node/feed.mts compiled with the SDK's sources (tsc --strict) and run with node."""
    out = tmp_path / "dist"
    compiled_typescript(ROOT / "tests" / "node" / "tsconfig.json", out)
    credentials = team.credentials
    return subprocess.run(
        [
            "node",
            str(out / "tests" / "node" / "feed.mjs"),
            base_url,
            credentials["session_token"],
            credentials["team_id"],
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_typescript_sdk_decodes_a_row_of_every_table(rig: Rig, tmp_path: Path) -> None:
    team = rig.team
    ran = _node_feed(tmp_path, rig.server.base_url, team)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout)
    truth = _latest(_pulled(team.caller))
    for seen in (result["pulled"], result["streamed"]):
        latest = _latest(seen)
        assert latest.keys() == truth.keys()
        for key, change in latest.items():
            assert change["row"] == truth[key]["row"] and change["op"] == truth[key]["op"]
    live: dict[str, list[str]] = {}
    for table, row_id in sorted(k for k, c in truth.items() if c["op"] != "delete"):
        live.setdefault(table, []).append(row_id)
    assert {t: ids for t, ids in result["replica"].items() if ids} == live  # the TS SyncClient
    typed = _latest(result["streamed"])
    assert typed["subscribers", team.deleted_subscriber]["typed"]["deletedAt"]
    assert typed["exports", team.export]["typed"] == {
        "format": "ndjson",
        "status": "queued",
        "filter": truth["exports", team.export]["row"]["filter"],
    }
    assert typed["sync_runs", team.run]["typed"] == {
        "connectionId": team.connection,
        "status": "queued",
    }


# A newer server: a table, enum values and fields this SDK does not know.


def _newer(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Real changes as a newer server could send them."""
    newer = []
    for change in changes:
        change = {**change, "origin": "import"}  # a field this SDK does not know
        row = change["row"] = {**change["row"], "score": 7}
        if change["table"] == "subscribers":
            row["status"] = "archived"
        elif change["table"] == "esp_connections":
            row["provider"] = "postmark"
        elif change["table"] == "exports":
            row["format"] = "parquet"
            row["filter"] = {**row["filter"], "status": "archived", "tag": "vip"}
        newer.append(change)
    bounce = {
        "table": "bounces",
        "op": "upsert",
        "id": str(uuid.uuid4()),
        "row": {"email": "ada@example.com", "kind": "hard"},
        "cursor": changes[0]["cursor"],
    }
    return [bounce, *newer[:2], {**bounce, "op": "merge"}, *newer[2:]]


class _Answer(http.server.BaseHTTPRequestHandler):
    """Answers sync.pull and the stream with fixed bodies (what a newer server says)."""

    pull: bytes
    stream: bytes

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self._send("application/json", self.pull)

    def do_GET(self) -> None:
        self._send("text/event-stream", self.stream)

    def _send(self, kind: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def newer_server(rig: Rig) -> Iterator[str]:
    # xids are cluster-wide: another test's open transaction can hold some of the team's rows
    # back from the feed for a while; wait until the tables the newer server rewrites show.
    wanted = {"subscribers", "exports", "esp_connections"}
    pulled = wait_for(
        lambda: (p := _pulled(rig.team.caller)) and wanted <= {c["table"] for c in p} and p,
        timeout=30,
        what="the team's rows on the feed",
    )
    changes = _newer(pulled)
    cursor = changes[-1]["cursor"]
    events = [": connected\r\nretry: 3000\r\n\r\n", "event: greeting\r\ndata: {}\r\n\r\n"]
    events += [
        f"id: {c['cursor']}\r\nevent: change\r\ndata: {json.dumps(c)}\r\n\r\n" for c in changes
    ]
    events.append(f"event: up-to-date\r\ndata: {json.dumps({'cursor': cursor})}\r\n\r\n")

    class Newer(_Answer):
        pull = json.dumps(
            {"changes": changes, "cursor": cursor, "hasMore": False, "serverTime": 1}
        ).encode()
        stream = "".join(events).encode()

    with _serving(Newer) as url:
        yield url.replace("localhost", "127.0.0.1")  # where it listens, for node too


def test_the_python_sdk_reads_a_newer_servers_feed(
    rig: Rig, newer_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    from subnest_sdk.sync import DictStore, SyncClient

    team = rig.team

    class Counting(DictStore):
        applied = 0

        def apply(self, change: Any, cursor: str) -> None:
            super().apply(change, cursor)
            self.applied += 1

    async def read() -> tuple[sdk.PullOut, Counting]:
        async with AsyncClient(newer_server, **team.credentials) as client:
            page = await client.sync.pull()
        store = Counting()
        known = len(page.changes) - 2
        async with SyncClient(newer_server, store=store, **team.credentials) as sync:
            async with asyncio.timeout(30):  # the pull's changes, then the stream's again
                await sync.run(until=lambda _: store.applied == 2 * known)
        return page, store

    with caplog.at_level(logging.WARNING, logger="subnest_sdk.sync"):
        page, store = asyncio.run(read())

    unknown = [c for c in page.changes if isinstance(c, sdk.UnknownChangeOut)]
    assert [(c.table, c.op) for c in unknown] == [("bounces", "upsert"), ("bounces", "merge")]
    subscriber = next(c for c in page.changes if isinstance(c, sdk.SubscriberChange))
    assert subscriber.row.status == "archived"  # an enum value newer than the SDK: kept as text
    export = next(c for c in page.changes if isinstance(c, sdk.ExportChange))
    assert (export.row.format, export.row.filter.status) == ("parquet", "archived")
    connection = next(c for c in page.changes if isinstance(c, sdk.ConnectionChange))
    assert connection.row.provider == "postmark"

    assert "bounces" not in store.tables  # skipped, with one warning (per table and client)
    assert store.rows("subscribers")[team.subscriber]["status"] == "archived"
    assert set(store.rows("exports")) == {team.export}
    warnings = [r.getMessage() for r in caplog.records if "bounces" in r.getMessage()]
    assert warnings == ["skipping changes of table 'bounces': newer than this SDK"]
    assert store.cursor is not None


def test_the_typescript_sdk_reads_a_newer_servers_feed(
    rig: Rig, newer_server: str, tmp_path: Path
) -> None:
    ran = _node_feed(tmp_path, newer_server, rig.team)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout)
    assert [c for c in result["pulled"] if c.get("unknown")] == [
        {"table": "bounces", "unknown": True}
    ] * 2
    assert "bounces" not in {c["table"] for c in result["streamed"]}
    assert "bounces" not in result["replica"] and set(result["replica"]["exports"]) == {
        rig.team.export
    }
    assert result["statuses"] == ["archived"]  # an enum value newer than the SDK, kept as text
    assert ran.stderr.count('skipping changes of table "bounces"') == 1  # once per process
    typed = [c["typed"] for c in result["streamed"] if c["table"] == "subscribers"]
    assert {t["status"] for t in typed} == {"archived"}


def test_a_stream_change_carries_the_wire_fields_only() -> None:
    from realtime import Change

    change = Change(
        table="subscribers",
        op="upsert",
        id=uuid.uuid4(),
        row=msgspec.Raw(b"{}"),
        cursor="v2.e.1.1.0",
        facets={"connectionId": None, "status": "subscribed"},
    )
    data = live_event(change).split(b"data: ", 1)[1].split(b"\r\n", 1)[0]
    assert set(msgspec.json.decode(data)) == {"table", "op", "id", "row", "cursor"}
