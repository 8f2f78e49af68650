"""Exports: streamed CSV/NDJSON downloads and background export files with progress."""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
import json
import threading
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import pytest
from httpx_sse import connect_sse

from app.config import Settings
from app.exports.jobs import purge_exports
from app.jobs import JobContext
from app.runtime import Runtime
from realtime import ChangeCursor
from tests.support import (
    Caller,
    CallFailed,
    ServerProcess,
    fetch,
    member_of_new_team,
    start_server,
    start_worker,
    wait_for,
)

T = TypeVar("T")

TRICKY = [
    ("comma@example.com", "Smith, Jr.", "O'Neil"),
    ("quote@example.com", 'The "Boss"', "Doe"),
    ("newline@example.com", "Line\nBreak", "Carriage\r\nReturn"),
    ("unicode@example.com", "Zoë 😀", "Ñandú 北京"),
    ("formula@example.com", '=HYPERLINK("http://evil")', "+1"),
    ("minus@example.com", "-2+3", "@SUM(A1)"),
]


def _download(caller: Caller, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{caller.base_url}{path}", params=params, headers=caller.headers, timeout=60)


def _seed(caller: Caller) -> dict[str, dict[str, Any]]:
    made = {}
    for email, first, last in TRICKY:
        made[email] = caller("subscribers.create", email=email, firstName=first, lastName=last)
    caller("subscribers.update", id=made["minus@example.com"]["id"], status="unsubscribed")
    return made


def test_csv_round_trips_and_neutralizes_formulas(server: ServerProcess) -> None:
    caller, _ = member_of_new_team(server.base_url)
    made = _seed(caller)
    other, _ = member_of_new_team(server.base_url, "other@example.com")
    other("subscribers.create", email="not-mine@example.com")

    response = _download(caller, "/exports/subscribers.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="subscribers-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert list(rows[0]) == [
        "id", "email", "firstName", "lastName", "status", "connectionId", "externalId",
        "customFields", "localFields", "createdAt", "updatedAt", "deletedAt",
    ]  # fmt: skip
    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == set(made)  # nothing of the other team
    for email, first, last in TRICKY:
        row = by_email[email]
        assert row["id"] == made[email]["id"]
        if first[0] in "=+-@":
            assert (row["firstName"], row["lastName"]) == (f"'{first}", f"'{last}")
        else:
            assert (row["firstName"], row["lastName"]) == (first, last)
    assert by_email["quote@example.com"]["connectionId"] == ""  # NULL is an empty cell
    assert json.loads(by_email["quote@example.com"]["customFields"]) == {}
    assert by_email["quote@example.com"]["createdAt"].endswith("Z")

    unsubscribed = _download(caller, "/exports/subscribers.csv", status="unsubscribed")
    assert [r["email"] for r in csv.DictReader(io.StringIO(unsubscribed.text))] == [
        "minus@example.com"
    ]
    searched = _download(caller, "/exports/subscribers.csv", search="boss")
    assert [r["email"] for r in csv.DictReader(io.StringIO(searched.text))] == ["quote@example.com"]


def test_ndjson_has_one_object_per_line(server: ServerProcess) -> None:
    caller, _ = member_of_new_team(server.base_url)
    made = _seed(caller)
    response = _download(caller, "/exports/subscribers.ndjson")
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = response.content.decode().splitlines()
    objects = {o["email"]: o for o in map(json.loads, lines)}
    assert len(lines) == len(made)
    for email, first, last in TRICKY:  # verbatim: JSON is not a spreadsheet
        assert (objects[email]["firstName"], objects[email]["lastName"]) == (first, last)
        assert objects[email]["id"] == made[email]["id"]


def test_bad_requests_are_json_errors(server: ServerProcess) -> None:
    caller, _ = member_of_new_team(server.base_url)
    anonymous = httpx.get(f"{server.base_url}/exports/subscribers.csv")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "UNAUTHENTICATED")
    bad = _download(caller, "/exports/subscribers.csv", status="gone")
    assert (bad.status_code, bad.json()["code"]) == (400, "VALIDATION_FAILED")
    assert bad.json()["data"]["path"] == "$.status"
    unknown = _download(caller, "/exports/subscribers.csv", colour="red")
    assert unknown.status_code == 400
    nul = _download(caller, "/exports/subscribers.ndjson", search="a\x00b")
    assert (nul.status_code, nul.json()["data"]["path"]) == (400, "$.search")


async def test_a_client_that_leaves_stops_the_query(
    server: ServerProcess, database_url: str
) -> None:
    caller, team = member_of_new_team(server.base_url)
    await fetch(
        database_url,
        "INSERT INTO subscribers (team_id, email, first_name) "
        "SELECT $1, 'user' || n || '@example.com', repeat('x', 200) "
        "FROM generate_series(1, 200000) n",
        uuid.UUID(team),
    )
    copying = (
        "SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' "
        "AND query LIKE 'COPY (SELECT%'"
    )
    with httpx.stream(
        "GET", f"{server.base_url}/exports/subscribers.csv", headers=caller.headers, timeout=60
    ) as response:
        chunks = response.iter_bytes()  # held: dropping it would close the response
        assert next(chunks).startswith(b"id,email,")
        assert (await fetch(database_url, copying))[0]["n"] == 1  # held up by the slow reader
    # The connection is closed with most of 40 MB unread.

    async def stopped() -> bool:
        return (await fetch(database_url, copying))[0]["n"] == 0

    deadline = time.monotonic() + 20
    while not await stopped():
        assert time.monotonic() < deadline, "the COPY still runs after the client left"
        await _tick()


async def _tick() -> None:
    await asyncio.sleep(0.05)


async def _purge(settings: Settings) -> int:
    """The hourly purge job, run now (the worker's cron would wait for the hour)."""
    runtime = Runtime(settings)
    await runtime.start()
    try:
        return await purge_exports(JobContext(runtime=runtime))
    finally:
        await runtime.stop()


def run(function: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    return asyncio.run(function(*args))


def _progress_events(
    base_url: str,
    headers: dict[str, str],
    cursor: str,
    live: threading.Event,
    seen: list[dict[str, Any]],
) -> None:
    with (
        httpx.Client(base_url=base_url, headers=headers, timeout=60) as client,
        connect_sse(client, "GET", f"/realtime/stream?cursor={cursor}") as source,
    ):
        for event in source.iter_sse():
            if event.event == "up-to-date":
                live.set()
            elif event.event == "progress":
                body = json.loads(event.data)
                if "exportId" in body:
                    seen.append(body)
                    if body["status"] in ("succeeded", "failed"):
                        return


async def _head(database_url: str) -> str:
    """The cursor after every change so far (a stream from there has nothing to catch up)."""
    (row,) = await fetch(
        database_url,
        "SELECT (SELECT epoch FROM change_feed) AS epoch, txid, seq FROM subscribers "
        "ORDER BY txid DESC, seq DESC LIMIT 1",
    )
    return ChangeCursor(epoch=row["epoch"], txid=row["txid"], seq=row["seq"]).encode()


def test_background_export_with_progress_and_a_signed_link(
    settings: Settings, database_url: str
) -> None:
    with start_server(settings) as server, start_worker(settings):
        caller, team = member_of_new_team(server.base_url)
        made = _seed(caller)
        run(
            fetch,
            database_url,
            "INSERT INTO subscribers (team_id, email) "
            "SELECT $1, 'bulk' || n || '@example.com' FROM generate_series(1, 45000) n",
            uuid.UUID(team),
        )
        seen: list[dict[str, Any]] = []
        live = threading.Event()
        follower = threading.Thread(
            target=_progress_events,
            args=(server.base_url, caller.headers, run(_head, database_url), live, seen),
            daemon=True,
        )
        follower.start()
        assert live.wait(30), "the stream did not come up to date"
        queued = caller("exports.create", format="csv", gzip=True)
        assert (queued["status"], queued["downloadUrl"]) == ("queued", None)

        def done() -> dict[str, Any] | None:
            export = caller("exports.get", id=queued["id"])
            return export if export["status"] in ("succeeded", "failed") else None

        export = wait_for(done, timeout=60, what="export finished")
        assert export["status"] == "succeeded", export["error"]
        assert export["rowCount"] == export["totalRows"] == 45000 + len(made)
        follower.join(30)
        assert seen[-1]["status"] == "succeeded"
        # Chunks of 20,000 rows: progress climbs before the end.
        assert any(0 < p["rowCount"] < p["totalRows"] for p in seen if p["totalRows"])

        file = httpx.get(f"{server.base_url}{export['downloadUrl']}")  # no credentials
        assert file.status_code == 200
        assert file.headers["content-type"] == "application/gzip"
        rows = list(csv.DictReader(io.StringIO(gzip.decompress(file.content).decode())))
        assert len(rows) == export["rowCount"]
        assert len({r["id"] for r in rows}) == len(rows)  # chunks neither overlap nor skip
        assert {r["email"] for r in rows} >= set(made)

        tampered = export["downloadUrl"].replace("signature=", "signature=0")
        assert httpx.get(f"{server.base_url}{tampered}").status_code == 404
        accented = export["downloadUrl"].replace("signature=", "signature=%C3%A9")
        assert httpx.get(f"{server.base_url}{accented}").status_code == 404
        stale = export["downloadUrl"].replace("expires=", "expires=1")
        assert httpx.get(f"{server.base_url}{stale}").status_code == 404

        filtered = caller("exports.create", format="ndjson", filter={"status": "unsubscribed"})
        result = wait_for(
            lambda: (e := caller("exports.get", id=filtered["id"]))["status"] == "succeeded" and e,
            what="second export",
        )
        lines = httpx.get(f"{server.base_url}{result['downloadUrl']}").text.splitlines()
        assert [json.loads(line)["email"] for line in lines] == ["minus@example.com"]

        with pytest.raises(CallFailed) as bad:
            caller("exports.create", format="xlsx")
        assert bad.value.status == 400
        other, _ = member_of_new_team(server.base_url, "other@example.com")
        with pytest.raises(CallFailed) as foreign:
            other("exports.get", id=queued["id"])
        assert foreign.value.status == 404

        # Past its retention, the purge job removes the file; the link then answers 404.
        run(fetch, database_url, "UPDATE exports SET expires_at = now() - interval '1 minute'")
        assert run(_purge, settings) == 2
        assert caller("exports.get", id=queued["id"])["status"] == "expired"
        assert httpx.get(f"{server.base_url}{export['downloadUrl']}").status_code == 404
        assert not list((settings.data_path / "exports").rglob("*.csv.gz"))


async def test_the_heartbeat_stops_even_when_a_beat_swallows_its_cancellation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An export whose rows are all written leaves its heartbeat block at once, even when
    the heartbeat is cancelled inside a write that absorbs the cancellation: redis-py sends
    under asyncio.wait_for, which on Python 3.11 returns instead of raising when cancelled just
    as the send completes (the poke after each beat). The beat loop went on, touching the row
    every EXPORT_HEARTBEAT_SECONDS, so the job waited for it forever, its export ``running``
    for good (the sweep saw a live heartbeat), and the worker could not shut down."""
    from types import SimpleNamespace

    from app.exports import jobs

    beats: list[float] = []
    absorbing = True

    async def side_update(*_args: object) -> None:
        beats.append(time.monotonic())
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            if not absorbing:
                raise

    monkeypatch.setattr(jobs, "_side", side_update)
    runtime = SimpleNamespace(settings=SimpleNamespace(export_heartbeat_seconds=0.05))

    async def export() -> None:
        async with jobs._heartbeat(runtime, uuid.uuid4(), uuid.uuid4()):  # type: ignore[arg-type]
            while not beats:  # the job finishes while a beat is under way
                await asyncio.sleep(0.01)

    task = asyncio.create_task(export())
    done, _ = await asyncio.wait({task}, timeout=2)
    absorbing = False
    if not done:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert done, f"the heartbeat went on after its export ended ({len(beats)} beats)"
    task.result()
