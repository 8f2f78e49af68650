"""The sync jobs: run one sync, re-queue stranded runs, queue every active connection."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import asyncpg
import msgspec

from app.db import error_text, set_tenant
from app.esp import EspError, InvalidCredentials, ProviderError, make_connector
from app.events import emit
from app.feed.jobs import SAFE_TO_PURGE, purge_rows
from app.jobs import JobContext, task_logged
from app.mail.outbox import queue_owner_mails
from app.observability import SYNC_ROWS
from app.quotas import lock_team_quota, running_syncs
from app.redaction import REDACTOR
from app.runtime import Runtime
from app.subscribers.days import count_days
from app.sync.queueing import enqueue_sync
from app.sync.runner import (
    ConnectionGone,
    DeletePolicy,
    load_staging,
    merge_staging,
    staging_table,
)
from app.sync.service import ConnectionService
from app.usage.plans import PLANS, period_of
from app.usage.service import UsageService
from app.work import held_unit_of_work

__all__ = [
    "purge_deleted_connections",
    "queue_active_connections",
    "sweep_queued_runs",
    "sync_all_active",
    "sync_connection",
]

log = logging.getLogger(__name__)


@task_logged
async def sync_connection(ctx: JobContext, *, sync_run_id: str, team_id: str) -> dict[str, Any]:
    """Run one sync: list the provider's subscribers, merge them, record the outcome."""
    runtime = ctx["runtime"]
    job = ctx.get("job")
    run_id, team = uuid.UUID(sync_run_id), uuid.UUID(team_id)
    async with runtime.db.acquire() as conn:
        connection_id = await _connection_of(conn, run_id, team)
        if connection_id is None:
            return {"skipped": "the run is already finished"}
        # The connection's lock before the run is touched: while another job holds it (this
        # run's own first job, still alive, or another run's), the run is left as it is (a
        # queued one is queued again by the sweeper). Held, no one else works on the run.
        locked = await conn.fetchval(
            "SELECT pg_try_advisory_lock(hashtextextended($1::text, 0))", str(connection_id)
        )
        if not locked:
            await _note_waiting(conn, run_id, team, "another sync of this connection is running")
            return {"skipped": "another sync of this connection is running"}
        try:
            try:
                started = await _start(
                    conn, run_id, team, runtime.settings.team_max_concurrent_syncs
                )
            except _TeamBusy as busy:
                await _requeue(conn, run_id, team, str(busy))
                return {"skipped": str(busy)}
            if started is None:
                return {"skipped": "the run is already finished"}
            policy = DeletePolicy(runtime.settings.sync_max_delete_share, started.allowance)
            return await _sync(runtime, conn, ctx, run_id, team, connection_id, policy)
        except InvalidCredentials as exc:
            await _fail_credentials(conn, run_id, team, connection_id, exc.message)
            return {"failed": exc.message}
        except ProviderError as exc:  # a refusal that a retry would not change
            error = f"provider error: {exc.message}"
            await _record_failure(conn, run_id, team, error, True, "provider_error")
            return {"failed": error}
        except ConnectionGone as exc:
            await _record_failure(conn, run_id, team, str(exc), True, "connection_deleted")
            return {"failed": str(exc)}
        except Exception as exc:  # ProviderUnavailable (5xx, rate limits, network) and bugs
            final = job is None or job.attempts >= job.retries
            error = REDACTOR.text(f"{type(exc).__name__}: {exc}")  # shown by syncRuns.get
            kind = "provider_unavailable" if isinstance(exc, EspError) else "internal"
            await _record_failure(conn, run_id, team, error, final, kind)
            raise
        finally:
            await conn.execute(
                "SELECT pg_advisory_unlock(hashtextextended($1::text, 0))", str(connection_id)
            )
            await conn.execute("DROP TABLE IF EXISTS sync_staging, sync_skipped, sync_rekey")
            await runtime.poke(team)


