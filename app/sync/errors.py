"""Domain errors of ESP connections and syncs."""

from __future__ import annotations

import msgspec

from rpc import DomainError

__all__ = ["CredentialsRejected", "EspUnavailable", "ProviderMessage"]


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
