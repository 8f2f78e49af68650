"""What every SAQ job gets: its context, and a task log of each attempt."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from saq.types import Context

from app.db import error_text, rows_affected
from app.observability import observe_job
from app.redaction import REDACTOR
from app.tracing import job_span

if TYPE_CHECKING:
    from app.runtime import Runtime

__all__ = ["JobContext", "purge_history", "task_logged"]

log = logging.getLogger(__name__)
R = TypeVar("R")


class JobContext(Context, total=False):
    runtime: Runtime


def task_logged(
    function: Callable[..., Awaitable[R]],
) -> Callable[..., Awaitable[R]]:
    """Record each attempt of the job in ``task_logs``: attempt, outcome, error, duration.

    An attempt that fails but has retries left is logged as ``retrying``.
    """

    @functools.wraps(function)
    async def logged(ctx: JobContext, **kwargs: Any) -> R:
        job = ctx.get("job")
        started = time.perf_counter()
        status, error = "succeeded", None
        try:
            with job_span(function.__name__, job, kwargs):
                return await function(ctx, **kwargs)
        except BaseException as exc:
            retrying = job is not None and job.attempts < job.retries
            status = "retrying" if retrying else "failed"
            error = REDACTOR.text(f"{type(exc).__name__}: {exc}")  # the task log is a log too
            raise
        finally:
            observe_job(function.__name__, status, time.perf_counter() - started)
            await _record(ctx, function.__name__, kwargs, status, error, started)

    return logged


_RECORD = (
    "INSERT INTO task_logs (job, job_key, team_id, attempt, status, error, duration_ms) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"
)


async def _record(
    ctx: JobContext,
    name: str,
    kwargs: dict[str, Any],
    status: str,
    error: str | None,
    started: float,
) -> None:
    """A team's job logs under its team, through the app role and row-level security; a system
    job (no ``team_id``) logs a row of no team, which only the maintenance role may write."""
    job = ctx.get("job")
    runtime = ctx["runtime"]
    team = kwargs.get("team_id")
    try:
        team_id = uuid.UUID(str(team)) if team is not None else None
        row = (
            name,
            job.key if job else name,
            team_id,
            job.attempts if job else 1,
            status,
            error_text(error) if error else None,
            (time.perf_counter() - started) * 1000,
        )
        if team_id is None:
            async with runtime.db.maintenance() as conn:
                await conn.execute(_RECORD, *row)
        else:
            async with runtime.db.transaction(team_id=team_id) as transaction:
                await transaction.connection.execute(_RECORD, *row)
    except Exception as exc:  # the log must not turn a finished job into a failed one
        runtime.unavailable.log(exc, f"writing the task log of {name}", log)


# Past HISTORY_RETENTION_DAYS: task logs; events whose webhooks are done with them (their
# deliveries and attempts go with them); deliveries of no event (webhooks.test) likewise;
# mails sent or given up; mailed tokens expired that long ago.
_PURGE_HISTORY = (
    "DELETE FROM task_logs WHERE created_at < $1",
    "DELETE FROM events e WHERE e.created_at < $1 AND e.dispatched_at IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id "
    "AND d.status = 'pending')",
    "DELETE FROM webhook_deliveries WHERE event_id IS NULL AND created_at < $1 "
    "AND status <> 'pending'",
    "DELETE FROM mails WHERE created_at < $1 AND status <> 'pending'",
    "DELETE FROM email_tokens WHERE expires_at < $1",
)


@task_logged
async def purge_history(ctx: JobContext) -> int:
    """Delete the history kept for HISTORY_RETENTION_DAYS; return how many rows went."""
    runtime = ctx["runtime"]
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=runtime.settings.history_retention_days)
    deleted = 0
    async with runtime.db.maintenance() as conn:
        for statement in _PURGE_HISTORY:
            deleted += rows_affected(await conn.execute(statement, cutoff))
    return deleted
