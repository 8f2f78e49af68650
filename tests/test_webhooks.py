"""Outgoing webhooks: signed deliveries checked by a real receiver, retries with growing gaps,
disabling after repeated failure, refused internal URLs, tenant isolation."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import hmac
import ipaddress
import itertools
import json
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec
import pytest

from app.config import Settings
from app.runtime import Runtime
from app.webhooks.errors import WebhookLimitReached
from app.webhooks.service import WebhookService
from app.webhooks.urls import (
    CheckedUrl,
    UrlChecker,
    UrlCheckTimedOut,
    UrlRefused,
    check_url,
    pinned,
)
from app.work import unit_of_work
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


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local HTTP endpoint: records each POST, answers ``status``."""

    status: int = 204
    requests: list[Received] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(Received(time.monotonic(), dict(self.headers), body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with _serving(Handler) as base:
        state.url = f"{base}/hook"
        yield state


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server in a thread; its base URL. By name: each send goes to the address
    the name resolved to when it was checked."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # a client gone
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _verify(secret: str, received: Received) -> dict[str, Any]:
    """What a receiver does: check the signature over timestamp + body, then parse."""
    parts = dict(p.split("=", 1) for p in received.headers["X-SubscriberNest-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), "bad signature"
    assert abs(time.time() - int(parts["t"])) < 300
    payload: dict[str, Any] = json.loads(received.body)
    return payload


_PRIVATE = {"WEBHOOK_ALLOW_PRIVATE_URLS": "true"}


def test_a_signed_delivery_reaches_the_receiver(settings: Settings, receiver: Receiver) -> None:
    with start_server(settings, **_PRIVATE) as server, start_worker(settings, **_PRIVATE):
        caller, team = member_of_new_team(server.base_url)
        created = caller("webhooks.create", url=receiver.url, events=["subscriber.created"])
        secret = created["secret"]
        assert secret.startswith("whsec_")
        assert "secret" not in json.dumps(caller("webhooks.list"))
        made = caller("subscribers.create", email="hook@example.com")
        caller("subscribers.delete", id=made["id"])  # not subscribed to: never sent
        wait_for(lambda: receiver.requests, what="the delivery")
        payload = _verify(secret, receiver.requests[0])
        assert payload["type"] == "subscriber.created" and payload["teamId"] == team
        assert payload["data"]["subscriber"]["id"] == made["id"]
        assert receiver.requests[0].headers["X-SubscriberNest-Event"] == "subscriber.created"
        (delivery,) = wait_for(
            lambda: [
                d for d in caller("webhooks.deliveries")["items"] if d["status"] == "succeeded"
            ],
            what="the delivery logged",
        )
        assert delivery["log"][0]["responseStatus"] == 204 and delivery["attempts"] == 1

        test = caller("webhooks.test", id=created["webhook"]["id"])
        wait_for(lambda: len(receiver.requests) == 2, what="the test ping")
        assert _verify(secret, receiver.requests[1])["type"] == "webhook.test"
        assert test["deliveryId"]
        assert len(receiver.requests) == 2  # the deletion event was not subscribed


def test_a_failing_receiver_gets_growing_retries_then_the_webhook_is_disabled(
    settings: Settings, receiver: Receiver, database_url: str
) -> None:
    receiver.status = 500
    env = {
        **_PRIVATE,
        "WEBHOOK_RETRY_BASE_SECONDS": "2",
        "WEBHOOK_MAX_ATTEMPTS": "10",
        "WEBHOOK_DISABLE_AFTER": "4",
    }
    with start_server(settings, **env) as server, start_worker(settings, **env):
        caller, team = member_of_new_team(server.base_url)
        webhook = caller("webhooks.create", url=receiver.url, events=["subscriber.created"])
        caller("subscribers.create", email="fail@example.com")
        wait_for(lambda: len(receiver.requests) >= 4, timeout=60, what="four attempts")

        def disabled() -> dict[str, Any] | None:
            (hook,) = caller("webhooks.list")["items"]
            return hook if hook["status"] == "disabled" else None

        hook = wait_for(disabled, what="the webhook disabled")
        assert hook["consecutiveFailures"] == 4 and "HTTP 500" in hook["disabledReason"]
        times = [r.at for r in receiver.requests]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(receiver.requests) == 4  # no attempt after the webhook was disabled
        assert gaps[0] < gaps[1] < gaps[2], gaps  # 2 s, 4 s, 8 s (to the second)
        (delivery,) = caller("webhooks.deliveries", endpointId=webhook["webhook"]["id"])["items"]
        assert delivery["status"] == "failed" and delivery["attempts"] == 4
        assert [a["attempt"] for a in delivery["log"]] == [1, 2, 3, 4]
        assert {a["responseStatus"] for a in delivery["log"]} == {500}
        events = asyncio.run(
            fetch(
                database_url,
                "SELECT data FROM events WHERE team_id = $1 AND type = 'webhook.disabled'",
                uuid.UUID(team),
            )
        )
        assert [json.loads(e["data"])["webhookId"] for e in events] == [webhook["webhook"]["id"]]

        # Fixed at the receiver's end: turned back on, the webhook gets deliveries again.
        receiver.status = 200
        hook_id = webhook["webhook"]["id"]
        again = caller("webhooks.update", id=hook_id, status="active")
        assert (again["status"], again["consecutiveFailures"], again["disabledReason"]) == (
            "active",
            0,
            None,
        )
        caller("webhooks.test", id=hook_id)
        wait_for(lambda: len(receiver.requests) == 5, timeout=30, what="the test delivery")
        assert json.loads(receiver.requests[-1].body)["type"] == "webhook.test"
        paused = caller("webhooks.update", id=hook_id, status="disabled")
        assert (paused["status"], paused["disabledReason"]) == ("disabled", "disabled by a member")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.1.2.3/hook",
        "https://169.254.169.254/latest",
        "http://[::1]:8080/",
        "http://192.168.0.10/",
        "http://0.0.0.0/",
        "http://100.64.1.1/",  # carrier-grade NAT: shared, not public
        "http://[64:ff9b::a00:1]/",  # 10.0.0.1 through NAT64
        "http://[fc00::1]/",
        "ftp://example.com/",
        "https://user:pw@example.com/",
        "http://[::1/",  # malformed: refused, not a crash
        "http://example.com:99999/",
    ],
)
async def test_internal_urls_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused):
        await check_url(url, allow_private=False)


async def test_public_addresses_pass_and_the_override_allows_private() -> None:
    assert str(await check_url("https://93.184.215.14/hook", allow_private=False)) == (
        "93.184.215.14"
    )
    assert str(await check_url("http://localhost:9/hook", allow_private=True)) == "127.0.0.1"


def test_a_send_goes_to_the_checked_address_under_the_original_name() -> None:
    v4 = ipaddress.ip_address("93.184.215.14")
    v6 = ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    assert pinned("https://hooks.example.com/in?x=1", v4) == (
        "https://93.184.215.14/in?x=1",
        {"Host": "hooks.example.com"},
        {"sni_hostname": "hooks.example.com"},  # TLS checks the certificate for the name
    )
    assert pinned("http://hooks.example.com:8080/in", v6) == (
        "http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8080/in",
        {"Host": "hooks.example.com:8080"},
        {},
    )


def test_the_procedures_refuse_internal_urls_and_isolate_teams(server: ServerProcess) -> None:
    caller, _ = member_of_new_team(server.base_url)
    with pytest.raises(CallFailed) as refused:
        caller("webhooks.create", url="http://127.0.0.1:9/hook", events=["sync.completed"])
    assert (refused.value.status, refused.value.code) == (422, "WEBHOOK_URL_REFUSED")
    with pytest.raises(CallFailed) as malformed:
        caller("webhooks.create", url="http://[::1", events=["sync.completed"])
    assert (malformed.value.status, malformed.value.code) == (422, "WEBHOOK_URL_REFUSED")
    with pytest.raises(CallFailed) as bad_event:
        caller("webhooks.create", url="https://93.184.215.14/", events=["nope"])
    assert bad_event.value.status == 400
    mine = caller("webhooks.create", url="https://93.184.215.14/", events=["sync.failed"])
    other: Caller = member_of_new_team(server.base_url, "other@example.com")[0]
    assert other("webhooks.list")["items"] == []
    for procedure in ("webhooks.delete", "webhooks.test", "webhooks.update"):
        with pytest.raises(CallFailed) as foreign:
            other(procedure, id=mine["webhook"]["id"])
        assert foreign.value.status == 404
    with pytest.raises(CallFailed) as moved_inside:
        caller("webhooks.update", id=mine["webhook"]["id"], url="http://10.0.0.7/hook")
    assert (moved_inside.value.status, moved_inside.value.code) == (422, "WEBHOOK_URL_REFUSED")
    moved = caller(
        "webhooks.update",
        id=mine["webhook"]["id"],
        url="https://93.184.215.15/",
        events=["sync.completed"],
    )
    assert (moved["url"], moved["events"], moved["status"]) == (
        "https://93.184.215.15/",
        ["sync.completed"],
        "active",
    )
    caller("webhooks.delete", id=mine["webhook"]["id"])
    assert caller("webhooks.list")["items"] == []

    # At most WEBHOOK_MAX_ENDPOINTS_PER_TEAM (16) per team; deleted ones do not count.
    def create(n: int) -> str:
        try:
            caller("webhooks.create", url=f"https://93.184.215.14/{n}", events=["sync.failed"])
        except CallFailed as failed:
            return f"{failed.status} {failed.code} {failed.data}"
        return "created"

    assert {create(n) for n in range(16)} == {"created"}
    assert create(16) == "422 WEBHOOK_LIMIT_REACHED {'limit': 16}"
    other("webhooks.create", url="https://93.184.215.14/b", events=["sync.failed"])  # per team
    caller("webhooks.delete", id=caller("webhooks.list")["items"][0]["id"])
    assert create(17) == "created"


# -- abuse: hostile receivers cost only their own deliveries ------------------------------------

_BOMB_MB = 1024  # inflates to 1 GiB; about 1 MB on the wire


def _gzip_bomb(megabytes: int) -> bytes:
    """A gzip stream of ``megabytes`` MiB of zeros, built from one flushed block repeated (about
    1 KB per MiB: deflate's best ratio), with a correct trailer."""
    mib = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()[:-8]
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(mib, crc)
    trailer = struct.pack("<II", crc, (megabytes << 20) & 0xFFFF_FFFF)
    return first + block * (megabytes - 1) + end + trailer


@dataclass
class Hostile:
    """Receivers that misbehave, by path: ``/bomb`` answers 500 with a gzip bomb, ``/drip``
    answers 500 and then a byte every 100 ms forever, ``/silent`` never answers. ``/ok`` (the
    other team's) records the POST and answers 204."""

    base: str = ""
    hits: dict[str, int] = field(default_factory=dict)
    ok: list[Received] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    state = Hostile()
    bomb = _gzip_bomb(_BOMB_MB)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            path = self.path.split("?")[0]
            state.hits[path] = state.hits.get(path, 0) + 1
            try:
                if path == "/ok":
                    state.ok.append(Received(time.monotonic(), dict(self.headers), body))
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif path == "/bomb":
                    self.send_response(500)
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Content-Length", str(len(bomb)))
                    self.end_headers()
                    self.wfile.write(bomb)
                elif path == "/drip":
                    self.send_response(500)
                    self.send_header("Content-Length", str(10**12))
                    self.end_headers()
                    while not state.stop.wait(0.1):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                else:  # /silent
                    state.stop.wait(120)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: what it should do

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with _serving(Handler) as base:
        state.base = base
        try:
            yield state
        finally:
            state.stop.set()  # the handlers that drip or wait end, so the server can stop


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


_DEADLINE = 3  # WEBHOOK_DELIVERY_DEADLINE_SECONDS in the abuse test


def test_hostile_receivers_cost_only_their_own_deliveries(
    settings: Settings, hostile: Hostile, database_url: str
) -> None:
    """A gzip bomb, an endless slow body and a receiver that never answers, more of them than
    there are delivery slots: the worker lives on (same pid, peak RSS within 100 MiB of what it
    was), each attempt is logged as failed with a short reason within the deadline, another
    team's export (a main-queue job) finishes within 10 s, and its delivery, queued behind the
    five on two slots, arrives within three deadlines (+3 s)."""
    env = {
        **_PRIVATE,
        "WORKER_CONCURRENCY": "2",
        "WEBHOOK_DELIVERY_CONCURRENCY": "2",
        "WEBHOOK_DELIVERY_DEADLINE_SECONDS": str(_DEADLINE),
        "WEBHOOK_RETRY_BASE_SECONDS": "3600",
    }
    with start_server(settings, **env) as server, start_worker(settings, **env) as worker:
        bad, _ = member_of_new_team(server.base_url, "bad@example.com")
        good, _ = member_of_new_team(server.base_url, "good@example.com")
        paths = ["/bomb", "/drip", "/drip", "/silent", "/silent"]
        for path in paths:
            bad("webhooks.create", url=f"{hostile.base}{path}", events=["subscriber.created"])
        good("webhooks.create", url=f"{hostile.base}/ok", events=["subscriber.created"])
        good("subscribers.create", email="warm-up@example.com")
        wait_for(lambda: hostile.ok, what="the worker up and delivering")
        rss_before = _peak_rss_mb(worker.pid)

        bad("subscribers.create", email="bait@example.com")
        wait_for(lambda: hostile.hits.get("/bomb"), what="the bomb requested")
        sent = time.monotonic()
        good("subscribers.create", email="victim@example.com")
        export = good("exports.create", format="csv")
        finished = wait_for(
            lambda: (e := good("exports.get", id=export["id"]))["status"] == "succeeded" and e,
            timeout=10,
            what="the good team's export",
        )
        exported_in = time.monotonic() - sent
        # Five hostile deliveries ahead of it on two delivery slots: three deadlines at most.
        bound = 3 * _DEADLINE + 3
        wait_for(lambda: len(hostile.ok) == 2, timeout=bound, what="the good delivery")
        delivered_in = hostile.ok[1].at - sent

        def all_logged() -> list[dict[str, Any]] | None:
            items = bad("webhooks.deliveries")["items"]
            done = [d for d in items if d["log"] and "no outcome" not in d["log"][0]["error"]]
            return items if len(done) == len(paths) else None

        deliveries = wait_for(all_logged, timeout=3 * _DEADLINE + 10, what="every attempt logged")
        for delivery in deliveries:
            (attempt,) = delivery["log"]
            assert delivery["status"] == "pending" and delivery["attempts"] == 1
            assert attempt["error"] and len(attempt["error"]) <= 600, attempt
            assert attempt["durationMs"] < (_DEADLINE + 1) * 1000, attempt
        errors = sorted(d["log"][0]["error"] for d in deliveries)
        assert worker.poll() is None  # the same worker process, alive
        rss_after = _peak_rss_mb(worker.pid)
        print(
            f"\nabuse figures: good delivery {delivered_in:.2f} s, export {exported_in:.2f} s, "
            f"worker peak RSS {rss_before:.0f} -> {rss_after:.0f} MiB; errors: {errors}"
        )
        assert rss_after - rss_before < 100, (rss_before, rss_after)
        assert finished["status"] == "succeeded"

        # Killed mid-send, the worker leaves a failed attempt and a retry after the backoff,
        # not a delivery that is sent again at once, and again.
        hook = next(h for h in bad("webhooks.list")["items"] if h["url"].endswith("/silent"))
        before = hostile.hits.get("/silent", 0)
        queued = bad("webhooks.test", id=hook["id"])
        wait_for(lambda: hostile.hits.get("/silent", 0) > before, what="the test ping sent")
        worker.kill()
        worker.wait(10)
    (row,) = asyncio.run(
        fetch(
            database_url,
            "SELECT d.status, d.attempts, d.next_attempt_at > now() + interval '3000 seconds' "
            "AS backs_off, a.error FROM webhook_deliveries d JOIN webhook_attempts a "
            "ON a.delivery_id = d.id WHERE d.id = $1",
            uuid.UUID(queued["deliveryId"]),
        )
    )
    assert (row["status"], row["attempts"], row["backs_off"]) == ("pending", 1, True)
    assert "no outcome" in row["error"]


async def test_a_url_check_is_bounded_in_time_and_in_lookups_at_once() -> None:
    """A resolver that hangs costs a check WEBHOOK_URL_CHECK_TIMEOUT_SECONDS at most, waiting
    for a lookup thread included, and never more than ``concurrency`` threads."""
    release = threading.Event()
    started: list[str] = []

    def hanging(host: str, port: int) -> list[str]:
        started.append(host)
        release.wait(30)  # the fake resolver answers when the test lets it
        return ["93.184.215.14"]

    checker = UrlChecker(timeout=0.3, concurrency=1, allow_private=False, lookup=hanging)
    try:
        began = time.monotonic()
        outcomes = await asyncio.gather(
            checker.check("https://slow.example/hook"),
            checker.check("https://also-slow.example/hook"),
            return_exceptions=True,
        )
        took = time.monotonic() - began
        assert all(isinstance(o, UrlCheckTimedOut) for o in outcomes), outcomes
        assert "did not resolve within 0.3 s" in str(outcomes[0])
        assert took < 1.5, took
        assert started == ["slow.example"]  # one thread: the second check never got one
        release.set()
        wait_for(lambda: checker._executor._work_queue.empty(), what="the lookup thread free")
        assert str(await checker.check("https://fast.example/hook")) == "93.184.215.14"
    finally:
        release.set()
        checker.close()


async def test_two_creates_at_the_limit_cannot_both_pass(settings: Settings) -> None:
    """The count and the insert happen under the team's lock: a create that starts while
    another is uncommitted waits for it, then sees its endpoint and is refused."""
    capped = msgspec.structs.replace(settings, webhook_max_endpoints_per_team=2)
    runtime = Runtime(capped)
    await runtime.start()
    team, url = uuid.uuid4(), CheckedUrl("https://93.184.215.14/hook")
    try:
        async with unit_of_work(runtime, team_id=team) as work:
            await work.conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", team)
            await WebhookService(work).create(team, url, ["sync.failed"])

        async def create() -> None:
            async with unit_of_work(runtime, team_id=team) as work:
                await WebhookService(work).create(team, url, ["sync.failed"])

        async with unit_of_work(runtime, team_id=team) as first:
            await WebhookService(first).create(team, url, ["sync.failed"])  # the second of two
            # A context of its own: as another call's task would be (one unit of work per task).
            second = asyncio.create_task(create(), context=contextvars.Context())
            deadline = time.monotonic() + 10
            while not await first.conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ):
                assert not second.done(), "the second create did not wait for the first"
                assert time.monotonic() < deadline, "the second create never waited"
                await asyncio.sleep(0.02)
        with pytest.raises(WebhookLimitReached):
            await second
    finally:
        await runtime.stop()
