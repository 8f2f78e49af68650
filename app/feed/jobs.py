"""The change feed's maintenance: tombstones past retention are removed for good, and the purge
horizon moves past them so that a cursor which might have missed one must refetch."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from app.jobs import JobContext, task_logged

__all__ = ["SAFE_TO_PURGE", "purge_rows", "purge_tombstones"]

# Only rows below the snapshot's xmin: every transaction before the new horizon has then ended,
# so a reader may step over the horizon without missing a late commit.
SAFE_TO_PURGE = "txid < pg_snapshot_xmin(pg_current_snapshot())"
_SAFE = f"deleted_at < $1 AND {SAFE_TO_PURGE}"
# Children first; a deleted connection goes only once nothing refers to it (its sync runs are
# history, never tombstoned, so such a connection stays).
_PURGES = (
    f"DELETE FROM subscribers WHERE {_SAFE} RETURNING txid",
    f"DELETE FROM exports WHERE {_SAFE} RETURNING txid",
    f"DELETE FROM esp_connections c WHERE {_SAFE} "
    "AND NOT EXISTS (SELECT 1 FROM subscribers s WHERE s.esp_connection_id = c.id) "
    "AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.esp_connection_id = c.id) RETURNING txid",
)


async def purge_rows(conn: asyncpg.Connection, purges: Sequence[str], *args: object) -> int:
    """Run each ``DELETE … RETURNING txid`` of ``purges`` (with ``args``) and move
    ``change_feed.purge_horizon_txid`` to just past the newest row removed, in one transaction:
    a cursor that might have missed one of them must refetch. The rows removed."""
    removed = 0
    newest: int | None = None
    async with conn.transaction():
        for purge in purges:
            row = await conn.fetchrow(
                f"WITH gone AS ({purge}) SELECT count(*) AS n, max(txid) AS newest FROM gone",
                *args,
            )
            assert row is not None
            removed += row["n"]
            if row["newest"] is not None:
                newest = max(newest or 0, row["newest"])
        if newest is not None:
            await conn.execute(
                "UPDATE change_feed SET purge_horizon_txid = "
                "greatest(purge_horizon_txid, ($1::numeric + 1)::text::xid8)",
                newest,
            )
    return removed


@task_logged
async def purge_tombstones(ctx: JobContext) -> int:
    """Remove tombstones older than TOMBSTONE_RETENTION_DAYS, in one transaction with the move
    of ``change_feed.purge_horizon_txid`` to just past the newest one removed."""
    runtime = ctx["runtime"]
    days = runtime.settings.tombstone_retention_days
    async with runtime.db.maintenance() as conn:
        cutoff = await conn.fetchval("SELECT now() - make_interval(days => $1)", days)
        return await purge_rows(conn, _PURGES, cutoff)
