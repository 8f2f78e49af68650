"""Re-sealing every secret the app encrypts under the newest of SECRET_KEYS
(``subnest keys rotate``): ESP credentials and webhook secrets.

No downtime: every process keeps reading every key while it stays in SECRET_KEYS, and a row
changed by the API in the meantime is left as it is (it was sealed with the newest key). Once a
rotation reports nothing left under an old key (and nothing unreadable), that key can go.
"""

from __future__ import annotations

import msgspec

from app.credentials import CredentialsUnreadable, Sealed
from app.runtime import Runtime

__all__ = ["SEALED_COLUMNS", "KindReport", "RotationReport", "SealedColumn", "rotate_keys"]


class SealedColumn(msgspec.Struct, frozen=True):
    """Where one kind of secret is kept: the table, its ciphertext and key-id columns (the row's
    ``id`` is the associated data it is sealed to)."""

    kind: str
    table: str
    ciphertext: str
    key_id: str


# Every sealed column. A new one is added here, or `subnest keys rotate` leaves it behind.
SEALED_COLUMNS = (
    SealedColumn(
        "ESP credentials", "esp_connections", "credentials_ciphertext", "credentials_key_id"
    ),
    SealedColumn("webhook secrets", "webhook_endpoints", "secret_ciphertext", "secret_key_id"),
)


class KindReport(msgspec.Struct, frozen=True):
    kind: str
    rotated: int
    already_current: int
    changed_meanwhile: int
    # Sealed under a key no longer in SECRET_KEYS (or altered): left as they are, and reported.
    unreadable: int


class RotationReport(msgspec.Struct, frozen=True):
    key_id: str
    kinds: tuple[KindReport, ...]

    @property
    def unreadable(self) -> int:
        return sum(kind.unreadable for kind in self.kinds)

    def lines(self) -> list[str]:
        """What ``subnest keys rotate`` prints: one line per kind."""
        return [
            f"{k.kind}: re-encrypted {k.rotated} under key {self.key_id!r}; "
            f"{k.already_current} already used it; {k.changed_meanwhile} changed meanwhile "
            f"(left as they are); {k.unreadable} unreadable"
            for k in self.kinds
        ]


async def rotate_keys(runtime: Runtime) -> RotationReport:
    """Re-seal every sealed column's rows under the newest key, one row at a time."""
    kinds = [await _rotate(runtime, column) for column in SEALED_COLUMNS]
    return RotationReport(key_id=runtime.cipher.newest_key_id, kinds=tuple(kinds))


async def _rotate(runtime: Runtime, column: SealedColumn) -> KindReport:
    cipher = runtime.cipher
    newest = cipher.newest_key_id
    table, data, key = column.table, column.ciphertext, column.key_id
    rotated = changed = unreadable = 0
    async with runtime.db.maintenance() as conn:
        current = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {key} = $1", newest)
        rows = await conn.fetch(
            f"SELECT id, {data} AS data, {key} AS key FROM {table} "
            f"WHERE {data} IS NOT NULL AND {key} <> $1",
            newest,
        )
        for row in rows:
            old = Sealed(ciphertext=row["data"], key_id=row["key"])
            try:
                fresh = cipher.seal(row["id"], cipher.open(row["id"], old))
            except CredentialsUnreadable:
                unreadable += 1
                continue
            status = await conn.execute(
                f"UPDATE {table} SET {data} = $2, {key} = $3 WHERE id = $1 AND {data} = $4",
                row["id"],
                fresh.ciphertext,
                fresh.key_id,
                old.ciphertext,
            )
            if status == "UPDATE 1":
                rotated += 1
            else:
                changed += 1
    return KindReport(column.kind, rotated, current, changed, unreadable)
