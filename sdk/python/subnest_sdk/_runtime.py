"""What Client and AsyncClient share: requests, credentials, retries, errors.

Hand-written: ``subnest sdk`` copies it from app/sdkgen/templates/python/_runtime.py.tmpl, so
edit it there. The generated modules describe the API; this one moves the bytes. All the logic
is in ``Transport``; ``SyncTransport`` and ``AsyncTransport`` only send and wait.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import email.utils
import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Generic, TypeVar

import httpx
import msgspec

__all__ = [
    "IDEMPOTENCY_HEADER",
    "RETRY_STATUSES",
    "SAFE_RETRY_STATUSES",
    "Api",
    "ApiError",
    "AsyncClientBase",
    "AsyncTransport",
    "BaseClient",
    "Namespace",
    "OpenUnion",
    "Procedure",
    "RetryPolicy",
    "Scheme",
    "SyncClientBase",
    "SyncTransport",
    "Transport",
    "UnexpectedResponse",
    "decode_hook",
    "wire",
]

T = TypeVar("T")
HttpT = TypeVar("HttpT", bound="httpx.Client | httpx.AsyncClient")
TransportT = TypeVar("TransportT", bound="Transport[Any]")
ClientT = TypeVar("ClientT", bound="BaseClient[Any, Any]")

# The server did not carry the request out: safe to send again. A 429 only when it is a rate
# limit (RATE_LIMITED, or a proxy's answer without the API's body): a quota used up
# (QUOTA_EXCEEDED) frees only when the team's own work finishes, not after a wait.
RETRY_STATUSES = frozenset({429, 503})
# The server may have failed half-way: safe to send again only a read, or a write with an
# Idempotency-Key (which the server answers once).
SAFE_RETRY_STATUSES = frozenset({500, 502, 503, 504})
IDEMPOTENCY_HEADER = "Idempotency-Key"
_RATE_LIMITED = "RATE_LIMITED"
# Sending failed, or the answer was lost: for a read or a keyed write, send again.
_NETWORK_ERRORS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
# What one attempt ends with: an answer, or the error that kept it from arriving.
_Outcome = httpx.Response | httpx.TransportError


class ApiError(Exception):
    """An error answer: ``{"code", "message", "data"}`` with the HTTP status of its code.

    Each code has a subclass (see ``subnest_sdk.errors``) with ``data`` typed; an answer with a
    code this SDK does not know is raised as ``ApiError`` itself, ``data`` left as parsed JSON.
    """

    data_type: ClassVar[Any] = Any

    def __init__(
        self,
        *,
        code: str,
        status: int,
        message: str,
        data: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.code = code
        self.status = status
        self.message = message
        self.data = data
        self.request_id = request_id


class UnexpectedResponse(ApiError):
    """An answer the API does not document: not JSON, or not the documented shape.

    ``code`` is ``UNEXPECTED_RESPONSE`` and ``data`` the body as text.
    """

    data: str

    def __init__(self, *, status: int, message: str, text: str, request_id: str | None) -> None:
        super().__init__(
            code="UNEXPECTED_RESPONSE",
            status=status,
            message=message,
            data=text,
            request_id=request_id,
        )


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of a call the server did not carry out (429 RATE_LIMITED, 503), and for a call
    safe to repeat (a read, or a write with its Idempotency-Key) also of network errors and
    500, 502, 504. Nothing else is ever retried (a 429 QUOTA_EXCEEDED neither).

    ``max_attempts`` counts the first try (1: no retries). Before the n-th retry the client
    waits what ``Retry-After`` says, else ``backoff * 2**(n-1)`` seconds with jitter; never more
    than ``max_delay`` seconds.
    """

    max_attempts: int = 3
    backoff: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait after try number ``attempt`` failed in a way worth retrying."""
        seconds = _seconds(retry_after)
        if seconds is None:
            seconds = self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
        return max(0.0, min(seconds, self.max_delay))


def _seconds(retry_after: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date; None when absent or unreadable."""
    if not retry_after or not retry_after.strip():
        return None
    value = retry_after.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds()


