"""What the five connectors share: construction, the HTTP policy and normalisation helpers."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import httpx

from app.esp.connector import (
    EspEndpoints,
    InvalidCredentials,
    NormalizedSubscriber,
    Page,
    ProviderError,
    RateLimit,
    Sleep,
)
from app.esp.http import Params, ProviderHttp
from app.schemas import SubscriberStatus

__all__ = [
    "BaseConnector",
    "clean_email",
    "clean_name",
    "custom_fields",
    "provider_time",
    "segment",
]

T = TypeVar("T")
log = logging.getLogger(__name__)


class BaseConnector(ABC):
    """A provider's connector: its URLs, auth headers, error body shape and listing."""

    provider: ClassVar[str]
    requires_list_id: ClassVar[bool] = False
    list_id_name: ClassVar[str] = "list id"
    # The form a list id must have, when the provider has one (checked before any request).
    list_id_pattern: ClassVar[re.Pattern[str] | None] = None
    # How the provider limits requests (its documented budget, reset window and headers).
    rate_limit: ClassVar[RateLimit]
    # The provider's own subscriber states, mapped to ours (a row in any other is skipped).
    statuses: ClassVar[Mapping[str, SubscriberStatus]] = {}

    def __init__(
        self,
        *,
        api_key: str,
        list_id: str | None,
        endpoints: EspEndpoints,
        http: httpx.AsyncClient,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if (
            list_id is not None
            and self.list_id_pattern
            and not self.list_id_pattern.fullmatch(list_id)
        ):
            raise ValueError(f"{self.provider}: {list_id!r} is not a valid {self.list_id_name}")
        self.list_id = list_id
        self._refusal: str | None = None
        try:
            base_url = self._base_url(endpoints, api_key)
        except InvalidCredentials as exc:  # a key we can tell is wrong without asking
            base_url, self._refusal = "", exc.message
        self._http = ProviderHttp(
            provider=self.provider,
            client=http,
            base_url=base_url,
            headers=self._auth_headers(api_key),
            endpoints=endpoints,
            error_message=self._error_message,
            rate_limit=self.rate_limit,
            secrets=(api_key,),
            sleep=sleep,
        )

    @abstractmethod
    def _base_url(self, endpoints: EspEndpoints, api_key: str) -> str:
        """The API's base URL; may raise InvalidCredentials for a malformed key."""

    @abstractmethod
    def _auth_headers(self, api_key: str) -> dict[str, str]:
        """The headers that carry the credentials."""

    @staticmethod
    @abstractmethod
    def _error_message(body: Any) -> str | None:
        """The provider's own message in a decoded error body."""

    @abstractmethod
    async def verify(self) -> None:
        """Check the credentials and the access to the list; raise InvalidCredentials if not."""

    @abstractmethod
    def pages(self) -> AsyncIterator[Page]:
        """Every subscriber of the list, in every state, in the provider's native pages."""

    async def _get(self, path: str, into: type[T], params: Params | None = None) -> T:
        if self._refusal is not None:
            raise InvalidCredentials(self.provider, self._refusal)
        return await self._http.get(path, into, params)

    async def _get_list(self, path: str, into: type[T], params: Params | None = None) -> T:
        """GET a list / publication / group: 404 means the id is wrong, so InvalidCredentials."""
        try:
            return await self._get(path, into, params)
        except ProviderError as exc:
            if exc.status == 404:
                raise InvalidCredentials(
                    self.provider, f"{self.list_id_name} {self.list_id!r} not found ({exc.message})"
                ) from None
            raise

    def _status(self, native: str) -> SubscriberStatus | None:
        """Ours for the provider's ``native`` status; None (logged) for one we do not know."""
        status = self.statuses.get(native)
        if status is None:
            log.warning("%s: skipping a subscriber with unknown status %r", self.provider, native)
        return status

    @staticmethod
    def _page(
        rows: Iterable[tuple[object, NormalizedSubscriber | None]], total: int | None
    ) -> Page:
        """A page of ``(external id, normalised row)``; a None row (unknown status) is skipped."""
        subscribers: list[NormalizedSubscriber] = []
        skipped: list[str] = []
        for external_id, row in rows:
            if row is None:
                skipped.append(str(external_id))
            else:
                subscribers.append(row)
        return Page(subscribers, total, skipped=tuple(skipped))


def message_field(body: Any) -> str | None:
    """The ``message`` of an error body shaped ``{"message": "...", ...}`` (Brevo, MailerLite)."""
    if not isinstance(body, dict):
        return None
    message = body.get("message")
    return message if isinstance(message, str) and message else None


def segment(value: str) -> str:
    """``value`` quoted as one URL path segment (ids come from users)."""
    return quote(value, safe="")


def clean_email(value: str) -> str:
    return value.strip().lower()


def clean_name(value: object) -> str | None:
    """A name, stripped; None for a missing, empty or non-text value."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def custom_fields(fields: Mapping[str, Any], *, skip: Collection[str] = ()) -> dict[str, Any]:
    """The provider's fields minus ``skip`` (names we map) and minus null values."""
    return {name: value for name, value in fields.items() if name not in skip and value is not None}


def provider_time(value: object) -> dt.datetime | None:
    """A provider's timestamp in UTC: ISO 8601 (``Z``, an offset, or none: UTC), a
    ``YYYY-MM-DD HH:MM:SS`` text (UTC) or a Unix epoch time; None for an empty or unreadable
    value (it is metadata: never a reason to fail a listing)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(value, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
