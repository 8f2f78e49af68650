"""exports.*: files written in the background, followed on the change feed."""

from __future__ import annotations

from app.auth.tiers import TEAM, TeamContext
from app.exports.schemas import CreateExportInput, ExportOut
from app.exports.service import ExportService
from app.quotas import QuotaExceeded
from app.schemas import IdInput
from rpc import NotFound, Registry

__all__ = ["procedures"]

procedures = Registry()


@procedures.procedure(
    "exports.create",
    idempotent=True,
    tier=TEAM,
    scope="write",
    errors=(QuotaExceeded,),
    status_code=202,
)
async def create_export(ctx: TeamContext, data: CreateExportInput) -> ExportOut:
    """Queue an export of the subscribers the filter selects (as ``subscribers.list``).

    Its progress arrives as ``progress`` events (and ``exports`` changes) on the change feed;
    ``exports.get`` has the download link once it has succeeded. Files are kept
    EXPORT_RETENTION_HOURS. 429 QUOTA_EXCEEDED while the team has TEAM_MAX_CONCURRENT_EXPORTS
    exports queued or running, or keeps TEAM_MAX_EXPORT_BYTES of files.
    """
    user_id = ctx.session.user.id if ctx.session else None
    return await ExportService(ctx.work).create(ctx.team_id, user_id, data)


@procedures.procedure("exports.get", tier=TEAM, scope="read", errors=(NotFound,))
async def get_export(ctx: TeamContext, data: IdInput) -> ExportOut:
    """An export's status, row counts and, once it has succeeded, a fresh download link."""
    return await ExportService(ctx.work).get(data.id)