async def _sync(
    runtime: Runtime,
    conn: asyncpg.Connection,
    ctx: JobContext,
    run_id: uuid.UUID,
    team: uuid.UUID,
    connection_id: uuid.UUID,
    policy: DeletePolicy,
) -> dict[str, Any]:
    # On the job's own connection: a job holds one pooled connection, never waits for a second.
    async with held_unit_of_work(runtime, conn, team_id=team) as work:
        found = await ConnectionService(work).credentials(connection_id)
    provider, credentials, list_id = found
    connector = make_connector(provider, credentials, list_id, runtime.endpoints, runtime.http)
    job = ctx.get("job")

    async def progress(pages: int, rows: int) -> None:
        async with _as_team(conn, team):
            await conn.execute(
                "UPDATE sync_runs SET pages = $2, rows_seen = $3, heartbeat_at = now() "
                "WHERE id = $1",
                run_id,
                pages,
                rows,
            )
        await runtime.poke(team)
        if job is not None:
            await job.update()  # the heartbeat: a killed worker's job is taken over

    fetch_started = time.perf_counter()
    await staging_table(conn)
    listing = await load_staging(conn, connector.pages(), progress)
    fetch_seconds = time.perf_counter() - fetch_started
    # The merge and the run's outcome commit together: a worker killed in between leaves
    # neither, and the run that takes over counts the same rows.
    async with _as_team(conn, team):
        counts, withheld, merge_seconds = await merge_staging(
            conn, team_id=team, connection_id=connection_id, total=listing.total, policy=policy
        )
        # Withheld from a complete listing (empty, or too many): an approval can allow it.
        review = withheld.reason in ("empty_listing", "mass_deletion")
        await conn.execute(
            "UPDATE sync_runs SET status = $10::text, finished_at = now(), error = NULL, "
            "error_kind = NULL, created_count = $2, updated_count = $3, deleted_count = $4, "
            "unchanged_count = $5, conflict_count = $6, fetch_ms = $7, merge_ms = $8, "
            "skipped_count = $9, deletions_withheld = $11, withheld_count = $12, "
            "live_before = $13, provider_total = $14 "
            "WHERE id = $1 AND status = 'running'",
            run_id,
            counts.created,
            counts.updated,
            counts.deleted,
            counts.unchanged,
            counts.conflicts,
            round(fetch_seconds * 1000),
            round(merge_seconds * 1000),
            listing.skipped,
            "needs_review" if review else "succeeded",
            withheld.reason,
            withheld.count,
            withheld.live_before,
            listing.total,
        )
        await conn.execute(
            "UPDATE esp_connections SET last_synced_at = now() WHERE id = $1", connection_id
        )
        await count_days(conn, [team])  # today's rollup shows what the run did
        result: dict[str, Any] = {
            **msgspec.to_builtins(counts),
            "skipped": listing.skipped,
            "withheld": withheld.count,
        }
        await UsageService(conn).add(team, "synced_subscribers", counts.created + counts.updated)
        for outcome in ("created", "updated", "deleted", "unchanged"):
            SYNC_ROWS.labels(outcome).inc(result[outcome])
        data = {"syncRunId": str(run_id), "connectionId": str(connection_id), "counts": result}
        if review:
            reviewed = {**data, "reason": withheld.reason, "liveBefore": withheld.live_before}
            await emit(conn, team, "sync.needs_review", reviewed)
        else:
            await emit(conn, team, "sync.completed", data)
    log.info("sync run %s: %s, %s, skipped=%d", run_id, counts, withheld, listing.skipped)
    return result


@contextlib.asynccontextmanager
async def _as_team(conn: asyncpg.Connection, team: uuid.UUID) -> AsyncIterator[None]:
    """A short transaction on the job's own connection, under the team's row-level security."""
    async with conn.transaction():
        await set_tenant(conn, team_id=team)
        yield


class _Started(NamedTuple):
    allowance: int | None  # deletions an approval allows this run (None: the share rule)


class _TeamBusy(Exception):
    """The team already has TEAM_MAX_CONCURRENT_SYNCS runs running."""


async def _start(
    conn: asyncpg.Connection, run_id: uuid.UUID, team: uuid.UUID, limit: int
) -> _Started | None:
    """Mark the run running (its connection's lock held); None if it is finished;
    _TeamBusy (the run stays queued, for the sweeper) while the team has ``limit`` others
    running: cron runs are not refused up front."""
    async with _as_team(conn, team):
        await lock_team_quota(conn, "syncs", team)
        if await running_syncs(conn, team, run_id) >= limit:
            raise _TeamBusy(
                f"waiting: the team has {limit} syncs running (TEAM_MAX_CONCURRENT_SYNCS)"
            )
        # A run of a connection deleted meanwhile ends here (its subscribers stay tombstones).
        await conn.execute(
            "UPDATE sync_runs r SET status = 'failed', finished_at = now(), "
            "error = 'the connection was deleted', error_kind = 'connection_deleted' "
            "FROM esp_connections c "
            "WHERE r.id = $1 AND c.id = r.esp_connection_id AND c.deleted_at IS NOT NULL "
            "AND r.status IN ('queued', 'running')",
            run_id,
        )
        row = await conn.fetchrow(
            "UPDATE sync_runs SET status = 'running', started_at = now(), heartbeat_at = now(), "
            "attempts = attempts + 1 WHERE id = $1 AND status IN ('queued', 'running') "
            "RETURNING delete_allowance",
            run_id,
        )
    return None if row is None else _Started(row["delete_allowance"])


