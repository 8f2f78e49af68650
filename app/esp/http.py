"""The HTTP policy every connector shares: timeouts, retries, rate limits and error mapping.

Each call has a timeout. Requests are paced by the provider's ``RateLimit`` (decision 0033):
at most 90% of its documented budget in any window, and, where the provider counts the
requests left (``remaining_header``), none after the last one until its announced reset. A
rate limit (every 429, and a 403 without a JSON body where the provider throttles that way:
Mailchimp) waits for ``Retry-After`` or the provider's reset header (seconds, an HTTP date or a
Unix epoch time; at most 60 s), else for the provider's documented reset window; 5xx, timeouts
and connection errors back off exponentially (0.5 s, 1 s, 2 s … at most 30 s); all give up
after ``max_attempts`` with ProviderUnavailable. A 401, or a 403 with a JSON body, raises
InvalidCredentials; other 4xx ProviderError. Error messages carry the provider's own message,
never the credentials. The provider's times are scaled by ``EspEndpoints.rate_limit_scale``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections import deque
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
    RateLimit,
    Sleep,
)
from app.tracing import record_error

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "PACE_SHARE",
    "RATE_LIMIT_WAIT_CAP",
    "ErrorMessage",
    "Pacer",
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
PACE_SHARE = 0.9  # of a provider's documented budget: the rest is for its other clients
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


class Pacer:
    """Keeps one connector's requests within its provider's ``RateLimit``: at most
    ``PACE_SHARE`` of the budget in any (scaled) window, and none before a reset the provider
    announced with ``hold``. ``clock`` is monotonic seconds."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        scale: float,
        sleep: Sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._budget = max(1, math.floor(limit.requests * PACE_SHARE)) if limit.requests else None
        self._window = limit.window * scale
        self._sleep = sleep
        self._clock = clock
        self._sent: deque[float] = deque()  # when the requests in the window went out
        self._not_before = 0.0

    async def turn(self) -> None:
        """Wait until the next request may go out."""
        now = self._clock()
        delay = self._not_before - now
        if self._budget is not None:
            self._expire(now)
            if len(self._sent) >= self._budget:
                delay = max(delay, self._sent[0] + self._window - now)
        start = now + max(delay, 0.0)
        if delay > 0:
            await self._sleep(delay)
        self._expire(start)
        self._sent.append(start)

    def hold(self, seconds: float) -> None:
        """No request for ``seconds`` from now (the provider's window is used up)."""
        self._not_before = max(self._not_before, self._clock() + seconds)

    def _expire(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self._window:
            self._sent.popleft()


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
        rate_limit: RateLimit,
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
        self._limit = rate_limit
        self._scale = endpoints.rate_limit_scale
        self._pacer = Pacer(rate_limit, scale=self._scale, sleep=sleep)
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
            await self._pacer.turn()
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
                    self._note_remaining(response.headers)
                    return response
                body = self._json(response)
                detail = self._provider_message(body)
                throttled = status == 429 or (
                    status == 403 and self._limit.bare_403_throttles and body is _NOT_JSON
                )
                if status in (401, 403) and not throttled:
                    raise InvalidCredentials(
                        self.provider,
                        self._join(f"credentials refused (HTTP {status})", detail),
                        status=status,
                    )
                if throttled:
                    failure = f"rate limited (HTTP {status})"
                    delay = self._reset_delay(response.headers)
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

    def _note_remaining(self, headers: httpx.Headers) -> None:
        """At 0 requests left in the provider's window, hold the next until its reset."""
        name = self._limit.remaining_header
        raw = headers.get(name) if name else None
        try:
            remaining = int(raw) if raw is not None else None
        except ValueError:
            remaining = None
        if remaining is not None and remaining <= 0:
            self._pacer.hold(self._reset_delay(headers))

    def _reset_delay(self, headers: httpx.Headers) -> float:
        """Until the provider's window resets: as its headers say, else its documented window."""
        wait = rate_limit_wait(headers, self._limit.reset_header)
        return (self._limit.reset_wait if wait is None else wait) * self._scale

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
