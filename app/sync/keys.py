"""Re-encrypting ESP credentials under the newest of SECRET_KEYS (``subnest keys rotate``)."""

from __future__ import annotations

import msgspec

from app.credentials import Sealed
from app.runtime import Runtime

__all__ = ["RotationReport", "rotate_credentials"]


class RotationReport(msgspec.Struct, frozen=True):
    rotated: int
    already_current: int
    changed_meanwhile: int


async def rotate_credentials(runtime: Runtime) -> RotationReport:
    """Re-seal every connection's credentials under the newest key, one row at a time.

    No downtime: every process keeps reading both keys while they stay in SECRET_KEYS, and a row
    changed by the API in the meantime is left as it is (it was sealed with the newest key).
    """
    cipher = runtime.cipher
    newest = cipher.newest_key_id
    rotated = changed = 0
    async with runtime.db.maintenance() as conn:
        current = await conn.fetchval(
            "SELECT count(*) FROM esp_connections WHERE credentials_key_id = $1", newest
        )
        rows = await conn.fetch(
            "SELECT id, credentials_ciphertext, credentials_key_id FROM esp_connections "
            "WHERE credentials_ciphertext IS NOT NULL AND credentials_key_id <> $1",
            newest,
        )
        for row in rows:
            old = Sealed(ciphertext=row["credentials_ciphertext"], key_id=row["credentials_key_id"])
            fresh = cipher.seal(row["id"], cipher.open(row["id"], old))
            status = await conn.execute(
                "UPDATE esp_connections SET credentials_ciphertext = $2, credentials_key_id = $3 "
                "WHERE id = $1 AND credentials_ciphertext = $4",
                row["id"],
                fresh.ciphertext,
                fresh.key_id,
                old.ciphertext,
            )
            if status == "UPDATE 1":
                rotated += 1
            else:
                changed += 1
    return RotationReport(rotated=rotated, already_current=current, changed_meanwhile=changed)
