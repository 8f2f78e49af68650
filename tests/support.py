"""Helpers for tests that run the real processes: servers, workers, the CLI."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import json
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import asyncpg
import httpx
import msgspec
import pytest

from app.config import Settings
from app.db import role_url
from rpc import reveal

T = TypeVar("T")

TS_SDK = Path(__file__).resolve().parent.parent / "sdk" / "ts"

# A fixed, valid key for tests only: base64 of "test-key-32-bytes-long-000000000".
TEST_SECRET_KEYS = "test1:dGVzdC1rZXktMzItYnl0ZXMtbG9uZy0wMDAwMDAwMDA"


def wait_for(
    probe: Callable[[], T | None], *, timeout: float = 20.0, interval: float = 0.05, what: str = ""
) -> T:
    """Call ``probe`` until it returns something other than None (or falsy), within ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what or probe}")
        time.sleep(interval)


async def fetch(url: str, query: str, *args: object) -> list[asyncpg.Record]:
    """Run one query on a connection of its own."""
    conn = await asyncpg.connect(url)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def generic_plans(database_url: str, team_id: uuid.UUID) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the API's role, under the team's row-level security, whose prepared
    statements run on their generic plan (what a pooled connection soon does): for EXPLAIN."""
    conn = await asyncpg.connect(role_url(database_url, "subnest_app"))
    try:
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        await conn.execute("SELECT set_config('app.team_id', $1, false)", str(team_id))
        yield conn
    finally:
        await conn.close()


async def add_connection(url: str, team_id: uuid.UUID) -> uuid.UUID:
    """An ESP connection row of the team (no credentials: for tests that never sync it)."""
    (row,) = await fetch(
        url,
        "INSERT INTO esp_connections (team_id, provider, name) VALUES ($1, 'kit', 'K') "
        "RETURNING id",
        team_id,
    )
    connection: uuid.UUID = row["id"]
    return connection


async def join_by_sql(url: str, team_id: uuid.UUID | str, email: str, role: str) -> None:
    """Make the account of ``email`` a member of the team straight in the database, for tests
    about what members may do: joining is ``members.add`` (an invitation) then
    ``invitations.accept``, which tests/test_mail.py follows through a real SMTP sink."""
    await fetch(
        url,
        "INSERT INTO memberships (team_id, user_id, role) "
        "SELECT $1, id, $3 FROM users WHERE email = $2",
        uuid.UUID(str(team_id)),
        email,
        role,
    )


_PORTS_PER_WORKER = 500
_next_port = itertools.count(random.randrange(_PORTS_PER_WORKER))  # apart from other runs


def free_port() -> int:
    """A free port that no other xdist worker of this run hands out: each worker takes ports
    in turn from its own range below the kernel's ephemeral ones. (A port the kernel gives and
    takes back may go to another worker's server before ours binds it; ours then fails to bind
    while its readiness probe is answered by the other one.)"""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    first = 20_000 + (int(worker) % 24) * _PORTS_PER_WORKER if worker.isdigit() else 20_000
    for _ in range(_PORTS_PER_WORKER):
        port = first + next(_next_port) % _PORTS_PER_WORKER
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # taken (by something outside this run)
            return port
    raise RuntimeError(f"no free port in {first}-{first + _PORTS_PER_WORKER - 1}")


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a subprocess needs to run with ``settings``."""
    raw = msgspec.to_builtins(settings, enc_hook=reveal)  # the secrets' plain values
    env = {k: str(v) for k, v in raw.items() if v is not None}
    return {**os.environ, **env, **extra}


