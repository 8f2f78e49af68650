"""`subnest keys rotate` re-encrypts every sealed secret (ESP credentials and webhook secrets)
under the newest key, and says what it did; the old key can then go."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import uuid

import msgspec

from app.config import Settings
from app.credentials import CredentialCipher, Sealed
from app.runtime import Runtime
from app.webhooks.service import WebhookService
from app.work import unit_of_work
from rpc import Secret
from tests.support import (
    env_for,
    fetch,
    start_worker,
    subnest,
    wait_for,
)
from tests.test_webhooks import Receiver, _verify
from tests.test_webhooks import receiver as receiver  # the fixture

_PRIVATE = {"WEBHOOK_ALLOW_PRIVATE_URLS": "true"}


def _key(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(key_id.encode().ljust(32, b'#')).decode()}"


async def test_rotation_reseals_every_secret_and_the_old_key_can_go(
    settings: Settings, database_url: str, receiver: Receiver
) -> None:
    old_only = msgspec.structs.replace(settings, secret_keys_raw=Secret(_key("old")))
    new_only = msgspec.structs.replace(settings, secret_keys_raw=Secret(_key("new")))
    team, connection, hook_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    secret = "whsec_sealed-under-the-old-key"
    runtime = Runtime(old_only)
    await runtime.start()
    try:
        sealed = runtime.cipher.seal(connection, {"apiKey": "plain-secret-us1"})
        sealed_secret = runtime.cipher.seal(hook_id, {"secret": secret})
        async with unit_of_work(runtime, team_id=team) as work:
            await work.conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", team)
            await work.conn.execute(
                "INSERT INTO esp_connections (id, team_id, provider, name, "
                "credentials_ciphertext, credentials_key_id) VALUES ($1, $2, 'kit', 'K', $3, $4)",
                connection,
                team,
                sealed.ciphertext,
                sealed.key_id,
            )
            await work.conn.execute(
                "INSERT INTO webhook_endpoints (id, team_id, url, events, secret_ciphertext, "
                "secret_key_id) VALUES ($1, $2, $3, '{sync.failed}', $4, $5)",
                hook_id,
                team,
                receiver.url,
                sealed_secret.ciphertext,
                sealed_secret.key_id,
            )
    finally:
        await runtime.stop()

    def rotate(keys: str) -> subprocess.CompletedProcess[str]:
        env = env_for(settings, SECRET_KEYS=keys)
        return subprocess.run(subnest("keys", "rotate"), env=env, capture_output=True, text=True)

    done = rotate(f"{_key('new')},{_key('old')}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ESP credentials: re-encrypted 1 under key 'new'; 0 already used it; "
        "0 changed meanwhile (left as they are); 0 unreadable",
        "webhook secrets: re-encrypted 1 under key 'new'; 0 already used it; "
        "0 changed meanwhile (left as they are); 0 unreadable",
    ]
    (row,) = await fetch(
        database_url, "SELECT credentials_ciphertext, credentials_key_id FROM esp_connections"
    )
    (hook,) = await fetch(database_url, "SELECT secret_key_id FROM webhook_endpoints")
    assert (row["credentials_key_id"], hook["secret_key_id"]) == ("new", "new")
    assert b"plain-secret" not in row["credentials_ciphertext"]
    opened = CredentialCipher(new_only.secret_keys).open(
        connection, Sealed(row["credentials_ciphertext"], "new")
    )
    assert opened == {"apiKey": "plain-secret-us1"}
    again = rotate(f"{_key('new')},{_key('old')}").stdout
    assert "ESP credentials: re-encrypted 0 under key 'new'; 1 already used it" in again
    assert "webhook secrets: re-encrypted 0 under key 'new'; 1 already used it" in again

    # The old key removed: deliveries are still signed with the secret the team was shown.
    env = {**_PRIVATE, "SECRET_KEYS": _key("new")}
    runtime = Runtime(new_only)
    await runtime.start()
    try:
        with start_worker(settings, **env):
            async with unit_of_work(runtime, team_id=team) as work:
                delivery = await WebhookService(work).test(team, hook_id)
            await asyncio.to_thread(
                wait_for, lambda: receiver.requests, what="the delivery after rotation"
            )
        assert _verify(secret, receiver.requests[0])["type"] == "webhook.test"
        (attempt,) = await fetch(
            database_url, "SELECT error FROM webhook_attempts WHERE delivery_id = $1", delivery
        )
        assert attempt["error"] is None
    finally:
        await runtime.stop()

    # Rows sealed under a key that is gone are reported (and the command fails), not skipped.
    lost = rotate(_key("other"))
    assert lost.returncode == 1
    assert "ESP credentials: re-encrypted 0 under key 'other'" in lost.stdout
    assert "1 unreadable" in lost.stdout.splitlines()[1]
