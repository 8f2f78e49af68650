"""Wire types of exports.*."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from app.exports.copy import ExportFormat
from app.schemas import Timestamp
from app.subscribers.schemas import SubscriberFilter
from rpc import Input, Output

__all__ = ["CreateExportInput", "ExportOut", "ExportRow", "ExportStatus"]

ExportStatus = Literal["queued", "running", "succeeded", "failed", "expired"]


class CreateExportInput(Input):
    format: ExportFormat
    filter: SubscriberFilter = msgspec.field(default_factory=SubscriberFilter)
    gzip: Annotated[bool, msgspec.Meta(description="write the file gzip-compressed")] = False


class ExportRow(Output):
    """An export as recorded: what the change feed carries (never a download link, which is a
    credential that expires: get the export for one)."""

    id: uuid.UUID
    format: ExportFormat
    gzip: bool
    filter: SubscriberFilter
    status: ExportStatus
    total_rows: Annotated[int | None, msgspec.Meta(description="rows to write, known once it runs")]
    row_count: Annotated[int, msgspec.Meta(description="rows written so far")]
    bytes: int | None
    error: str | None
    queued_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    expires_at: Annotated[Timestamp | None, msgspec.Meta(description="when the file is purged")]
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Annotated[Timestamp | None, msgspec.Meta(description="set on a tombstone")]


class ExportOut(ExportRow):
    download_url: Annotated[
        str | None,
        msgspec.Meta(
            description="a signed path, valid about an hour, to GET the file with no other "
            "credentials; join it to the API's base URL. Set once succeeded; get the export "
            "again for a fresh one"
        ),
    ]
