"""`subnest keys rotate` re-encrypts every credential under the newest key."""

from __future__ import annotations

import base64
import subprocess
import uuid

import msgspec

from app.config import Settings
from app.credentials import CredentialCipher, Sealed
from app.runtime import Runtime
from app.services import unit_of_work
from rpc.masking import Secret
from tests.support import env_for, fetch, subnest


def _key(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(key_id.encode().ljust(32, b'#')).decode()}"


async def test_rotation_moves_every_credential_to_the_newest_key(
    settings: Settings, database_url: str
) -> None:
    old_only = msgspec.structs.replace(settings, secret_keys_raw=Secret(_key("old")))
    runtime = Runtime(old_only)
    await runtime.start()
    team, connection = uuid.uuid4(), uuid.uuid4()
    sealed = runtime.cipher.seal(connection, {"apiKey": "plain-secret-us1"})
    async with unit_of_work(runtime, team_id=team) as services:
        await services.conn.execute("INSERT INTO teams (id, name) VALUES ($1, 'T')", team)
        await services.conn.execute(
            "INSERT INTO esp_connections (id, team_id, provider, name, credentials_ciphertext, "
            "credentials_key_id) VALUES ($1, $2, 'kit', 'K', $3, $4)",
            connection,
            team,
            sealed.ciphertext,
            sealed.key_id,
        )
    await runtime.stop()

    both = env_for(settings, SECRET_KEYS=f"{_key('new')},{_key('old')}")

    def rotate() -> str:
        done = subprocess.run(
            subnest("keys", "rotate"), env=both, capture_output=True, text=True, check=True
        )
        return done.stdout

    assert "re-encrypted 1 connection(s) under key 'new'" in rotate()
    row = (
        await fetch(
            database_url,
            "SELECT credentials_ciphertext, credentials_key_id FROM esp_connections",
        )
    )[0]
    assert row["credentials_key_id"] == "new"
    assert b"plain-secret" not in row["credentials_ciphertext"]
    new_only = CredentialCipher(
        msgspec.structs.replace(settings, secret_keys_raw=Secret(_key("new"))).secret_keys
    )
    opened = new_only.open(connection, Sealed(row["credentials_ciphertext"], "new"))
    assert opened == {"apiKey": "plain-secret-us1"}
    assert "re-encrypted 0 connection(s)" in rotate() and "1 already used it" in rotate()
