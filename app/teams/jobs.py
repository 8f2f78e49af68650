"""Account deletion: teams past their grace period are erased, every row and file of them."""

from __future__ import annotations

import logging

from app.exports.storage import export_storage
from app.jobs import JobContext, task_logged

__all__ = ["erase_deleted_teams"]

log = logging.getLogger(__name__)


@task_logged
async def erase_deleted_teams(ctx: JobContext) -> int:
    """Erase each team whose ``deletion_due_at`` has passed (and was not restored meanwhile):
    its rows in every table go through the maintenance role (team foreign keys cascade; the task
    log, which keeps no foreign key, explicitly), then its export files."""
    runtime = ctx["runtime"]
    erased = 0
    async with runtime.db.maintenance() as conn:
        due = await conn.fetch("SELECT id FROM teams WHERE deletion_due_at < now()")
        for team in due:
            async with conn.transaction():
                files = await conn.fetch(
                    "SELECT file_key FROM exports WHERE team_id = $1 AND file_key IS NOT NULL",
                    team["id"],
                )
                gone = await conn.fetchval(
                    "DELETE FROM teams WHERE id = $1 AND deletion_due_at < now() RETURNING id",
                    team["id"],
                )
                if gone is None:
                    continue  # restored since the first look
                await conn.execute("DELETE FROM task_logs WHERE team_id = $1", team["id"])
            for file in files:
                export_storage(runtime).delete(file["file_key"])
            log.info("team %s erased", team["id"])
            erased += 1
    return erased
