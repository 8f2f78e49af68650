"""What the feed shows of each synced table (never credentials), in wire names."""

from __future__ import annotations

from realtime.delta import ChangeFeed, FeedTable

__all__ = ["FEED"]

_STAMPS = {"createdAt": "created_at", "updatedAt": "updated_at", "deletedAt": "deleted_at"}
# What a filter (FeedFilter) selects by: its connectionId is each table's connection (fixed once
# written, migration 0018), its status a subscriber's (which changes: leaving is a delete).
_CONNECTION = {"connectionId": "esp_connection_id"}

_TABLES = (
    FeedTable(
        "subscribers",
        {
            "id": "id",
            "connectionId": "esp_connection_id",
            "externalId": "external_id",
            "email": "email",
            "firstName": "first_name",
            "lastName": "last_name",
            "status": "status",
            "customFields": "custom_fields",
            "localFields": "local_fields",
            **_STAMPS,
        },
        keys=_CONNECTION,
        members={"status": "status"},
    ),
    FeedTable(
        "esp_connections",
        {
            "id": "id",
            "provider": "provider",
            "name": "name",
            "listId": "list_id",
            "status": "status",
            "statusReason": "status_reason",
            "lastSyncedAt": "last_synced_at",
            **_STAMPS,
        },
        keys={"connectionId": "id"},
    ),
    FeedTable(
        "sync_runs",
        {
            "id": "id",
            "connectionId": "esp_connection_id",
            "status": "status",
            "trigger": "trigger",
            "attempts": "attempts",
            "pages": "pages",
            "rowsSeen": "rows_seen",
            "created": "created_count",
            "updated": "updated_count",
            "deleted": "deleted_count",
            "unchanged": "unchanged_count",
            "conflicts": "conflict_count",
            "error": "error",
            "queuedAt": "queued_at",
            "startedAt": "started_at",
            "finishedAt": "finished_at",
            **_STAMPS,
        },
        keys=_CONNECTION,
    ),
    FeedTable(
        "exports",
        {
            "id": "id",
            "format": "format",
            "gzip": "gzip",
            "status": "status",
            "totalRows": "total_rows",
            "rowCount": "row_count",
            "bytes": "bytes",
            "error": "error",
            "queuedAt": "queued_at",
            "startedAt": "started_at",
            "finishedAt": "finished_at",
            "expiresAt": "expires_at",
            **_STAMPS,
        },
        keys={"connectionId": "connection_id"},  # the one its filter names
    ),
)

FEED = ChangeFeed(_TABLES, meta="change_feed")
