"""The HTTP policy every connector shares: timeouts, retries, rate limits and error mapping.

Each call has a timeout. A rate limit (every 429, and a 403 without a JSON body where the
provider throttles that way: Mailchimp) waits for ``Retry-After`` or the provider's reset header
(seconds, an HTTP date or a Unix epoch time; at most 60 s), else backs off; 5xx, timeouts and
connection errors back off exponentially (0.5 s, 1 s, 2 s … at most 30 s); all give up after
``max_attempts`` with ProviderUnavailable. A 401, or a 403 with a JSON body, raises
InvalidCredentials; other 4xx ProviderError. Error messages carry the provider's own message,
never the credentials.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
import msgspec
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from app.esp.connector import (
    EspEndpoints,
    InvalidCredentials,
    ProviderError,
    ProviderUnavailable,
    Sleep,
)
from app.tracing import record_error

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "RATE_LIMIT_WAIT_CAP",
    "ErrorMessage",
    "Params",
    "ProviderHttp",
    "backoff_delay",
    "rate_limit_wait",
]

T = TypeVar("T")
# Reads the provider's own message out of a decoded error body (None when it has none).
ErrorMessage = Callable[[Any], str | None]
Params = Mapping[str, str | int]

BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
RATE_LIMIT_WAIT_CAP = 60.0
_MESSAGE_LIMIT = 300
_WHITESPACE = re.compile(r"\s+")
_NOT_JSON = object()

log = logging.getLogger(__name__)
_tracer = trace.get_tracer(__name__)


def backoff_delay(attempt: int) -> float:
    """The wait after failed attempt ``attempt`` (1-based): 0.5 s, 1 s, 2 s … at most 30 s."""
    return float(min(BACKOFF_BASE * 2 ** (attempt - 1), BACKOFF_CAP))


def rate_limit_wait(headers: httpx.Headers, reset_header: str | None = None) -> float | None:
    """Seconds a 429 asks us to wait (``Retry-After``, else ``reset_header``), at most 60 s."""
    for name in ("retry-after", reset_header):
        value = headers.get(name) if name else None
        seconds = _seconds(value) if value is not None else None
        if seconds is not None:
            return min(max(seconds, 0.0), RATE_LIMIT_WAIT_CAP)
    return None


# A "delay" this large is a Unix epoch time (beehiiv's RateLimit-Reset): 10^9 s is 31 years.
_EPOCH_FROM = 1e9


def _seconds(value: str) -> float | None:
    """A delay in seconds, a Unix epoch time or an HTTP date, as seconds from now."""
    try:
        seconds = float(value)
        if seconds >= _EPOCH_FROM:
            seconds -= time.time()
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return seconds if math.isfinite(seconds) else None


class ProviderHttp:
    """GET requests to one provider's API under the shared policy."""

    def __init__(
        self,
        *,
        provider: str,
        client: httpx.AsyncClient,
        base_url: str,
        headers: Mapping[str, str],
        endpoints: EspEndpoints,
        error_message: ErrorMessage,
        reset_header: str | None = None,
        bare_403_throttles: bool = False,
        secrets: Sequence[str] = (),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._headers = dict(headers)
        self._timeout = httpx.Timeout(endpoints.timeout)
        self._max_attempts = max(1, endpoints.max_attempts)
        self._error_message = error_message
        self._reset_header = reset_header
        self._bare_403_throttles = bare_403_throttles
        self._secrets = tuple(s for s in secrets if s)
        self._sleep = sleep

    async def get(self, path: str, into: type[T], params: Params | None = None) -> T:
        """GET ``path`` (below the base URL) and decode the JSON body into ``into``.

        One client span when tracing is on (the path only: no query, no credentials; an
        exception's text through app.redaction)."""
        with _tracer.start_as_current_span(
            f"{self.provider} GET",
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": "GET",
                "url.path": path,
                "esp.provider": self.provider,
            },
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                response = await self._send(path, params)
            except BaseException as exc:
                record_error(span, exc)
                raise
            span.set_attribute("http.response.status_code", response.status_code)
        try:
            return msgspec.json.decode(response.content, type=into)
        except msgspec.DecodeError as exc:  # also msgspec.ValidationError
            raise ProviderError(
                self.provider,
                self._safe(f"unexpected response to GET {path}: {exc}"),
                status=response.status_code,
            ) from None

    async def _send(self, path: str, params: Params | None) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            status: int | None = None
            detail: str | None = None
            try:
                response = await self._client.get(
                    self._base_url + path,
                    params=params,
                    headers=self._headers,
                    timeout=self._timeout,
                )
            except httpx.UnsupportedProtocol as exc:
                raise ProviderError(self.provider, f"bad base URL: {type(exc).__name__}") from None
            except httpx.TransportError as exc:  # timeouts, refused or dropped connections
                failure = type(exc).__name__
                delay = backoff_delay(attempt)
            else:
                status = response.status_code
                if response.is_success:
                    return response
                body = self._json(response)
                detail = self._provider_message(body)
                throttled = status == 429 or (
                    status == 403 and self._bare_403_throttles and body is _NOT_JSON
                )
                if status in (401, 403) and not throttled:
                    raise InvalidCredentials(
                        self.provider,
                        self._join(f"credentials refused (HTTP {status})", detail),
                        status=status,
                    )
                if throttled:
                    failure = f"rate limited (HTTP {status})"
                    wait = rate_limit_wait(response.headers, self._reset_header)
                    delay = backoff_delay(attempt) if wait is None else wait
                elif status >= 500:
                    failure = f"HTTP {status}"
                    delay = backoff_delay(attempt)
                else:
                    raise ProviderError(
                        self.provider,
                        self._join(f"HTTP {status} on GET {path}", detail),
                        status=status,
                    )
            if attempt >= self._max_attempts:
                raise ProviderUnavailable(
                    self.provider,
                    self._join(f"GET {path} failed {attempt} times, last with {failure}", detail),
                    status=status,
                )
            log.warning(
                "%s: GET %s attempt %d/%d: %s; retrying in %.1f s",
                self.provider,
                path,
                attempt,
                self._max_attempts,
                failure,
                delay,
            )
            await self._sleep(delay)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        """The decoded body, or _NOT_JSON (an HTML page, plain text, nothing)."""
        try:
            return msgspec.json.decode(response.content)
        except msgspec.DecodeError:
            return _NOT_JSON

    def _provider_message(self, body: Any) -> str | None:
        if body is _NOT_JSON:
            return None
        message = self._error_message(body)
        return self._safe(message) if message else None

    def _join(self, summary: str, detail: str | None) -> str:
        return f"{summary}: {detail}" if detail else summary

    def _safe(self, message: str) -> str:
        """One line, at most 300 characters, with any credential blanked out."""
        for secret in self._secrets:
            message = message.replace(secret, "[redacted]")
        message = _WHITESPACE.sub(" ", message).strip()
        if len(message) > _MESSAGE_LIMIT:
            message = message[: _MESSAGE_LIMIT - 1] + "…"
        return message
