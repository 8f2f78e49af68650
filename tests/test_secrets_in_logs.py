"""No secret reaches a log line, a span or an error body (issue 14, item 1).

The end-to-end test runs a real ``subnest serve`` and ``subnest worker`` with JSON logs at DEBUG,
puts every kind of secret the system handles into frame locals (passwords and session tokens in
calls, an API key in the team tier, CRON_TOKEN in the cron tier, ESP credentials in the sync job,
a webhook secret in the delivery job, SECRET_KEYS and APP_DB_PASSWORD in ``settings``), makes
those calls and jobs fail with real database errors (grants revoked in the test's own database)
and greps both processes' stderr, and the spans they exported, for every secret.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import msgspec

from app.config import Settings
from rpc import Secret
from tests.fakes import fake_kit
from tests.support import (
    TEST_SECRET_KEYS,
    Caller,
    CallFailed,
    assert_no_secrets,
    fails,
    fetch,
    free_port,
    start_server,
    start_worker,
    wait_for,
)
from tests.test_tracing import Collector

CRON_TOKEN = "cron-0f9e8d7c6b5a4f3e2d1c"
APP_DB_PASSWORD = "app-db-pw-5e4d3c2b1a09"
OWNER_DB_PASSWORD = "owner-db-pw-a1b2c3d4e5f6"
PASSWORD = "correct-horse-battery-7Q"
OTHER_PASSWORD = "second-horse-battery-8R"


def _with_password(url: str, password: str) -> str:
    """``url`` with a password in its user part (the test cluster trusts local connections, so
    the server ignores it; the app still carries it in its DSN)."""
    parts = urlsplit(url)
    user = parts.username or "postgres"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))


def _key_forms(secret_keys: str) -> list[str]:
    """SECRET_KEYS as configured, each key's base64 part and the raw key as Python shows bytes."""
    forms = [secret_keys]
    for item in secret_keys.split(","):
        encoded = item.partition(":")[2]
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        forms += [encoded, repr(raw)[2:-1]]
    return forms


def _internal(failed: CallFailed, secrets: list[str]) -> None:
    """A 500 that says only INTERNAL and the request id."""
    assert failed.status == 500 and failed.code == "INTERNAL"
    assert set(failed.data) == {"requestId"}
    assert_no_secrets(str(failed.data) + str(failed), secrets)


async def _revoke(database_url: str, *statements: str) -> None:
    for statement in statements:
        await fetch(database_url, statement)


def _job_logged(database_url: str, job: str) -> bool:
    failed = "SELECT 1 FROM task_logs WHERE job = $1 AND status IN ('retrying', 'failed')"
    return bool(asyncio.run(fetch(database_url, failed, job)))


def test_no_secret_reaches_the_logs_of_failing_calls_and_jobs(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    server_log, worker_log = tmp_path / "server.log", tmp_path / "worker.log"
    settings = msgspec.structs.replace(
        settings,
        database_url=_with_password(database_url, OWNER_DB_PASSWORD),
        cron_token=Secret(CRON_TOKEN),
        app_db_password=Secret(APP_DB_PASSWORD),
    )
    with Collector().running() as collector, fake_kit(size=30, seed=11) as fake:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",
            "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
            "WEBHOOK_RETRY_BASE_SECONDS": "3600",
            "ESP_KIT_BASE_URL": fake.base_url,
        }
        with (
            server_log.open("wb") as server_err,
            worker_log.open("wb") as worker_err,
            start_server(settings, stderr=server_err, **env) as server,
            start_worker(settings, stderr=worker_err, **env),
        ):
            anonymous = Caller(server.base_url, {})
            signed = anonymous("auth.signUp", email="o@example.com", password=PASSWORD, name="O")
            token = signed["session"]["token"]
            member = Caller(server.base_url, {"Authorization": f"Bearer {token}"})
            team = member("teams.create", name="Newsletter")["id"]
            member.headers["X-Team-Id"] = team
            api_key = member("apiKeys.create", name="ci")["key"]
            keyed = Caller(server.base_url, {"X-API-Key": api_key})
            hook = member(
                "webhooks.create",
                url=f"http://127.0.0.1:{free_port()}/hook",
                events=["sync.completed"],
            )
            connection = fake.connect(member)
            received = [token, api_key, hook["secret"], *fake.credentials.values()]
            secrets = [
                *_key_forms(TEST_SECRET_KEYS),
                CRON_TOKEN,
                APP_DB_PASSWORD,
                OWNER_DB_PASSWORD,
                PASSWORD,
                OTHER_PASSWORD,
                *received,
            ]
            cron = Caller(server.base_url, {"Authorization": f"Bearer {CRON_TOKEN}"})

            asyncio.run(
                _revoke(
                    database_url,
                    "REVOKE ALL ON subscribers FROM subnest_app",
                    "REVOKE INSERT ON webhook_attempts FROM subnest_app",
                    "REVOKE INSERT ON sync_runs FROM subnest_maint",
                )
            )
            # Calls that fail in the database with a secret in the handler's or tier's locals.
            _internal(fails(keyed, "subscribers.list"), secrets)
            _internal(fails(member, "subscribers.list"), secrets)
            _internal(fails(cron, "cron.syncAll"), secrets)
            # Jobs that fail with ESP credentials / a webhook secret in their locals.
            member("espConnections.sync", id=connection["id"])
            member("webhooks.test", id=hook["webhook"]["id"])
            wait_for(lambda: _job_logged(database_url, "sync_connection"), what="the sync fails")
            wait_for(lambda: _job_logged(database_url, "deliver_webhook"), what="delivery fails")
            # Sign-up and sign-in that fail with the password (and a new token) in their locals.
            asyncio.run(_revoke(database_url, "REVOKE INSERT ON sessions FROM subnest_app"))
            _internal(
                fails(anonymous, "auth.signIn", email="o@example.com", password=PASSWORD), secrets
            )
            _internal(
                fails(
                    anonymous,
                    "auth.signUp",
                    email="p@example.com",
                    password=OTHER_PASSWORD,
                    name="P",
                ),
                secrets,
            )
            # A validation error does not quote the value it refused.
            refused = fails(anonymous, "auth.signIn", email="o@example.com", password=PASSWORD * 10)
            assert refused.status == 400
            assert_no_secrets(str(refused) + str(refused.data), secrets)
            assert httpx.get(f"{server.base_url}/health/ready").status_code == 200

        spans = [str(each.span) for each in collector.spans]  # flushed at shutdown
    server_text, worker_text = server_log.read_text(), worker_log.read_text()
    # The failures were logged, with their tracebacks: the test looked where secrets would be.
    for procedure in ("subscribers.list", "cron.syncAll", "auth.signIn", "auth.signUp"):
        assert f"procedure {procedure} failed" in server_text
    assert "InsufficientPrivilegeError" in server_text
    assert "InsufficientPrivilegeError" in worker_text
    assert "sync_connection" in worker_text and "deliver_webhook" in worker_text
    assert_no_secrets(server_text + worker_text, secrets)
    # The spans of those calls and jobs recorded their exceptions, and no secret.
    assert sum("exception.stacktrace" in span for span in spans) >= 6
    assert_no_secrets("\n".join(spans), secrets)
