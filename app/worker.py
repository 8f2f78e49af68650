"""The SAQ worker: job functions, cron jobs, start-up and shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from wsgiref.simple_server import WSGIServer

from saq import CronJob, Worker
from saq.utils import cancel_tasks

from app.auth.jobs import purge_expired_sessions, purge_request_logs
from app.exports.jobs import export_subscribers, purge_exports, sweep_exports
from app.feed.jobs import purge_tombstones
from app.idempotency.jobs import purge_idempotency_keys
from app.jobs import JobContext, purge_history
from app.mail.jobs import send_mails
from app.observability import serve_worker_metrics
from app.pools import check_pool_size
from app.runtime import Runtime
from app.subscribers.days import COUNT_DAYS_CRON, count_subscriber_days
from app.sync.jobs import (
    purge_deleted_connections,
    sweep_queued_runs,
    sync_all_active,
    sync_connection,
)
from app.teams.jobs import erase_deleted_teams
from app.usage.jobs import roll_billing_period
from app.webhooks.jobs import deliver_webhook, dispatch_events

__all__ = ["DEQUEUE_SECONDS", "build_worker"]

log = logging.getLogger(__name__)

# How long a dequeue blocks in Redis (BLMOVE) before it answers "nothing". SAQ's default, 0,
# blocks until a job comes, so redis-py's socket timeout (5 s) ends every idle wait on the
# client's side; a job that Redis hands over just as that happens (the worker's loop a little
# late) is moved to the active list and lost to the worker, stuck "queued" until a sweep. A
# server-side timeout well under the socket timeout means Redis always answers (decision 0015).
DEQUEUE_SECONDS = 1.0


class _GracefulWorker(Worker[JobContext]):
    """On stop, running jobs get ``grace`` seconds to finish; whatever is still running then is
    cancelled and handed back to the queue (SAQ retries a cancelled job). Idle loops stop at once
    instead of holding shutdown for the whole grace period.

    ``companion``: a worker on another queue in the same process and loop (the webhook
    deliveries'), started once this one's start-up is done and stopped (its jobs given the same
    grace) before this one's shutdown stops the runtime they share. Only this one handles the
    signals."""

    def __init__(
        self,
        *args: object,
        grace: float,
        companion: Worker[JobContext] | None = None,
        signals: bool = True,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not signals:
            self.SIGNALS = []
        self._grace = grace
        self._companion = companion
        self._companion_task: asyncio.Task[None] | None = None

    def start_companion(self) -> None:
        if self._companion is not None:
            self._companion_task = asyncio.create_task(self._companion.start())

    async def stop(self) -> None:
        self.event.set()  # no new dequeue loops from here on
        running = [context["task"] for context in self.job_task_contexts.values()]
        waits: list[Awaitable[object]] = []
        if running:
            waits.append(asyncio.wait(running, timeout=self._grace))
        if self._companion is not None and self._companion_task is not None:
            waits.append(self._companion.stop())
        await asyncio.gather(*waits)
        if self._companion_task is not None:
            (ended,) = await asyncio.gather(self._companion_task, return_exceptions=True)
            if isinstance(ended, Exception):  # its own loops log what they meet; this is more
                log.error("the delivery worker ended with %r", ended)
        # What is left are SAQ's own loops (idle, or holding a job past its grace): cancelled
        # now, as SAQ's stop would (with no grace period of its own), but without its warning
        # at every shutdown that tasks "did not finish within the shutdown grace period".
        await cancel_tasks(list(self.tasks), timeout=self._cancellation_hard_deadline_s)
        await super().stop()


def build_worker(runtime: Runtime) -> Worker[JobContext]:
    """A worker on the runtime's queue, with the product's jobs and cron schedule.

    SettingsError when DB_POOL_SIZE is smaller than what its jobs hold (app/pools.py)."""
    settings = runtime.settings
    check_pool_size(settings, "worker")
    # Sweep for stranded runs a few times per requeue window (croniter: seconds come last).
    sweep_every = max(1, min(60, settings.sync_requeue_after_seconds // 2))
    sweep_cron = "* * * * *" if sweep_every == 60 else f"* * * * * */{sweep_every}"

    # Webhook deliveries: their own queue and WEBHOOK_DELIVERY_CONCURRENCY slots, so receivers
    # that answer slowly (each up to WEBHOOK_DELIVERY_DEADLINE_SECONDS) wait there, not in the
    # slots of syncs and exports.
    deliveries = _GracefulWorker(
        runtime.webhook_queue,
        functions=[deliver_webhook],
        concurrency=settings.webhook_delivery_concurrency,
        dequeue_timeout=DEQUEUE_SECONDS,
        grace=settings.shutdown_grace_seconds,
        timers={"sweep": settings.worker_sweep_seconds},
        signals=False,  # the main worker's signals stop it
    )
    metrics: list[WSGIServer] = []

    async def startup(ctx: JobContext) -> None:
        if settings.worker_metrics_port:
            metrics.append(
                serve_worker_metrics(
                    settings.worker_metrics_port, settings.host, settings.metrics_token
                )
            )
        await runtime.start()
        ctx["runtime"] = runtime
        deliveries.context["runtime"] = runtime
        worker.start_companion()

    async def shutdown(ctx: JobContext) -> None:
        await runtime.stop()
        for server in metrics:
            await asyncio.to_thread(server.shutdown)
            server.server_close()

    worker = _GracefulWorker(
        runtime.queue,
        functions=[
            purge_expired_sessions,
            purge_request_logs,
            purge_history,
            purge_idempotency_keys,
            sync_connection,
            sync_all_active,
            sweep_queued_runs,
            export_subscribers,
            sweep_exports,
            purge_exports,
            purge_tombstones,
            erase_deleted_teams,
            purge_deleted_connections,
            roll_billing_period,
            dispatch_events,
            send_mails,
            count_subscriber_days,
            deliver_webhook,  # delivery jobs queued here before deliveries had their own queue
        ],
        cron_jobs=[
            CronJob(sync_all_active, cron=settings.sync_cron, unique=True, retries=3, timeout=600),
            CronJob(sweep_queued_runs, cron=sweep_cron, unique=True, retries=1, timeout=60),
            CronJob(sweep_exports, cron=sweep_cron, unique=True, retries=1, timeout=60),
            CronJob(purge_exports, cron="23 * * * *", unique=True, retries=3, timeout=600),
            CronJob(dispatch_events, cron="* * * * * *", unique=True, timeout=30),
            CronJob(send_mails, cron="* * * * * *", unique=True, timeout=300),
            CronJob(
                count_subscriber_days, cron=COUNT_DAYS_CRON, unique=True, retries=3, timeout=600
            ),
            CronJob(purge_tombstones, cron="11 4 * * *", unique=True, retries=3, timeout=1800),
            CronJob(erase_deleted_teams, cron="37 * * * *", unique=True, retries=3, timeout=1800),
            CronJob(
                purge_deleted_connections, cron="47 * * * *", unique=True, retries=3, timeout=1800
            ),
            CronJob(roll_billing_period, cron="5 0 1 * *", unique=True, retries=3, timeout=600),
            CronJob(purge_expired_sessions, cron="17 * * * *", unique=True, retries=3, timeout=300),
            CronJob(purge_request_logs, cron="41 3 * * *", unique=True, retries=3, timeout=900),
            CronJob(purge_history, cron="53 3 * * *", unique=True, retries=3, timeout=900),
            # Hourly: a key lives 24 h and at most an hour more before it goes.
            CronJob(purge_idempotency_keys, cron="29 * * * *", unique=True, retries=3, timeout=300),
        ],
        startup=startup,
        shutdown=shutdown,
        concurrency=settings.worker_concurrency,
        dequeue_timeout=DEQUEUE_SECONDS,
        grace=settings.shutdown_grace_seconds,
        timers={"sweep": settings.worker_sweep_seconds},
        companion=deliveries,
    )
    return worker