@dataclass(frozen=True)
class Scheme:
    """How one credential is sent: header ``header`` with the value ``prefix + credential``."""

    credential: str
    header: str
    prefix: str = ""


@dataclass(frozen=True)
class Procedure:
    """Where a procedure is and how it authenticates: ``security`` lists alternatives, each the
    schemes sent together (none: a public procedure). ``idempotent``: a write that takes an
    Idempotency-Key; ``safe``: a read. Both may be sent again after a network error or a 5xx."""

    path: str
    security: tuple[tuple[str, ...], ...] = ()
    idempotent: bool = False
    safe: bool = False


@dataclass(frozen=True)
class Api:
    """What the generated code tells the transport about the API."""

    procedures: Mapping[str, Procedure]
    schemes: Mapping[str, Scheme]
    errors: Mapping[str, type[ApiError]]
    user_agent: str


class _ErrorBody(msgspec.Struct):
    code: str
    message: str
    data: msgspec.Raw


class Transport(Generic[HttpT]):
    """Settings, credentials and the request/answer logic; subclasses add the sending."""

    def __init__(
        self,
        api: Api,
        http: HttpT,
        *,
        owns_http: bool,
        base_url: str,
        credentials: Mapping[str, str | None],
        timeout: float,
        retry: RetryPolicy,
        headers: Mapping[str, str],
    ) -> None:
        self.api = api
        self.http = http
        self.owns_http = owns_http
        self.base_url = base_url.rstrip("/")
        self.credentials = dict(credentials)
        self.timeout = timeout
        self.retry = retry
        self.headers = {"user-agent": api.user_agent, **headers}

    def derive(self: TransportT, **credentials: str | None) -> TransportT:
        """A transport on the same connection pool (which it does not close) with some
        credentials changed."""
        clone = copy.copy(self)
        clone.credentials = {**self.credentials, **credentials}
        clone.owns_http = False
        return clone

    def auth_headers(self, security: tuple[tuple[str, ...], ...]) -> dict[str, str]:
        """The headers of the first alternative the credentials satisfy. When none is, those of
        every scheme the procedure names that has a credential, so that the server says what is
        missing."""
        values = {
            name: scheme.prefix + value
            for name, scheme in self.api.schemes.items()
            if (value := self.credentials.get(scheme.credential))
        }
        chosen = next((alt for alt in security if all(s in values for s in alt)), None)
        names = chosen if chosen is not None else {s for alt in security for s in alt}
        return {self.api.schemes[n].header: values[n] for n in sorted(names) if n in values}

    def _request(
        self, procedure: str, body: msgspec.Struct, idempotency_key: str | None
    ) -> tuple[httpx.Request, bool]:
        """The request (one for every attempt: a keyed write's key is fixed here, new unless
        given) and whether it is safe to send again after a network error or a 5xx."""
        info = self.api.procedures[procedure]
        headers = {
            **self.headers,
            "content-type": "application/json",
            "accept": "application/json",
            **self.auth_headers(info.security),
        }
        if info.idempotent:
            headers[IDEMPOTENCY_HEADER] = idempotency_key or str(uuid.uuid4())
        request = self.http.build_request(
            "POST",
            self.base_url + info.path,
            content=msgspec.json.encode(body),
            headers=headers,
            timeout=self.timeout,
        )
        return request, info.idempotent or info.safe

    def _retry_delay(self, outcome: _Outcome, attempt: int, safe: bool) -> float | None:
        """Seconds to wait before sending again, or None to take this outcome."""
        if attempt >= self.retry.max_attempts:
            return None
        if isinstance(outcome, httpx.TransportError):
            return self.retry.delay(attempt, None) if safe and _lost(outcome) else None
        status = outcome.status_code
        if status == 429 and _code(outcome) not in (_RATE_LIMITED, None):
            return None
        if status not in RETRY_STATUSES and not (safe and status in SAFE_RETRY_STATUSES):
            return None
        return self.retry.delay(attempt, outcome.headers.get("retry-after"))

    def _result(self, outcome: _Outcome, out: type[T]) -> T:
        if isinstance(outcome, httpx.TransportError):
            raise outcome
        response = outcome
        request_id = response.headers.get("x-request-id")
        if not response.is_success:
            raise self._error(response, request_id)
        try:
            return msgspec.json.decode(response.content, type=out, dec_hook=decode_hook)
        except msgspec.DecodeError as exc:
            raise UnexpectedResponse(
                status=response.status_code,
                message=f"the answer is not a valid {out.__name__}: {exc}",
                text=response.text,
                request_id=request_id,
            ) from None

    def _error(self, response: httpx.Response, request_id: str | None) -> ApiError:
        try:
            body = msgspec.json.decode(response.content, type=_ErrorBody)
            kind = self.api.errors.get(body.code, ApiError)
            data = msgspec.json.decode(body.data, type=kind.data_type)
        except msgspec.DecodeError:
            return UnexpectedResponse(
                status=response.status_code,
                message=f"HTTP {response.status_code} without the documented error body",
                text=response.text,
                request_id=request_id,
            )
        return kind(
            code=body.code,
            status=response.status_code,
            message=body.message,
            data=data,
            request_id=request_id,
        )