def subnest(*args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    base_url: str

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then wait for the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def _ready(url: str, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise RuntimeError(f"server exited with {process.returncode} during start-up")
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=1).status_code == 200
    return False


@contextlib.contextmanager
def start_server(
    settings: Settings,
    *,
    stderr: IO[bytes] | None = None,
    port: int | None = None,
    command: Sequence[str] | None = None,
    **extra_env: str,
) -> Iterator[ServerProcess]:
    """``subnest serve`` (or ``command``, a server of the same settings) on ``port`` (a free one
    by default: give a stopped server's to restart it where its clients are); ready when
    yielded; stopped (SIGTERM) afterwards. ``stderr``: where its log lines go (the test's own
    stderr by default)."""
    port = port or free_port()
    env = env_for(settings, PORT=str(port), **extra_env)
    process = subprocess.Popen(command or subnest("serve"), env=env, stderr=stderr)
    server = ServerProcess(process, f"http://127.0.0.1:{port}")
    try:
        # Generous: start-up is slow only on a loaded machine, and a crash ends the wait at once.
        wait_for(
            lambda: _ready(f"{server.base_url}/health/ready", process),
            timeout=60,
            what="server ready",
        )
        yield server
    finally:
        server.stop()


class CallFailed(Exception):
    """An rpc call answered an error: ``status`` and the body's ``code``/``data``."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {body.get('code')}: {body.get('message')}")
        self.status = status
        self.code: str = body.get("code", "")
        self.data: dict[str, Any] = body.get("data", {})


@dataclass
class Caller:
    """Plain HTTP calls to ``/rpc/<name>`` (for tests of what the SDK does not cover)."""

    base_url: str
    headers: dict[str, str]

    def __call__(self, procedure: str, /, **body: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.base_url}/rpc/{procedure}", json=body, headers=self.headers, timeout=30
        )
        payload: dict[str, Any] = response.json()
        if response.status_code >= 400:
            raise CallFailed(response.status_code, payload)
        return payload


def fails(caller: Caller, procedure: str, /, **body: Any) -> CallFailed:
    """The error a call must answer with (the test fails if it succeeds)."""
    try:
        caller(procedure, **body)
    except CallFailed as failed:
        return failed
    raise AssertionError(f"{procedure} succeeded; an error was expected")


def member_of_new_team(base_url: str, email: str = "owner@example.com") -> tuple[Caller, str]:
    """Sign up, create a team; a Caller with the session and team headers, and the team id."""
    anonymous = Caller(base_url, {})
    signed = anonymous("auth.signUp", email=email, password="password-123", name="Owner")
    caller = Caller(base_url, {"Authorization": f"Bearer {signed['session']['token']}"})
    team = caller("teams.create", name="Newsletter")
    caller.headers["X-Team-Id"] = team["id"]
    return caller, team["id"]


@contextlib.contextmanager
def start_worker(
    settings: Settings, *, stderr: IO[bytes] | None = None, **extra_env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``subnest worker`` in its own process; SIGTERM and wait afterwards. ``stderr``: where
    its log lines go (the test's own stderr by default)."""
    process = subprocess.Popen(subnest("worker"), env=env_for(settings, **extra_env), stderr=stderr)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(30)


def typescript_compiler() -> Path:
    """``sdk/ts/node_modules/.bin/tsc``, after ``npm ci`` if it is missing (one process at a
    time: xdist workers share the folder); the test is skipped without node and npm."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: the TypeScript SDK cannot be checked")
    tsc = TS_SDK / "node_modules" / ".bin" / "tsc"
    key = hashlib.sha256(str(TS_SDK).encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"subnest-sdk-npm-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not tsc.exists():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund"],
                cwd=TS_SDK,
                check=True,
                capture_output=True,
                timeout=600,
            )
    return tsc


def compiled_typescript(project: Path, out: Path) -> None:
    """The TypeScript project ``project`` (its folder or tsconfig.json) compiled with ``tsc
    --strict`` into ``out`` as ES modules that node runs (dependencies from sdk/ts/node_modules)."""
    compiled = subprocess.run(
        [str(typescript_compiler()), "-p", str(project), "--strict", "--outDir", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    (out / "package.json").write_text('{"type": "module"}\n')
    (out / "node_modules").symlink_to(TS_SDK / "node_modules", target_is_directory=True)


def compiled_typescript_sdk(out: Path) -> Path:
    """sdk/ts compiled by ``compiled_typescript`` into ``out``; the path of its ``index.js``."""
    compiled_typescript(TS_SDK, out)
    return out / "index.js"


def assert_no_secrets(text: str, secrets: Iterable[str]) -> None:
    """Fail, naming each secret found and the line it is on, if ``text`` (a log, a body)
    contains any of ``secrets`` (case-sensitive; empty strings are skipped)."""
    found: list[str] = []
    for secret in dict.fromkeys(s for s in secrets if s):
        at = text.find(secret)
        if at >= 0:
            start = max(text.rfind("\n", 0, at) + 1, at - 150)
            end = min(e if (e := text.find("\n", at)) >= 0 else len(text), at + 150)
            found.append(f"{secret!r} in: …{text[start:end]}…")
    assert not found, f"{len(found)} secret(s) leaked:\n" + "\n".join(found)


class NodeReplica:
    """tests/node/replica.mjs in a process (the TypeScript SDK's SyncClient compiled in
    ``sdk``, following ``filter`` if given): its messages in order, commands on stdin."""

    def __init__(
        self,
        sdk: Path,
        base_url: str,
        token: str,
        team_id: str,
        page_size: int = 7,
        filter: dict[str, Any] | None = None,
    ) -> None:
        driver = Path(__file__).parent / "node" / "replica.mjs"
        args = [str(sdk), base_url, token, team_id, str(page_size), json.dumps(filter or {})]
        self.process = subprocess.Popen(
            ["node", str(driver), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.seen: list[dict[str, Any]] = []
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(json.loads(line))
        self._lines.put(None)

    def wait(
        self, match: Callable[[dict[str, Any]], bool], *, since: int = 0, timeout: float = 30
    ) -> dict[str, Any]:
        """The first message from index ``since`` on that ``match``es, waiting for it."""
        deadline = time.monotonic() + timeout
        index = since
        while True:
            while index < len(self.seen):
                if match(self.seen[index]):
                    return self.seen[index]
                index += 1
            left = deadline - time.monotonic()
            try:
                message = self._lines.get(timeout=max(left, 0.001))
            except queue.Empty:
                raise TimeoutError(f"no such message; seen: {self.seen}") from None
            if message is None:
                raise AssertionError(f"the replica exited; seen: {self.seen}")
            self.seen.append(message)

    def status(self, status: str, *, since: int) -> None:
        self.wait(lambda m: m.get("status") == status, since=since)

    def dump(self, what: str = "dump") -> dict[str, Any]:
        """The replica's state (``ids``: with only the rows' ids)."""
        self.send(what)
        state: dict[str, Any] = self.wait(lambda m: what in m, since=len(self.seen))[what]
        return state

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        if self.process.poll() is None:
            self.send("stop")
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(10)  # at the end of its output
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
