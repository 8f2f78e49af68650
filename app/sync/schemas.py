"""Wire types of espConnections.*, syncRuns.* and cron.*."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from app.schemas import ShortText, Timestamp
from rpc import SECRET, Input, Output

__all__ = [
    "ConnectionList",
    "ConnectionOut",
    "ConnectionStatus",
    "CreateConnectionInput",
    "Credentials",
    "Provider",
    "RunErrorKind",
    "SyncAllOut",
    "SyncQueued",
    "SyncRunList",
    "SyncRunOut",
    "SyncRunsInput",
    "UpdateConnectionInput",
]

Provider = Literal["mailchimp", "kit", "beehiiv", "mailerlite", "brevo"]
ConnectionStatus = Literal["active", "paused", "error"]
RunStatus = Literal["queued", "running", "succeeded", "failed"]
# What ended (or, while "running", last interrupted) a run: the provider refused the
# credentials or the list id (the connection goes to "error"); refused the request otherwise
# (recorded, not retried, the connection stays active); could not be reached, throttled us or
# kept failing with 5xx after every retry (retried by the job); the connection was deleted; a
# fault of ours.
RunErrorKind = Literal[
    "credentials_rejected",
    "provider_error",
    "provider_unavailable",
    "connection_deleted",
    "internal",
]
Credentials = Annotated[
    dict[
        Annotated[str, msgspec.Meta(min_length=1, max_length=100)],
        Annotated[str, msgspec.Meta(min_length=1, max_length=500)],
    ],
    msgspec.Meta(
        max_length=20,
        description='e.g. {"apiKey": "..."}; never returned',
        examples=[{"apiKey": "…"}],
    ),
    SECRET,
]
ListId = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class CreateConnectionInput(Input):
    provider: Provider
    name: ShortText
    credentials: Credentials
    list_id: ListId | None = None


class UpdateConnectionInput(Input):
    id: uuid.UUID
    name: ShortText | None = None
    status: Literal["active", "paused"] | None = None
    credentials: Credentials | None = None


class ConnectionOut(Output):
    id: uuid.UUID
    provider: Provider
    name: str
    list_id: str | None
    status: ConnectionStatus
    status_reason: str | None
    last_synced_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Annotated[Timestamp | None, msgspec.Meta(description="set on a tombstone")]


class ConnectionList(Output):
    items: list[ConnectionOut]


class SyncQueued(Output):
    sync_run_id: uuid.UUID
    status: Literal["queued"] = "queued"


class SyncRunsInput(Input):
    connection_id: uuid.UUID | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=200)] = 50


class SyncRunOut(Output):
    id: uuid.UUID
    connection_id: uuid.UUID
    status: RunStatus
    trigger: Literal["manual", "cron"]
    attempts: int
    pages: int
    rows_seen: int
    created: int
    updated: int
    deleted: int
    unchanged: int
    conflicts: int
    skipped: Annotated[
        int,
        msgspec.Meta(description="listed rows left out: a status the connector does not know"),
    ]
    error: str | None
    error_kind: RunErrorKind | None
    queued_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    fetch_ms: int | None
    merge_ms: int | None
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Annotated[Timestamp | None, msgspec.Meta(description="set on a tombstone")]


class SyncRunList(Output):
    items: list[SyncRunOut]


class SyncAllOut(Output):
    queued: int