def _lost(error: httpx.TransportError) -> bool:
    """Sending failed, or the answer was lost (not a setting's fault, such as a bad URL)."""
    return isinstance(error, _NETWORK_ERRORS)


def _code(response: httpx.Response) -> str | None:
    """The error code of an answer with the API's error body, else None."""
    try:
        return msgspec.json.decode(response.content, type=_ErrorBody).code
    except msgspec.DecodeError:
        return None


class SyncTransport(Transport[httpx.Client]):
    def call(
        self,
        procedure: str,
        body: msgspec.Struct,
        out: type[T],
        *,
        idempotency_key: str | None = None,
    ) -> T:
        """Send ``body`` to ``procedure``; the answer decoded as ``out``, or its ApiError."""
        request, safe = self._request(procedure, body, idempotency_key)
        attempt = 1
        while True:
            outcome: _Outcome
            try:
                outcome = self.http.send(request)
            except httpx.TransportError as error:
                outcome = error
            delay = self._retry_delay(outcome, attempt, safe)
            if delay is None:
                return self._result(outcome, out)
            time.sleep(delay)
            attempt += 1

    def close(self) -> None:
        if self.owns_http:
            self.http.close()


class AsyncTransport(Transport[httpx.AsyncClient]):
    async def call(
        self,
        procedure: str,
        body: msgspec.Struct,
        out: type[T],
        *,
        idempotency_key: str | None = None,
    ) -> T:
        """Send ``body`` to ``procedure``; the answer decoded as ``out``, or its ApiError."""
        request, safe = self._request(procedure, body, idempotency_key)
        attempt = 1
        while True:
            outcome: _Outcome
            try:
                outcome = await self.http.send(request)
            except httpx.TransportError as error:
                outcome = error
            delay = self._retry_delay(outcome, attempt, safe)
            if delay is None:
                return self._result(outcome, out)
            await asyncio.sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        if self.owns_http:
            await self.http.aclose()


class Namespace(Generic[TransportT]):
    """Base of the generated groups of procedures (``client.teams`` …)."""

    def __init__(self, transport: TransportT) -> None:
        self._transport = transport


