"""The real processes: ``subnest serve``, ``subnest worker`` and ``subnest dev``."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import subprocess
import uuid
from pathlib import Path

import asyncpg
import httpx
import psutil
from saq import Status

from app.auth.secrets import verify_api_key
from app.config import Settings
from app.db import role_url
from app.runtime import Runtime
from app.worker import build_worker
from tests.support import Caller, ServerProcess, env_for, free_port, subnest, wait_for


def test_health_endpoints(server: ServerProcess) -> None:
    assert httpx.get(f"{server.base_url}/health").json() == {"status": "ok"}
    ready = httpx.get(f"{server.base_url}/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "redis": "ok", "workers": 0}


def test_the_docs_page_loads_only_its_own_assets(server: ServerProcess) -> None:
    """The API docs page runs no inline code and loads nothing from elsewhere: its scripts and
    styles come from the app (a pinned Swagger UI), and its Content-Security-Policy allows
    no other source."""
    page = httpx.get(f"{server.base_url}/api/documentation")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    directives = page.headers["content-security-policy"].split(";")
    policy = dict(d.strip().partition(" ")[::2] for d in directives if d.strip())
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'"  # the document and "Try it out" calls
    assert "unsafe" not in page.headers["content-security-policy"]
    html = page.text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts and all("src=" in tag and not body.strip() for tag, body in scripts)
    assert "<style" not in html and " style=" not in html
    assert "http" not in html  # no absolute URL
    # The icon is an empty data: URL (no /favicon.ico request); every other asset is served.
    assets = [a for a in re.findall(r'(?:src|href)="([^"]+)"', html) if a != "data:,"]
    kinds = {"js": "text/javascript", "css": "text/css"}
    assert sorted(a.rsplit(".", 1)[1] for a in assets) == ["css", "js", "js"], assets
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        served = httpx.get(f"{server.base_url}{asset}")
        assert served.status_code == 200, asset
        assert served.headers["content-type"].split(";")[0] == kinds[asset.rsplit(".", 1)[1]]
        assert served.headers["x-content-type-options"] == "nosniff"
    (spec_url,) = re.findall(r'data-spec-url="([^"]+)"', html)
    assert httpx.get(f"{server.base_url}{spec_url}").json()["openapi"] == "3.1.0"
    assert httpx.get(f"{server.base_url}/api/documentation/assets/README.md").status_code == 404


def test_serve_stops_cleanly_on_sigterm(server: ServerProcess) -> None:
    assert server.stop() == 0


def test_ready_answers_503_when_redis_is_unreachable(settings: Settings, tmp_path: Path) -> None:
    from tests.support import start_server

    with start_server(settings) as healthy:
        assert httpx.get(f"{healthy.base_url}/health/ready").status_code == 200
    broken = env_for(settings, PORT=str(free_port()), REDIS_URL=f"unix://{tmp_path}/none.sock")
    port = broken["PORT"]
    process = subprocess.Popen(subnest("serve"), env=broken)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{url}/health"), what="server up")
        ready = httpx.get(f"{url}/health/ready", timeout=10)
        assert ready.status_code == 503
        assert ready.json()["database"] == "ok"
        assert ready.json()["redis"].startswith("unavailable")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


async def test_worker_runs_jobs_and_stops_on_sigterm(
    settings: Settings, runtime: Runtime, database_url: str
) -> None:
    conn = await asyncpg.connect(role_url(database_url, "subnest_app"))
    try:
        user_id = await conn.fetchval(
            "INSERT INTO users (email) VALUES ('w@example.com') RETURNING id"
        )
        old = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
        for token, expires in (("a" * 64, old), ("b" * 64, old + dt.timedelta(days=10))):
            await conn.execute(
                "INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, $3)",
                user_id,
                token,
                expires,
            )
    finally:
        await conn.close()

    worker = subprocess.Popen(subnest("worker"), env=env_for(settings))
    try:
        await _worker_registered(runtime)
        job = await runtime.queue.enqueue("purge_expired_sessions", timeout=30, retries=3)
        assert job is not None
        # Until it completes: SAQ's sweep, which a new worker runs at once, may take a job it
        # finds still "queued" in the active list for a stuck one, abort it and run it again
        # (saq#124; decision 0015), so its first ending may be that abort.
        async with asyncio.timeout(30):
            while (done := await runtime.queue.job(job.key)) is None or (
                done.status != Status.COMPLETE
            ):
                await asyncio.sleep(0.05)
        assert done.result in (0, 1)  # 0: a second run after the first purged it
    finally:
        worker.send_signal(signal.SIGTERM)
        exit_code = await asyncio.to_thread(worker.wait, 15)
    assert exit_code == 0
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM sessions") == 1
    finally:
        await conn.close()


async def _worker_registered(runtime: Runtime, timeout: float = 20) -> None:
    """Wait until a worker has reported itself (its start-up sweep is done by then)."""
    async with asyncio.timeout(timeout):
        while not (await runtime.queue.info())["workers"]:
            await asyncio.sleep(0.05)


def _processes_using(path: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if any(str(path) in part for part in cmdline):
            found.append(proc)
    return found


def _start_dev(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    """``subnest dev`` with its own data dir and port, in a process group of its own (as a
    terminal runs it), once it has printed the demo key; and its output so far."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PORT")}
    env.update({"SUBNEST_DATA_DIR": str(data_dir), "PORT": str(port), "LOG_LEVEL": "WARNING"})
    process = subprocess.Popen(
        subnest("dev"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    for line in process.stdout:
        output.append(line)
        if "Demo key" in line:
            break
    return process, output


def _stopped_cleanly(process: subprocess.Popen[str], output: list[str], data_dir: Path) -> None:
    """After a signal: exit 0, no traceback from ``subnest dev`` or its children, and no
    embedded server left running."""
    rest, _ = process.communicate(timeout=60)
    output.append(rest)
    text = "".join(output)
    assert process.returncode == 0, text
    assert "Traceback" not in text and "[error" not in text and "[warning" not in text, text
    wait_for(lambda: not _processes_using(data_dir), timeout=10, what="embedded servers stopped")


def test_dev_starts_everything_with_demo_data_and_stops_it_all(server_data_dir: Path) -> None:
    data_dir = server_data_dir
    port = free_port()
    process, output = _start_dev(data_dir, port)
    try:
        text = "".join(output)
        key_match = re.search(r"X-API-Key: (\S+)", text)
        assert key_match, text
        assert f"http://127.0.0.1:{port}/api/documentation" in text
        ready = httpx.get(f"http://127.0.0.1:{port}/health/ready")
        assert ready.status_code == 200
        # A development API serves its metrics on this machine without METRICS_TOKEN.
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert metrics.status_code == 200 and "subnest_rpc_calls_total" in metrics.text

        pg_url = f"postgresql://postgres@/subnest?host={data_dir / 'pg'}"
        counts = asyncio.run(_demo_counts(pg_url, key_match.group(1)))
        assert counts == {"subscribers": 3000, "connections": 1, "key_matches": True}
        assert _processes_using(data_dir), "embedded servers run under the data dir"

        # "Sync now" on the demo connection works offline: its audience is served locally,
        # and each listing moves on (25 sign-ups, 5 departures, some unsubscribes).
        demo = Caller(f"http://127.0.0.1:{port}", {"X-API-Key": key_match.group(1)})
        (connection,) = demo("espConnections.list")["items"]
        runs = []
        for _ in range(2):
            queued = demo("espConnections.sync", id=connection["id"])
            runs.append(
                wait_for(
                    lambda q=queued: (
                        (r := demo("syncRuns.get", id=q["syncRunId"]))["status"]
                        in ("succeeded", "failed")
                        and r
                    ),
                    timeout=60,
                    what="the demo sync to finish",
                )
            )
        assert [r["status"] for r in runs] == ["succeeded", "succeeded"], runs
        assert [(r["created"], r["deleted"]) for r in runs] == [(25, 5), (25, 5)], runs
        assert runs[1]["unchanged"] > 2900 and 0 < runs[1]["updated"] <= 20, runs[1]
        counts = demo("subscribers.counts")
        assert counts["total"] == 3000 + 2 * 25 - 2 * 5, counts

        # Mail works offline: a sign-up's verification mail is caught by the local sink, shown
        # at /dev/mail (and printed), and its link verifies the address through the API.
        base = f"http://127.0.0.1:{port}"
        visitor = Caller(base, {})
        signed = visitor("auth.signUp", email="dev@example.com", password="pass-1234", name="D")
        page = wait_for(
            lambda: (
                (text := httpx.get(f"{base}/dev/mail").text) and "dev@example.com" in text and text
            ),
            timeout=30,
            what="the verification mail on /dev/mail",
        )
        link = re.search(rf"{re.escape(base)}/#verify=(snt_[A-Za-z0-9_-]+)", page)
        assert link, page
        visitor("auth.verifyEmail", token=link.group(1))
        visitor.headers["Authorization"] = f"Bearer {signed['session']['token']}"
        assert visitor("auth.me")["user"]["emailVerified"] is True
    finally:
        process.send_signal(signal.SIGTERM)  # to `subnest dev` alone, as a process manager does
    _stopped_cleanly(process, output, data_dir)
    assert "[mail] to dev@example.com: Verify your email address" in "".join(output)


def test_dev_stops_cleanly_on_ctrl_c(server_data_dir: Path) -> None:
    """A terminal's Ctrl-C sends SIGINT to the whole foreground process group: `subnest dev`,
    its API and worker, and any server it started there. The embedded Redis must outlive the
    children's disconnecting from it."""
    data_dir = server_data_dir
    process, output = _start_dev(data_dir, free_port())
    assert _processes_using(data_dir), "embedded servers run under the data dir"
    os.killpg(process.pid, signal.SIGINT)
    _stopped_cleanly(process, output, data_dir)


async def _demo_counts(url: str, api_key: str) -> dict[str, object]:
    conn = await asyncpg.connect(url)
    try:
        prefix = api_key.split("_")[1]
        key_hash = await conn.fetchval("SELECT key_hash FROM api_keys WHERE prefix = $1", prefix)
        return {
            "subscribers": await conn.fetchval("SELECT count(*) FROM subscribers"),
            "connections": await conn.fetchval("SELECT count(*) FROM esp_connections"),
            "key_matches": verify_api_key(key_hash, api_key),
        }
    finally:
        await conn.close()


def test_migrate_check_reports_pending_then_current(
    tmp_path: Path, empty_database_url: str
) -> None:
    env = {**os.environ, "DATABASE_URL": empty_database_url, "SUBNEST_DATA_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            subnest(*args), env=env, capture_output=True, text=True, timeout=60, check=False
        )

    pending = run("migrate", "--check")
    assert pending.returncode == 1
    assert "pending" in pending.stdout
    assert run("migrate").returncode == 0
    current = run("migrate", "--check")
    assert current.returncode == 0, current.stderr
    assert "schema is current" in current.stdout
    assert uuid


async def test_a_worker_waiting_for_jobs_is_answered_by_redis_before_its_socket_times_out(
    runtime: Runtime,
) -> None:
    # With SAQ's default (block until a job comes) redis-py's socket timeout ended every idle
    # wait on the client's side, and a job Redis handed over just then was moved to the active
    # list but never run (most likely how a dashboard export stayed "queued"): decision 0015.
    worker = build_worker(runtime)
    socket_timeout = runtime.queue.redis.connection_pool.make_connection().socket_timeout
    assert socket_timeout is not None
    assert 0 < worker.dequeue_timeout < socket_timeout
    started = asyncio.get_running_loop().time()
    assert await runtime.queue.dequeue(timeout=worker.dequeue_timeout) is None  # Redis: nothing
    assert asyncio.get_running_loop().time() - started < socket_timeout
