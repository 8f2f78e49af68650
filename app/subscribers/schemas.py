"""Wire types of subscribers.*."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec

from app.schemas import Email, SubscriberStatus, Timestamp
from rpc import Input, Output

__all__ = [
    "CountsInput",
    "CreateSubscriberInput",
    "HistoryInput",
    "Name",
    "SubscriberCounts",
    "SubscriberFilter",
    "SubscriberHistory",
    "SubscriberList",
    "SubscriberOut",
    "SubscriberPageInput",
    "UpdateSubscriberInput",
]

Name = Annotated[str, msgspec.Meta(max_length=200)]
Fields = Annotated[
    dict[str, Any],
    msgspec.Meta(
        description="free-form JSON object, at most JSON_FIELDS_MAX_BYTES encoded (8192 by "
        "default), JSON_FIELDS_MAX_KEYS keys at any depth (100) and JSON_FIELDS_MAX_DEPTH deep (5)",
        examples=[{"plan": "pro"}],
    ),
]
Search = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=200,
        description="words matched as prefixes of the email's parts and the names, all required",
        examples=["ada example.com"],
    ),
]


class SubscriberFilter(Input):
    """Which subscribers: the filters of subscribers.list and of exports."""

    status: SubscriberStatus | None = None
    connection_id: uuid.UUID | None = None
    search: Search | None = None
    deleted: Annotated[
        bool, msgspec.Meta(description="soft-deleted subscribers instead of live ones")
    ] = False


class SubscriberPageInput(SubscriberFilter):
    after: (
        Annotated[str, msgspec.Meta(description="nextAfter of the previous page", max_length=200)]
        | None
    ) = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=500)] = 50


class CreateSubscriberInput(Input):
    email: Email
    first_name: Name | None = None
    last_name: Name | None = None
    status: SubscriberStatus = "subscribed"
    custom_fields: Fields = msgspec.field(default_factory=dict)
    local_fields: Fields = msgspec.field(default_factory=dict)


class UpdateSubscriberInput(Input):
    """Fields left out are kept. Editing a synced subscriber's provider fields (all but
    ``localFields``) is overwritten by its next sync: the provider wins, counted as a conflict."""

    id: uuid.UUID
    email: Email | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    status: SubscriberStatus | None = None
    custom_fields: Fields | None = None
    local_fields: Fields | None = None


class SubscriberOut(Output):
    id: uuid.UUID
    connection_id: uuid.UUID | None
    external_id: str | None
    email: str
    first_name: str | None
    last_name: str | None
    status: SubscriberStatus
    custom_fields: dict[str, Any]
    local_fields: dict[str, Any]
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Timestamp | None
    provider_created_at: Annotated[
        Timestamp | None,
        msgspec.Meta(description="when the provider says it was created (null: not reported)"),
    ]
    provider_updated_at: Annotated[
        Timestamp | None,
        msgspec.Meta(
            description="the provider's last-changed time, as of the last sync that changed "
            "this row (null: not reported; Kit and beehiiv have none)"
        ),
    ]


class SubscriberList(Output):
    items: list[SubscriberOut]
    next_after: str | None


class CountsInput(Input):
    connection_id: uuid.UUID | None = None


class SubscriberCounts(Output):
    subscribed: int = 0
    unsubscribed: int = 0
    pending: int = 0
    bounced: int = 0
    cleaned: int = 0
    deleted: int = 0
    total: Annotated[int, msgspec.Meta(description="live subscribers")] = 0


class HistoryInput(Input):
    days: Annotated[
        int, msgspec.Meta(ge=1, le=365, description="how many days back, today included")
    ] = 90
    connection_id: (
        Annotated[uuid.UUID, msgspec.Meta(description="only this connection's subscribers")] | None
    ) = None


Daily = Annotated[list[int], msgspec.Meta(description="one count per entry of `days`")]


class SubscriberHistory(Output):
    """Live subscribers of each status per UTC day, oldest first, as columns of one length
    (a chart's series). A day's count is the one at its end; today's is as last counted
    (every few minutes, and by each sync as it finishes: ``countedAt``). The days begin at the
    first one counted in the window; a day that was not counted repeats the one before."""

    days: list[dt.date]
    subscribed: Daily
    unsubscribed: Daily
    pending: Daily
    bounced: Daily
    cleaned: Daily
    counted_at: Annotated[
        Timestamp | None, msgspec.Meta(description="when the last day was last counted")
    ]