async def _connection_of(
    conn: asyncpg.Connection, run_id: uuid.UUID, team: uuid.UUID
) -> uuid.UUID | None:
    """The connection of a run still to do (queued or running); None once it is finished."""
    async with _as_team(conn, team):
        connection_id: uuid.UUID | None = await conn.fetchval(
            "SELECT esp_connection_id FROM sync_runs "
            "WHERE id = $1 AND status IN ('queued', 'running')",
            run_id,
        )
    return connection_id


async def _note_waiting(
    conn: asyncpg.Connection, run_id: uuid.UUID, team: uuid.UUID, why: str
) -> None:
    """Say why a queued run waits (a running one belongs to the job that holds its lock)."""
    async with _as_team(conn, team):
        await conn.execute(
            "UPDATE sync_runs SET error = $2 WHERE id = $1 AND status = 'queued'", run_id, why
        )


async def _requeue(conn: asyncpg.Connection, run_id: uuid.UUID, team: uuid.UUID, why: str) -> None:
    async with _as_team(conn, team):
        await conn.execute(
            "UPDATE sync_runs SET status = 'queued', error = $2 "
            "WHERE id = $1 AND status IN ('queued', 'running')",
            run_id,
            why,
        )


async def _record_failure(
    conn: asyncpg.Connection,
    run_id: uuid.UUID,
    team: uuid.UUID,
    error: str,
    final: bool,
    kind: str,
) -> None:
    async with _as_team(conn, team):
        connection_id = await conn.fetchval(
            # $2 typed once: a varchar column and a text literal disagree on it otherwise.
            "UPDATE sync_runs SET status = $2::text, error = $3, error_kind = $4, "
            "finished_at = CASE WHEN $2::text = 'failed' THEN now() END WHERE id = $1 "
            "RETURNING esp_connection_id",
            run_id,
            "failed" if final else "running",
            error_text(error),
            kind,
        )
        if final:
            await _failed_event(conn, team, run_id, connection_id, error)


async def _fail_credentials(
    conn: asyncpg.Connection,
    run_id: uuid.UUID,
    team: uuid.UUID,
    connection_id: uuid.UUID,
    reason: str,
) -> None:
    """The provider refused the credentials: no retry; the connection waits to be fixed."""
    async with _as_team(conn, team):
        await conn.execute(
            "UPDATE sync_runs SET status = 'failed', finished_at = now(), error = $2, "
            "error_kind = 'credentials_rejected' WHERE id = $1",
            run_id,
            error_text(f"credentials rejected: {reason}"),
        )
        was = await conn.fetchrow(
            "SELECT name, status FROM esp_connections WHERE id = $1 FOR UPDATE", connection_id
        )
        await conn.execute(
            "UPDATE esp_connections SET status = 'error', status_reason = $2 WHERE id = $1",
            connection_id,
            error_text(reason),
        )
        await _failed_event(conn, team, run_id, connection_id, f"credentials rejected: {reason}")
        if was is not None and was["status"] != "error":  # it falls into error: mail, once
            data = {"connectionId": str(connection_id), "connectionName": was["name"]}
            await queue_owner_mails(
                conn, team, "connection_error", {**data, "reason": error_text(reason, 500)}
            )


async def _failed_event(
    conn: asyncpg.Connection,
    team: uuid.UUID,
    run_id: uuid.UUID,
    connection_id: uuid.UUID | None,
    error: str,
) -> None:
    data = {
        "syncRunId": str(run_id),
        "connectionId": str(connection_id),
        "error": error_text(error),
    }
    await emit(conn, team, "sync.failed", data)


