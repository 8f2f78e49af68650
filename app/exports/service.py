"""Background exports inside a team's unit of work: request one, read its state."""

from __future__ import annotations

import functools
import uuid

import asyncpg
import msgspec

from app.exports.links import download_links
from app.exports.queueing import enqueue_export
from app.exports.schemas import CreateExportInput, ExportOut, ExportRow
from app.feed.tables import select_list
from app.quotas import check_export_quota
from app.subscribers.schemas import SubscriberFilter
from app.subscribers.service import check_search
from app.work import Work
from rpc import NotFound

__all__ = ["ExportService"]

# What the feed shows of an export (its team signs the download link).
_EXPORT = f"team_id, {select_list(ExportRow)}"


class ExportService:
    def __init__(self, work: Work) -> None:
        self.work = work
        self.conn = work.conn
        self.runtime = work.runtime

    def _out(self, row: asyncpg.Record) -> ExportOut:
        values = dict(row)
        team_id = values.pop("team_id")
        values["filter"] = msgspec.json.decode(values["filter"], type=SubscriberFilter)
        link = None
        if values["status"] == "succeeded":
            link = download_links(self.runtime).make(
                team_id, values["id"], values["expires_at"].timestamp()
            )
        return ExportOut(**values, download_url=link)

    async def create(
        self,
        team_id: uuid.UUID,
        user_id: uuid.UUID | None,
        data: CreateExportInput,
    ) -> ExportOut:
        """Record the export (the outbox) and queue its job once the record is committed;
        QuotaExceeded over the team's quotas (exports at once, stored bytes)."""
        check_search(data.filter)
        await check_export_quota(self.conn, self.runtime.settings, team_id)
        row = await self.conn.fetchrow(
            "INSERT INTO exports (team_id, format, gzip, filter, created_by) "
            f"VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING {_EXPORT}",
            team_id,
            data.format,
            data.gzip,
            msgspec.json.encode(data.filter).decode(),
            user_id,
        )
        assert row is not None
        self.work.after_commit(
            functools.partial(
                enqueue_export, self.runtime.queue, export_id=row["id"], team_id=team_id
            )
        )
        return self._out(row)

    async def get(self, export_id: uuid.UUID) -> ExportOut:
        row = await self.conn.fetchrow(
            f"SELECT {_EXPORT} FROM exports WHERE id = $1 AND deleted_at IS NULL", export_id
        )
        if row is None:
            raise NotFound("no such export")
        return self._out(row)
