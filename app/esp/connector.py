"""The one interface every email-service-provider connector offers, its types and its errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import httpx
import msgspec

from app.schemas import SubscriberStatus

if TYPE_CHECKING:
    from app.esp.base import BaseConnector

__all__ = [
    "PROVIDERS",
    "Connector",
    "EspEndpoints",
    "EspError",
    "InvalidCredentials",
    "NormalizedSubscriber",
    "Page",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimit",
    "Sleep",
    "make_connector",
]

PROVIDERS = ("mailchimp", "kit", "beehiiv", "mailerlite", "brevo")


# What retries wait with: asyncio.sleep, or in tests something that records the delays.
Sleep = Callable[[float], Awaitable[None]]


class NormalizedSubscriber(msgspec.Struct, frozen=True):
    """One subscriber as every provider's connector reports it.

    ``email`` is lower-cased and stripped; empty names are None; ``custom_fields`` holds the
    provider's other fields under the provider's own names (fields the provider reports as null
    are left out). ``provider_created_at`` / ``provider_updated_at`` are the provider's own
    timestamps (UTC) where it reports them. ``legacy_id`` is the id an earlier version of the
    connector used for the same subscriber (Mailchimp's MD5 member id): the merge re-keys a row
    stored under it instead of deleting it and adding a new one.
    """

    external_id: str
    email: str
    first_name: str | None
    last_name: str | None
    status: SubscriberStatus
    custom_fields: dict[str, Any]
    provider_created_at: dt.datetime | None = None
    provider_updated_at: dt.datetime | None = None
    legacy_id: str | None = None


class Page(msgspec.Struct, frozen=True):
    """One page of a listing; ``total`` is the provider's total when it reports one;
    ``skipped``: the ids of rows left out for a status we do not know (logged by the
    connector; the merge keeps what it has of them)."""

    subscribers: list[NormalizedSubscriber]
    total: int | None
    skipped: tuple[str, ...] = ()


class RateLimit(msgspec.Struct, frozen=True, kw_only=True):
    """How one provider limits requests, as it documents it (docs/providers/<provider>.md).

    ``requests`` per ``window`` seconds is the documented budget (None: the provider limits
    something else, Mailchimp its concurrent connections); the connector paces itself below it.
    ``reset_wait`` is how long to wait after a throttle that says nothing of when to retry
    (the provider's documented reset window). ``reset_header`` tells, like ``Retry-After``,
    when the window resets (seconds, an HTTP date or a Unix epoch time); ``remaining_header``
    counts the requests left in the window, on every response: at 0 the connector waits for
    the reset before its next request. ``bare_403_throttles``: the provider throttles with a
    403 that has no JSON body (Mailchimp at high volume).
    """

    requests: int | None
    window: float
    reset_wait: float
    reset_header: str | None = None
    remaining_header: str | None = None
    bare_403_throttles: bool = False


class EspEndpoints(msgspec.Struct, frozen=True, kw_only=True):
    """Base URLs of the providers' APIs (tests point them at local fakes) and the HTTP policy.

    ``mailchimp`` keeps a ``{dc}`` placeholder for the data centre taken from the API key.
    ``rate_limit_scale`` turns the providers' seconds into ours: every window, reset wait and
    wait hint of a rate limit (and the 60 s cap on them) is multiplied by it. 1 for the real
    providers; tests shrink it, with fakes whose windows shrink alike (ESP_RATE_LIMIT_SCALE).
    """

    mailchimp: str = "https://{dc}.api.mailchimp.com/3.0"
    kit: str = "https://api.kit.com/v4"
    beehiiv: str = "https://api.beehiiv.com/v2"
    mailerlite: str = "https://connect.mailerlite.com/api"
    brevo: str = "https://api.brevo.com/v3"
    timeout: float = 30.0
    max_attempts: int = 5
    rate_limit_scale: float = 1.0


class EspError(Exception):
    """A provider call failed. ``message`` is safe to show: it never contains credentials."""

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.message = message
        self.status = status


class InvalidCredentials(EspError):
    """The provider refused the credentials (a 401, or a 403 with the provider's error body),
    or the list / publication id is wrong."""


class ProviderUnavailable(EspError):
    """5xx, rate limits (429, Mailchimp's bare 403), timeouts or connection errors that went
    on after every retry: the sync job retries later."""


class ProviderError(EspError):
    """Any other refusal (4xx) or a response body we cannot read."""


class Connector(Protocol):
    """Read access to one account's subscribers at one provider."""

    provider: ClassVar[str]

    async def verify(self) -> None:
        """Check the credentials and the access to the list; raise InvalidCredentials if not."""
        ...

    def pages(self) -> AsyncIterator[Page]:
        """Every subscriber of the list, in every state, in the provider's native pages."""
        ...


def make_connector(
    provider: str,
    credentials: Mapping[str, str],
    list_id: str | None,
    endpoints: EspEndpoints,
    http: httpx.AsyncClient,
    *,
    sleep: Sleep = asyncio.sleep,
) -> Connector:
    """The connector for ``provider``; ValueError for an unknown provider or missing settings.

    Every provider takes ``{"apiKey": ...}``. ``list_id`` is the Mailchimp audience id or the
    beehiiv publication id (both required), the MailerLite group id or the Brevo list id
    (optional: the whole account without it); Kit ignores it and lists the whole account.
    A Mailchimp key without its ``-<data centre>`` suffix is reported as InvalidCredentials by
    ``verify()`` / ``pages()``, like any other wrong key, not as a ValueError.
    ``sleep`` is what retries wait with (tests pass one that records the delays).
    """
    # The provider modules import this one, so they are imported here, not at the top.
    from app.esp.beehiiv import BeehiivConnector
    from app.esp.brevo import BrevoConnector
    from app.esp.kit import KitConnector
    from app.esp.mailchimp import MailchimpConnector
    from app.esp.mailerlite import MailerLiteConnector

    classes: dict[str, type[BaseConnector]] = {
        cls.provider: cls
        for cls in (
            MailchimpConnector,
            KitConnector,
            BeehiivConnector,
            MailerLiteConnector,
            BrevoConnector,
        )
    }
    cls = classes.get(provider)
    if cls is None:
        raise ValueError(
            f"unknown ESP provider {provider!r}; expected one of {', '.join(PROVIDERS)}"
        )
    api_key = credentials.get("apiKey", "").strip()
    if not api_key:
        raise ValueError(f"{provider}: credentials need a non-empty 'apiKey'")
    list_id = list_id.strip() if list_id else None
    if cls.requires_list_id and not list_id:
        raise ValueError(f"{provider}: a list id is required ({cls.list_id_name})")
    return cls(api_key=api_key, list_id=list_id, endpoints=endpoints, http=http, sleep=sleep)
