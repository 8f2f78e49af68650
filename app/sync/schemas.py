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
    "ConnectionsInput",
    "CreateConnectionInput",
    "Credentials",
    "Provider",
    "RunErrorKind",
    "RunStatus",
    "SyncAllOut",
    "SyncQueued",
    "SyncRunList",
    "SyncRunOut",
    "SyncRunsInput",
    "UpdateConnectionInput",
    "WithheldReason",
]

Provider = Literal["mailchimp", "kit", "beehiiv", "mailerlite", "brevo"]
ConnectionStatus = Literal["active", "paused", "error"]
# needs_review: the run merged what it listed but would delete more than SYNC_MAX_DELETE_SHARE
# of the connection's rows (or all of them, from an empty listing): nothing is deleted until
# syncRuns.approve.
RunStatus = Literal["queued", "running", "succeeded", "failed", "needs_review"]
# Why a run deleted none of the rows its listing left out (decision 0034): the listing came
# up short of the total the provider reported (the run succeeds; the next complete listing
# deletes); it was empty while the connection had rows; it would delete more than
# SYNC_MAX_DELETE_SHARE of them (both: needs_review).
WithheldReason = Literal["short_listing", "empty_listing", "mass_deletion"]
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


class ConnectionsInput(Input):
    include_deleted: Annotated[
        bool,
        msgspec.Meta(
            description="also the deleted ones (deletedAt set): espConnections.restore brings "
            "one back within CONNECTION_RESTORE_HOURS of its deletion"
        ),
    ] = False


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
    trigger: Annotated[
        Literal["manual", "cron", "approval"],
        msgspec.Meta(description="approval: queued by syncRuns.approve of a needs_review run"),
    ]
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
    deletions_withheld: Annotated[
        WithheldReason | None,
        msgspec.Meta(description="why the rows missing from the listing were not deleted"),
    ]
    withheld: Annotated[
        int, msgspec.Meta(description="rows missing from the listing that were not deleted")
    ]
    live_before: Annotated[
        int | None, msgspec.Meta(description="the connection's live subscribers before the merge")
    ]
    provider_total: Annotated[
        int | None, msgspec.Meta(description="the listing's total as the provider reported it")
    ]
    approval_run_id: Annotated[
        uuid.UUID | None,
        msgspec.Meta(description="on a needs_review run: the run its approval queued"),
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
