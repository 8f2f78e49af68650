"""Idempotent writes (decision 0029): Idempotency-Key on team writes, against a real server and
database; the purge and row-level security of the keys."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from subnest_sdk import (
    ApiError,
    AsyncClient,
    Client,
    QuotaExceededError,
    RateLimitedError,
    RetryPolicy,
)

from app.api import build_registry, openapi_spec
from app.db import MAINTENANCE_ROLE, role_url
from app.idempotency.jobs import purge_idempotency_keys
from app.jobs import JobContext
from app.runtime import Runtime
from app.worker import build_worker
from tests.conftest import ModuleServer
from tests.support import (
    Caller,
    ServerProcess,
    compiled_typescript_sdk,
    fetch,
    join_by_sql,
    member_of_new_team,
)

NO_WAIT = RetryPolicy(max_attempts=3, backoff=0.0)

# Every team procedure that writes and takes a key; apiKeys.create and webhooks.create write too
# but answer a secret, which a kept answer would hold in the clear (decision 0029).
IDEMPOTENT = {
    "apiKeys.revoke",
    "espConnections.create",
    "espConnections.delete",
    "espConnections.restore",
    "espConnections.sync",
    "espConnections.update",
    "exports.create",
    "invitations.revoke",
    "members.add",
    "members.remove",
    "members.setRole",
    "subscribers.create",
    "subscribers.delete",
    "subscribers.restore",
    "subscribers.update",
    "syncRuns.approve",
    "teams.delete",
    "teams.restore",
    "webhooks.delete",
    "webhooks.test",
    "webhooks.update",
}


@dataclass
class Rig:
    server: ServerProcess
    database_url: str
    owner: Caller
    team_id: str


@pytest.fixture(scope="module")
def rig(module_server: ModuleServer) -> Iterator[Rig]:
    with module_server("idem") as (services, server):
        owner, team_id = member_of_new_team(server.base_url, "idem@example.com")
        yield Rig(server, services.database_url, owner, team_id)


def _post(
    rig: Rig, procedure: str, body: dict[str, Any], key: str | None, caller: Caller | None = None
) -> httpx.Response:
    headers = dict((caller or rig.owner).headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return httpx.post(
        f"{rig.server.base_url}/rpc/{procedure}", json=body, headers=headers, timeout=30
    )


def _count(rig: Rig, email: str) -> int:
    rows = asyncio.run(
        fetch(rig.database_url, "SELECT id FROM subscribers WHERE email = $1", email)
    )
    return len(rows)


def test_the_writes_that_take_a_key_and_the_document_says_so() -> None:
    registry = build_registry()
    assert {p.name for p in registry if p.idempotent} == IDEMPOTENT
    spec = openapi_spec(registry)
    for path, item in spec["paths"].items():
        operation = item["post"]
        names = [p["name"] for p in operation.get("parameters", [])]
        codes = {
            ref["$ref"].rsplit("/", 1)[-1]
            for response in operation["responses"].values()
            for ref in response.get("content", {})
            .get("application/json", {})
            .get("schema", {})
            .get("oneOf", [])
        }
        keyed = operation["operationId"] in IDEMPOTENT
        assert (names == ["Idempotency-Key"]) == keyed, path
        assert ("IdempotencyKeyReusedError" in codes) == keyed, path


def test_a_create_sent_again_with_its_key_makes_one_row_and_replays_the_answer(rig: Rig) -> None:
    key = str(uuid.uuid4())
    body = {"email": "once@example.com", "firstName": "Once"}
    first = _post(rig, "subscribers.create", body, key)
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    again = _post(rig, "subscribers.create", body, key)
    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert _count(rig, "once@example.com") == 1

    # The same input spelled otherwise (spacing, a default given) is the same request.
    spelled = httpx.post(
        f"{rig.server.base_url}/rpc/subscribers.create",
        content=b'{ "firstName": "Once",  "email": "once@example.com" }',
        headers={**rig.owner.headers, "Idempotency-Key": key, "content-type": "application/json"},
        timeout=30,
    )
    assert (spelled.status_code, spelled.content) == (200, first.content)

    # A status other than 200 is kept too.
    export = _post(rig, "exports.create", {"format": "csv"}, key + "-export")
    replay = _post(rig, "exports.create", {"format": "csv"}, key + "-export")
    assert (export.status_code, replay.status_code) == (202, 202)
    assert replay.content == export.content
    rows = asyncio.run(fetch(rig.database_url, "SELECT id FROM exports"))
    assert len(rows) == 1


def test_a_key_sent_with_another_body_or_procedure_is_refused(rig: Rig) -> None:
    key = str(uuid.uuid4())
    assert _post(rig, "subscribers.create", {"email": "a@example.com"}, key).status_code == 200
    other = _post(rig, "subscribers.create", {"email": "b@example.com"}, key)
    assert other.status_code == 422
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    elsewhere = _post(rig, "exports.create", {"format": "csv"}, key)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert _count(rig, "b@example.com") == 0


@pytest.mark.parametrize("key", ["", "a b", "x" * 256, "clé", 'quote"d'])
def test_a_malformed_key_is_a_validation_error(rig: Rig, key: str) -> None:
    answer = httpx.post(
        f"{rig.server.base_url}/rpc/subscribers.create",
        json={"email": "never@example.com"},
        headers={**rig.owner.headers, "Idempotency-Key": key.encode()},
        timeout=30,
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "VALIDATION_FAILED"
    assert answer.json()["data"]["path"] == "Idempotency-Key"


def test_a_read_ignores_a_key(rig: Rig) -> None:
    answer = _post(rig, "subscribers.list", {}, "a b")  # malformed, and not looked at
    assert answer.status_code == 200 and "idempotent-replayed" not in answer.headers


def test_only_the_caller_who_made_the_call_gets_it_again(rig: Rig) -> None:
    """A replay skips the procedure's own checks (a role): another member of the team, or an
    API key of it, sending the same key and body is refused, not answered."""
    key = str(uuid.uuid4())
    body = {"email": "mine-only@example.com"}
    assert _post(rig, "subscribers.create", body, key).status_code == 200
    other, _ = member_of_new_team(rig.server.base_url, "idem-member@example.com")
    asyncio.run(join_by_sql(rig.database_url, rig.team_id, "idem-member@example.com", "member"))
    member = Caller(rig.server.base_url, {**other.headers, "X-Team-Id": rig.team_id})
    refused = _post(rig, "subscribers.create", body, key, caller=member)
    assert (refused.status_code, refused.json()["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    signed_again = Caller(rig.server.base_url, {})(
        "auth.signIn", email="idem@example.com", password="password-123"
    )
    same_user = Caller(
        rig.server.base_url,
        {"Authorization": f"Bearer {signed_again['session']['token']}", "X-Team-Id": rig.team_id},
    )
    replay = _post(rig, "subscribers.create", body, key, caller=same_user)
    assert replay.headers["idempotent-replayed"] == "true", "the same member, another session"


def test_two_teams_may_use_the_same_key(rig: Rig) -> None:
    other, _ = member_of_new_team(rig.server.base_url, "idem-other@example.com")
    key = "shared-key-1"
    body = {"email": "same@example.com"}
    mine = _post(rig, "subscribers.create", body, key)
    theirs = _post(rig, "subscribers.create", body, key, caller=other)
    assert (mine.status_code, theirs.status_code) == (200, 200)
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert _count(rig, "same@example.com") == 2


def test_a_failed_call_keeps_nothing_and_its_key_may_be_sent_again(rig: Rig) -> None:
    taken = rig.owner("subscribers.create", email="taken@example.com")
    key = str(uuid.uuid4())
    body = {"email": "taken@example.com"}
    refused = _post(rig, "subscribers.create", body, key)
    assert (refused.status_code, refused.json()["code"]) == (409, "SUBSCRIBER_EXISTS")
    rig.owner("subscribers.delete", id=taken["id"])
    made = _post(rig, "subscribers.create", body, key)
    assert made.status_code == 200 and "idempotent-replayed" not in made.headers


def test_a_key_past_its_day_is_claimed_anew(rig: Rig) -> None:
    key = str(uuid.uuid4())
    assert _post(rig, "subscribers.create", {"email": "day1@example.com"}, key).status_code == 200

    async def age() -> None:
        conn = await asyncpg.connect(rig.database_url)
        try:
            await conn.execute(
                "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' "
                "WHERE key = $1",
                key,
            )
        finally:
            await conn.close()

    asyncio.run(age())
    later = _post(rig, "subscribers.create", {"email": "day2@example.com"}, key)
    assert later.status_code == 200 and "idempotent-replayed" not in later.headers


async def _waiting_on_locks(url: str, count: int) -> bool:
    rows = await fetch(
        url,
        "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()",
    )
    return int(rows[0]["n"]) >= count


def test_concurrent_twins_make_one_row(rig: Rig) -> None:
    """The first call is held mid-write (a test transaction holds the address it inserts);
    its twins wait on the key, then replay its answer once it commits."""
    email = "twins@example.com"
    key = str(uuid.uuid4())
    headers = {**rig.owner.headers, "Idempotency-Key": key}
    url = f"{rig.server.base_url}/rpc/subscribers.create"

    async def run() -> list[httpx.Response]:
        blocker = await asyncpg.connect(role_url(rig.database_url, MAINTENANCE_ROLE))
        try:
            holding = blocker.transaction()
            await holding.start()
            await blocker.execute(
                "INSERT INTO subscribers (team_id, email) VALUES ($1, $2)",
                uuid.UUID(rig.team_id),
                email,
            )
            async with httpx.AsyncClient(timeout=30) as client:
                first = asyncio.create_task(
                    client.post(url, json={"email": email}, headers=headers)
                )
                await _until(lambda: _waiting_on_locks(rig.database_url, 1))
                twins = [
                    asyncio.create_task(client.post(url, json={"email": email}, headers=headers))
                    for _ in range(3)
                ]
                await _until(lambda: _waiting_on_locks(rig.database_url, 4))
                await holding.rollback()
                return [await first, *[await t for t in twins]]
        finally:
            await blocker.close()

    answers = asyncio.run(run())
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.content for a in answers}) == 1
    assert [a.headers.get("idempotent-replayed") for a in answers] == [None, "true", "true", "true"]
    assert _count(rig, email) == 1


async def _until(check: Any, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the calls to block")
        await asyncio.sleep(0.02)


# --- the keys in the database -------------------------------------------------------------------


async def _team(conn: asyncpg.Connection, name: str) -> uuid.UUID:
    team_id = uuid.uuid4()
    await conn.execute("SELECT set_config('app.team_id', $1, false)", str(team_id))
    await conn.execute("INSERT INTO teams (id, name) VALUES ($1, $2)", team_id, name)
    return team_id


_INSERT = (
    "INSERT INTO idempotency_keys (team_id, key, caller, procedure, fingerprint, status, "
    "answer, created_at) VALUES ($1, $2, 'user:x', 'subscribers.create', '\\x00', 200, '{}', "
    "now() - $3::text::interval)"
)


async def test_a_team_sees_and_writes_only_its_own_keys(app_conn: asyncpg.Connection) -> None:
    team_a = await _team(app_conn, "Alpha")
    team_b = await _team(app_conn, "Beta")
    await app_conn.execute(_INSERT, team_b, "k", "0 hours")
    await app_conn.execute("SELECT set_config('app.team_id', $1, false)", str(team_a))
    await app_conn.execute(_INSERT, team_a, "k", "0 hours")  # the same key in another team
    rows = await app_conn.fetch("SELECT team_id FROM idempotency_keys")
    assert [r["team_id"] for r in rows] == [team_a]
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        await app_conn.execute(_INSERT, team_b, "k2", "0 hours")
    assert await app_conn.execute("UPDATE idempotency_keys SET status = 201") == "UPDATE 1"
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await app_conn.execute("DELETE FROM idempotency_keys")  # only the purge deletes


async def test_the_purge_removes_keys_older_than_a_day(
    runtime: Runtime, app_conn: asyncpg.Connection, database_url: str
) -> None:
    team = await _team(app_conn, "Alpha")
    for key, age in (("fresh", "1 hour"), ("almost", "23 hours 50 minutes"), ("old", "25 hours")):
        await app_conn.execute(_INSERT, team, key, age)
    other = await _team(app_conn, "Beta")
    await app_conn.execute(_INSERT, other, "old", "30 hours")

    assert await purge_idempotency_keys(JobContext(runtime=runtime)) == 2
    rows = await fetch(database_url, "SELECT key FROM idempotency_keys ORDER BY key")
    assert [r["key"] for r in rows] == ["almost", "fresh"]


async def test_the_worker_purges_keys_on_a_schedule(runtime: Runtime) -> None:
    scheduled = {job.function.__name__: job.cron for job in build_worker(runtime).cron_jobs}
    assert scheduled["purge_idempotency_keys"] == "29 * * * *"


# --- the SDKs: a key per write, retried through a real network fault ----------------------------


class LosingProxy:
    """A TCP proxy on loopback that forwards every request but drops the first ``drop``
    answers: it closes the client's connection as the server's answer arrives, so the client
    sees a network error after the server has committed the write."""

    def __init__(self, upstream: str, drop: int = 1) -> None:
        host, _, port = upstream.removeprefix("http://").partition(":")
        self.upstream = (host, int(port))
        self.drop = drop
        self.dropped = 0
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.upstream)
        threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
        with client, upstream:
            while chunk := _recv(upstream):
                with self._lock:
                    losing = self.dropped < self.drop
                    self.dropped += losing
                if losing:
                    client.shutdown(socket.SHUT_RDWR)
                    return
                client.sendall(chunk)

    def _requests(self, client: socket.socket, upstream: socket.socket) -> None:
        while chunk := _recv(client):
            self.requests.append(chunk)
            upstream.sendall(chunk)


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


@pytest.fixture
def proxy(rig: Rig) -> Iterator[LosingProxy]:
    losing = LosingProxy(rig.server.base_url)
    yield losing
    losing.close()


def _keys(proxy: LosingProxy) -> list[str]:
    found = []
    for chunk in proxy.requests:
        for line in chunk.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.lower() == b"idempotency-key":
                found.append(value.strip().decode())
    return found


def _owner_credentials(rig: Rig) -> dict[str, str]:
    return {
        "session_token": rig.owner.headers["Authorization"].removeprefix("Bearer "),
        "team_id": rig.team_id,
    }


def test_the_python_sdk_retries_a_lost_create_without_making_two(
    rig: Rig, proxy: LosingProxy
) -> None:
    with Client(proxy.base_url, retry=NO_WAIT, **_owner_credentials(rig)) as client:
        made = client.subscribers.create(email="lost-py@example.com")
    assert proxy.dropped == 1  # the first answer was lost after the server committed
    keys = _keys(proxy)
    assert len(keys) == 2 and keys[0] == keys[1], "one key for the call, sent on each attempt"
    assert _count(rig, "lost-py@example.com") == 1
    assert str(made.id) == _ids(rig, "lost-py@example.com")[0]


async def test_the_async_python_sdk_retries_a_lost_create_too(rig: Rig, proxy: LosingProxy) -> None:
    async with AsyncClient(proxy.base_url, retry=NO_WAIT, **_owner_credentials(rig)) as client:
        await client.subscribers.create(email="lost-async@example.com", idempotency_key="mine-1")
        again = await client.subscribers.create(
            email="lost-async@example.com", idempotency_key="mine-1"
        )
    assert _keys(proxy) == ["mine-1"] * 3  # the caller's own key, reused across calls
    assert again.email == "lost-async@example.com"
    rows = await fetch(rig.database_url, "SELECT id FROM subscribers WHERE email = $1", again.email)
    assert [r["id"] for r in rows] == [again.id]


def _ids(rig: Rig, email: str) -> list[str]:
    rows = asyncio.run(
        fetch(rig.database_url, "SELECT id FROM subscribers WHERE email = $1", email)
    )
    return [str(r["id"]) for r in rows]


def _mocked(*answers: httpx.Response | Exception) -> tuple[Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    http = httpx.Client(transport=httpx.MockTransport(handle))
    client = Client(
        "http://api.test", http_client=http, retry=NO_WAIT, session_token="s", team_id=uuid.uuid4()
    )
    return client, seen


def _answer(status: int, code: str, **data: Any) -> httpx.Response:
    body = {"code": code, "message": code.lower(), "data": data}
    return httpx.Response(status, json=body, headers={"retry-after": "0"})


def test_a_quota_429_is_not_retried_a_rate_limit_is() -> None:
    quota = _answer(429, "QUOTA_EXCEEDED", quota="exportBytes", limit=1, used=1, retryAfter=60)
    client, seen = _mocked(quota)
    with pytest.raises(QuotaExceededError):
        client.exports.create(format="csv")
    assert len(seen) == 1

    limited = _answer(429, "RATE_LIMITED", retryAfter=0)
    client, seen = _mocked(limited, limited, limited)
    with pytest.raises(RateLimitedError):
        client.subscribers.list()
    assert len(seen) == NO_WAIT.max_attempts


def test_what_the_python_sdk_sends_again_after_a_network_error_or_a_5xx() -> None:
    lost = httpx.ReadError("connection reset")
    ok = httpx.Response(200, json={"items": [], "nextAfter": None})
    client, seen = _mocked(lost, _answer(502, "BAD_GATEWAY"), ok)
    assert client.subscribers.list().items == []  # a read: sent again
    assert len(seen) == 3

    client, seen = _mocked(lost)
    with pytest.raises(httpx.ReadError):
        client.auth.sign_in(email="a@example.com", password="password-123")  # no key: once
    assert len(seen) == 1

    client, seen = _mocked(_answer(500, "INTERNAL", requestId="r"))
    with pytest.raises(ApiError):
        client.subscribers.delete(id=uuid.uuid4())  # a keyed write: sent again, same key
    assert len(seen) == NO_WAIT.max_attempts
    assert len({r.headers["idempotency-key"] for r in seen}) == 1
    with pytest.raises(ApiError):
        client.subscribers.delete(id=uuid.uuid4())
    assert len({r.headers["idempotency-key"] for r in seen}) == 2, "a new key for a new call"


def test_the_typescript_sdk_retries_a_lost_create_without_making_two(
    rig: Rig, proxy: LosingProxy, tmp_path: Path
) -> None:
    index = compiled_typescript_sdk(tmp_path / "dist")
    credentials = _owner_credentials(rig)
    ran = subprocess.run(
        [
            "node",
            str(Path(__file__).with_name("idempotent_retry.mjs")),
            str(index),
            proxy.base_url,
            credentials["session_token"],
            credentials["team_id"],
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout)
    assert proxy.dropped == 1
    keys = _keys(proxy)
    assert keys[0] == keys[1] and keys[2:] == ["ts-own-key", "ts-own-key"]
    assert _ids(rig, "lost-ts@example.com") == [result["created"]]
    own = result["own"]
    assert own[0] == own[1] and _ids(rig, "own-ts@example.com") == [own[0]]
    assert result["quota"] == {"attempts": 1, "code": "QUOTA_EXCEEDED"}