class BaseClient(Generic[HttpT, TransportT]):
    """Credentials, options and lifetime; the generated clients add the procedures."""

    _transport: TransportT

    def __init__(
        self,
        api: Api,
        base_url: str,
        *,
        credentials: Mapping[str, object],
        timeout: float,
        retry: RetryPolicy,
        headers: Mapping[str, str] | None,
        http_client: HttpT | None,
    ) -> None:
        self._transport = self._open(
            api,
            http_client,
            base_url=base_url,
            credentials={k: None if v is None else str(v) for k, v in credentials.items()},
            timeout=timeout,
            retry=retry,
            headers=dict(headers or {}),
        )
        self._bind(self._transport)

    def _open(self, api: Api, http_client: HttpT | None, **settings: Any) -> TransportT:
        raise NotImplementedError

    def _bind(self, transport: TransportT) -> None:
        """Create the procedure groups on ``transport`` (generated)."""
        raise NotImplementedError

    def _credential(self, name: str) -> str | None:
        return self._transport.credentials.get(name)

    def _set_credential(self, name: str, value: object) -> None:
        self._transport.credentials[name] = None if value is None else str(value)

    def _derive(self: ClientT, **credentials: str | None) -> ClientT:
        """A client sharing this one's connection pool, with some credentials changed."""
        clone = copy.copy(self)
        clone._transport = self._transport.derive(**credentials)
        clone._bind(clone._transport)
        return clone


class SyncClientBase(BaseClient[httpx.Client, SyncTransport]):
    def _open(self, api: Api, http_client: httpx.Client | None, **settings: Any) -> SyncTransport:
        http = http_client if http_client is not None else httpx.Client()
        return SyncTransport(api, http, owns_http=http_client is None, **settings)

    def close(self) -> None:
        """Close the connection pool (unless it was given, or this client was derived)."""
        self._transport.close()

    def __enter__(self: ClientT) -> ClientT:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClientBase(BaseClient[httpx.AsyncClient, AsyncTransport]):
    def _open(
        self, api: Api, http_client: httpx.AsyncClient | None, **settings: Any
    ) -> AsyncTransport:
        http = http_client if http_client is not None else httpx.AsyncClient()
        return AsyncTransport(api, http, owns_http=http_client is None, **settings)

    async def aclose(self) -> None:
        """Close the connection pool (unless it was given, or this client was derived)."""
        await self._transport.aclose()

    async def __aenter__(self: ClientT) -> ClientT:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


class OpenUnion:
    """Base of a union of models told apart by one field (its members subclass it). Decoding
    (with ``decode_hook``) picks the member the field names; a value this SDK does not know
    yet, sent by a newer server, decodes as the union's unknown member instead of failing."""

    __slots__ = ()
    _tag: ClassVar[str]
    _members: ClassVar[Mapping[str, type[Any]]]
    _unknown: ClassVar[type[Any]]

    @classmethod
    def register(cls, tag: str, members: Mapping[str, type[Any]], unknown: type[Any]) -> None:
        """Set the union's field, its members by value, and its unknown member."""
        cls._tag, cls._members, cls._unknown = tag, members, unknown


def decode_hook(kind: type[Any], obj: Any) -> Any:
    """msgspec's ``dec_hook`` for the models: decodes the members of an OpenUnion."""
    if isinstance(kind, type) and issubclass(kind, OpenUnion) and isinstance(obj, dict):
        member = kind._members.get(str(obj.get(kind._tag)), kind._unknown)
        return msgspec.convert(obj, member, dec_hook=decode_hook)
    raise NotImplementedError(f"cannot decode {kind!r}")


def wire(value: Any) -> Any:
    """A decoded answer (or part of one) as the JSON values the server sent: each field of a
    model by its wire name. Unlike ``msgspec.to_builtins``, fields equal to their default are
    kept (the models omit those only so that inputs leave them to the server)."""
    if isinstance(value, msgspec.Struct):
        fields = msgspec.structs.fields(value)
        pairs = ((f.encode_name, getattr(value, f.name)) for f in fields)
        return {name: wire(item) for name, item in pairs if item is not msgspec.UNSET}
    if isinstance(value, dict):
        return {key: wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [wire(item) for item in value]
    return msgspec.to_builtins(value)