async def queue_active_connections(runtime: Runtime, tick: dt.datetime) -> int:
    """Queue one cron run per active connection for ``tick`` (idempotent per tick).

    Left out, as ``espConnections.sync`` would refuse them: teams scheduled for deletion, and
    teams whose synced subscribers this period have reached their plan's limit.
    """
    period_start, _ = period_of(tick)
    plans = list(PLANS)
    async with runtime.db.maintenance() as conn:
        rows = await conn.fetch(
            "INSERT INTO sync_runs (team_id, esp_connection_id, trigger, cron_tick) "
            "SELECT c.team_id, c.id, 'cron', $1 FROM esp_connections c "
            "JOIN teams t ON t.id = c.team_id AND t.deletion_due_at IS NULL "
            "JOIN unnest($2::text[], $3::bigint[]) AS p (plan, quota) ON p.plan = t.plan "
            "LEFT JOIN usage_counters u ON u.team_id = c.team_id AND u.period_start = $4 "
            "AND u.metric = 'synced_subscribers' "
            "WHERE c.status = 'active' AND c.deleted_at IS NULL "
            "AND (p.quota IS NULL OR coalesce(u.used, 0) < p.quota) "
            "ON CONFLICT (esp_connection_id, cron_tick) WHERE cron_tick IS NOT NULL DO NOTHING "
            "RETURNING id, team_id",
            tick,
            plans,
            [PLANS[plan].synced_subscribers for plan in plans],
            period_start,
        )
    for row in rows:
        await enqueue_sync(
            runtime.queue,
            run_id=row["id"],
            team_id=row["team_id"],
            heartbeat=runtime.settings.sync_heartbeat_seconds,
        )
        await runtime.poke(row["team_id"])
    return len(rows)


@task_logged
async def sync_all_active(ctx: JobContext) -> int:
    """The midnight cron: queue every active connection once for this tick."""
    job = ctx.get("job")
    # The tick is the time the cron fired for, the same for every worker that fires it.
    scheduled = job.scheduled if job is not None and job.scheduled else time.time()
    tick = dt.datetime.fromtimestamp(int(scheduled), dt.UTC)
    try:
        queued = await queue_active_connections(ctx["runtime"], tick)
    except Exception:
        log.exception("the scheduled sync of all connections failed for tick %s", tick)
        raise
    log.info("scheduled sync for %s: %d connection(s) queued", tick.isoformat(), queued)
    return queued


@task_logged
async def sweep_queued_runs(ctx: JobContext) -> int:
    """The outbox's guarantee: queue again (a) runs still ``queued`` after
    SYNC_REQUEUE_AFTER_SECONDS (Redis lost the job, or it waited for another sync of its
    connection) and (b) ``running`` runs whose worker died: heartbeat stale and the
    connection's sync lock free."""
    runtime = ctx["runtime"]
    settings = runtime.settings
    async with runtime.db.maintenance() as conn:
        orphaned = await conn.fetch(
            "UPDATE sync_runs SET status = 'queued', error = 'taken over from a stopped worker' "
            "WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1) "
            "AND pg_try_advisory_lock(hashtextextended(esp_connection_id::text, 0)) "
            "RETURNING id, team_id, attempts, esp_connection_id",
            settings.sync_heartbeat_seconds * 2,
        )
        for row in orphaned:  # the probe took the lock; the sync it re-queues needs it back
            await conn.execute(
                "SELECT pg_advisory_unlock(hashtextextended($1::text, 0))",
                str(row["esp_connection_id"]),
            )
        stranded = await conn.fetch(
            "SELECT id, team_id, attempts FROM sync_runs WHERE status = 'queued' "
            "AND queued_at < now() - make_interval(secs => $1) AND id <> ALL($2::uuid[]) "
            "ORDER BY queued_at",
            settings.sync_requeue_after_seconds,
            [row["id"] for row in orphaned],
        )
    for row in [*orphaned, *stranded]:
        await enqueue_sync(
            runtime.queue,
            run_id=row["id"],
            team_id=row["team_id"],
            heartbeat=settings.sync_heartbeat_seconds,
            attempt=row["attempts"],
        )
    return len(orphaned) + len(stranded)


# The subscribers of connections deleted more than CONNECTION_RESTORE_HOURS ago ($1).
_PURGE_DELETED = (
    "DELETE FROM subscribers s USING esp_connections c WHERE c.id = s.esp_connection_id "
    f"AND c.deleted_at < now() - make_interval(hours => $1) AND s.{SAFE_TO_PURGE} "
    "RETURNING s.txid",
)


@task_logged
async def purge_deleted_connections(ctx: JobContext) -> int:
    """Past its restore window (CONNECTION_RESTORE_HOURS), a deleted connection's subscribers
    are removed for good, local fields and all (the purge horizon moves past them); the
    connection stays a tombstone with its runs' history. The subscribers removed."""
    runtime = ctx["runtime"]
    async with runtime.db.maintenance() as conn:
        return await purge_rows(conn, _PURGE_DELETED, runtime.settings.connection_restore_hours)
