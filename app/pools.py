"""How many pooled database connections a process needs, checked once at start-up.

Every task holds at most one pooled connection at a time (decision 0019), so a process needs
one connection per task that may hold one at once. This module is the one place that counts
them: a new holder of connections (another queue's concurrency, say) is one more entry in
``_holders``, and the start-up check then covers it.
"""

from __future__ import annotations

from typing import Literal

from app.config import Settings, SettingsError

__all__ = ["API_CALL_CONNECTIONS", "Process", "check_pool_size", "connections_needed"]

Process = Literal["api", "worker"]

# What the API keeps free for calls, the change hub and the request log while every download
# slot is taken: downloads never take the whole pool.
API_CALL_CONNECTIONS = 4


def _holders(settings: Settings, process: Process) -> list[tuple[str, int]]:
    """(what holds connections, how many at most) for ``process``."""
    if process == "worker":
        # Each job holds at most one (its progress and heartbeat writes use the side pool);
        # webhook deliveries run in slots of their own (app/webhooks/queueing.py).
        return [
            ("WORKER_CONCURRENCY", settings.worker_concurrency),
            ("WEBHOOK_DELIVERY_CONCURRENCY", settings.webhook_delivery_concurrency),
        ]
    return [
        ("DOWNLOAD_CONCURRENCY", settings.download_concurrency),
        ("calls, the change hub and the request log", API_CALL_CONNECTIONS),
    ]


def connections_needed(settings: Settings, process: Process) -> int:
    """The pooled connections (DB_POOL_SIZE) ``process`` needs with these settings."""
    return sum(count for _, count in _holders(settings, process))


def check_pool_size(settings: Settings, process: Process) -> None:
    """SettingsError, in one line naming the settings, when DB_POOL_SIZE is too small."""
    needed = connections_needed(settings, process)
    if settings.db_pool_size >= needed:
        return
    parts = " + ".join(f"{name} ({count})" for name, count in _holders(settings, process))
    raise SettingsError(
        f"DB_POOL_SIZE: {settings.db_pool_size} is too small for the {process}, which needs "
        f"{parts} = {needed} pooled connections; raise DB_POOL_SIZE to {needed} or lower the others"
    )
