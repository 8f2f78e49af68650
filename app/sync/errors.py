"""Domain errors of ESP connections and syncs."""

from __future__ import annotations

import msgspec

from app.sync.schemas import RunStatus
from rpc import DomainError

__all__ = [
    "CredentialsRejected",
    "EspUnavailable",
    "ProviderMessage",
    "RestoreExpired",
    "RunNotInReview",
    "RunStatusData",
]


class ProviderMessage(msgspec.Struct, rename="camel"):
    provider: str
    provider_message: str


class CredentialsRejected(DomainError):
    code = "ESP_CREDENTIALS_REJECTED"
    status = 422
    data_type = ProviderMessage
    default_message = "the provider refused these credentials or this list id"


class EspUnavailable(DomainError):
    code = "ESP_UNAVAILABLE"
    status = 503
    data_type = ProviderMessage
    default_message = "the provider could not be reached to check the credentials; retry later"


class RunStatusData(msgspec.Struct, rename="camel"):
    status: RunStatus


class RunNotInReview(DomainError):
    code = "SYNC_RUN_NOT_IN_REVIEW"
    status = 409
    data_type = RunStatusData
    default_message = "only a sync run in needs_review can be approved"


class RestoreExpired(DomainError):
    code = "CONNECTION_RESTORE_EXPIRED"
    status = 422
    default_message = (
        "this connection was deleted longer ago than CONNECTION_RESTORE_HOURS: "
        "its subscribers are gone"
    )
