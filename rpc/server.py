"""Serving a Registry on Litestar: ``POST /rpc/<procedure>``."""

from __future__ import annotations

import contextlib
import itertools
import logging
import secrets
import time
import traceback
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, post
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response.base import ASGIResponse
from opentelemetry import propagate
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

from rpc.errors import (
    DomainError,
    IdempotencyKeyReused,
    InternalError,
    InternalErrorData,
    NotFound,
    PayloadTooLarge,
    PayloadTooLargeData,
    ValidationData,
    ValidationFailed,
)
from rpc.idempotency import REPLAYED_HEADER, Answer, Claim, claim_of, key_of
from rpc.masking import secret_fields, secret_values
from rpc.procedure import Call, Procedure, Registry
from rpc.ratelimit import RateLimiter
from rpc.unavailable import Unavailability

__all__ = ["CURRENT_CALL", "AfterCall", "RpcConfig", "rpc_routes"]

log = logging.getLogger("rpc")
_encoder = msgspec.json.Encoder()
AfterCall = Callable[[Call, int, float], None]
_JSON_BYTES = b"application/json"
_REPLAYED = REPLAYED_HEADER.lower().encode()


@dataclass(frozen=True, slots=True)
class RpcConfig:
    """``max_body_bytes``: larger bodies answer 413. ``after_call(call, status, seconds)`` runs
    after every call that reached a procedure (it must not block). ``state`` is handed to tiers
    as ``call.state``. ``tracer``: when set, each call is an OpenTelemetry server span (current
    while the procedure runs), continuing the caller's ``traceparent``. ``unavailable``: which
    exceptions mean a server the calls need is unreachable; those answer 503
    ``SERVICE_UNAVAILABLE`` with ``Retry-After`` instead of 500 (and a rate-limited warning
    instead of a traceback)."""

    max_body_bytes: int = 1_048_576
    limiter: RateLimiter | None = None
    after_call: AfterCall | None = None
    path: str = "/rpc"
    state: Any = None
    tracer: Tracer | None = None
    redact: Callable[[str], str] = str
    unavailable: Unavailability | None = None


def rpc_routes(registry: Registry, config: RpcConfig) -> list[HTTPRouteHandler]:
    """Litestar route handlers for ``registry``: one static route per procedure (no path
    parameter to parse on the hot path) and a fallback answering NOT_FOUND for other names."""
    routes = [_procedure_route(procedure, config) for procedure in registry]

    @post(f"{config.path}/{{name:str}}", status_code=404, include_in_schema=False)
    async def unknown(name: FromPath[str], request: Request[Any, Any, Any]) -> ASGIResponse:
        return _error(NotFound(f"no procedure named {name!r}"), _request_id(request))

    return [*routes, unknown]


def _procedure_route(procedure: Procedure[Any, Any, Any], config: RpcConfig) -> HTTPRouteHandler:
    decoder = msgspec.json.Decoder(procedure.input_type)
    limiter = config.limiter if procedure.rate_limit is not None else None
    limit = config.max_body_bytes
    after_call = config.after_call
    tracer = config.tracer
    has_secrets = bool(secret_fields(procedure.input_type))
    unavailable = config.unavailable
    idempotent = procedure.idempotent

    async def handle(request: Request[Any, Any, Any]) -> ASGIResponse:
        if tracer is None:
            return await answer(request, None)
        with _call_span(tracer, procedure.name, request) as span:
            return await answer(request, span)

    async def answer(request: Request[Any, Any, Any], span: Span | None) -> ASGIResponse:
        started = time.perf_counter() if after_call is not None else 0.0
        request_id = _request_id(request)
        client = request.scope.get("client")
        call = Call(
            procedure=procedure,
            request=request,
            client_ip=client[0] if client else "",
            request_id=request_id,
            state=config.state,
        )
        token = CURRENT_CALL.set(call)  # for logs written during the call (and after_call)
        try:
            try:
                body = await request.body()
            except RequestEntityTooLarge:
                raise PayloadTooLarge(data=PayloadTooLargeData(max_bytes=limit)) from None
            if limiter is not None and procedure.rate_limit is not None:
                await limiter.hit(
                    procedure.rate_limit, scope=procedure.name, subject=call.client_ip
                )
            key = key_of(request.scope["headers"]) if idempotent else None
            data = _decode(decoder, body)
            if has_secrets:
                call.secrets = secret_values(data)
            claim = claim_of(key, procedure.name, data) if key is not None else None
            response = await _run(procedure, call, data, claim)
        except DomainError as exc:
            response = _error(exc, request_id)
        except Exception as exc:
            if span is not None:
                _record(span, exc, config.redact)
            outage = unavailable.answer(exc, procedure.name) if unavailable else None
            if outage is not None:
                response = _error(outage, request_id)
            else:
                log.exception("procedure %s failed (request %s)", procedure.name, request_id)
                response = _error(
                    InternalError(data=InternalErrorData(request_id=request_id)), request_id
                )
        if span is not None:
            _describe(span, call, response.status_code or 200)
        try:
            if after_call is not None:
                after_call(call, response.status_code or 200, time.perf_counter() - started)
        finally:
            CURRENT_CALL.reset(token)
        return response

    return post(
        f"{config.path}/{procedure.name}",
        status_code=procedure.status_code,
        include_in_schema=False,
        name=f"rpc:{procedure.name}",
        request_max_body_size=limit,
    )(handle)


_TRACE_HEADERS = {b"traceparent", b"tracestate", b"baggage"}


@contextlib.contextmanager
def _call_span(tracer: Tracer, name: str, request: Request[Any, Any, Any]) -> Iterator[Span]:
    carrier = {
        key.decode("latin-1"): value.decode("latin-1")
        for key, value in request.scope["headers"]
        if key in _TRACE_HEADERS
    }
    with tracer.start_as_current_span(
        name,
        context=propagate.extract(carrier) if carrier else None,
        kind=SpanKind.SERVER,
        attributes={
            "rpc.system": "subnest",
            "rpc.method": name,
            "http.request.method": "POST",
            "url.path": request.scope["path"],
        },
        record_exception=False,  # the handler answers every exception; it records them
    ) as span:
        yield span


def _record(span: Span, exc: BaseException, redact: Callable[[str], str]) -> None:
    """The exception as a span event, its message and stack through ``redact``."""
    stack = "".join(traceback.format_exception(exc))
    span.record_exception(
        exc,
        attributes={"exception.message": redact(str(exc)), "exception.stacktrace": redact(stack)},
    )


def _describe(span: Span, call: Call, status: int) -> None:
    span.set_attribute("http.response.status_code", status)
    span.set_attribute("subnest.request_id", call.request_id)
    team = call.facts.get("team_id")
    if team is not None:
        span.set_attribute("subnest.team_id", str(team))
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))


# The call being answered, in the task answering it: what a log processor can add to a line.
CURRENT_CALL: ContextVar[Call | None] = ContextVar("rpc_current_call", default=None)

_ids = itertools.count()
_ID_PREFIX = secrets.token_hex(4)


def _request_id(request: Request[Any, Any, Any]) -> str:
    """The caller's X-Request-Id, else a new one (unique per process, cheap to make)."""
    for name, value in request.scope["headers"]:
        if name == b"x-request-id" and value:
            return value.decode("latin-1")[:200]
    return f"{_ID_PREFIX}{next(_ids):x}"


async def _run(
    procedure: Procedure[Any, Any, Any], call: Call, data: msgspec.Struct, claim: Claim | None
) -> ASGIResponse:
    if procedure.prepare is not None:
        call.prepared = await procedure.prepare(call, data)
    store = procedure.tier.idempotency
    async with procedure.tier.enter(call) as ctx:
        if claim is None or store is None:
            body = _encoder.encode(await procedure.handler(ctx, data))
        else:
            # The key is claimed in the handler's unit of work: both commit or neither.
            kept = await store.claim(ctx, claim)
            if kept is not None:
                if not kept.matches(claim):
                    raise IdempotencyKeyReused()
                answer = kept.answer
                return _respond(answer.body, answer.status, call.request_id, replayed=True)
            body = _encoder.encode(await procedure.handler(ctx, data))
            await store.keep(ctx, claim, Answer(procedure.status_code, body))
    return _respond(body, procedure.status_code, call.request_id, call.set_cookies)


class _Answer(ASGIResponse):
    """A JSON answer with its raw headers made here: ASGIResponse's constructor builds the
    same ones through a case-insensitive mapping, a quarter of a no-op call's time. (Every
    procedure's status has a body: 200, 201, 202, 4xx, 5xx.)"""

    __slots__ = ()

    def __init__(
        self, body: bytes, status: int, headers: list[tuple[bytes, bytes]], cookies: list[Cookie]
    ) -> None:
        headers += ((b"content-type", _JSON_BYTES), (b"content-length", b"%d" % len(body)))
        self.headers = MutableScopeHeaders({"headers": headers})
        self.background = None
        self.body = body
        self.content_length = len(body)
        self._encoded_cookies = tuple(
            cookie.to_encoded_header() for cookie in cookies if not cookie.documentation_only
        )
        self.encoding = "utf-8"
        self.is_head_response = False
        self.status_code = status


def _respond(
    body: bytes,
    status: int,
    request_id: str,
    cookies: list[Cookie] | None = None,
    retry_after: int | None = None,
    *,
    replayed: bool = False,
) -> ASGIResponse:
    headers = [(b"x-request-id", request_id.encode("latin-1"))]
    if retry_after is not None:
        headers.append((b"retry-after", b"%d" % retry_after))
    if replayed:
        headers.append((_REPLAYED, b"true"))
    return _Answer(body, status, headers, cookies or [])


def _decode(decoder: msgspec.json.Decoder[Any], body: bytes) -> msgspec.Struct:
    if b"\\u0000" in body:
        # Text columns cannot hold NUL; refuse it here rather than fail in the database.
        raise ValidationFailed(
            "text may not contain NUL characters",
            data=ValidationData(path="$", detail="a string contains \\u0000"),
        )
    try:
        value: msgspec.Struct = decoder.decode(body.strip() or b"{}")
    except msgspec.ValidationError as exc:
        raise ValidationFailed.of(exc) from None
    except msgspec.DecodeError as exc:
        raise ValidationFailed(
            "the body is not valid JSON", data=ValidationData(path="$", detail=str(exc))
        ) from None
    except RecursionError:
        # msgspec stops at the interpreter's recursion limit (~1,000 levels), at once and
        # without reading further; an application bounds its free-form fields tighter.
        raise ValidationFailed(
            "the body is nested too deeply",
            data=ValidationData(path="$", detail="JSON nested too deeply"),
        ) from None
    return value


def _error(exc: DomainError, request_id: str) -> ASGIResponse:
    retry_after = getattr(exc.data, "retry_after", None)
    return _respond(
        _encoder.encode(exc.body()),
        exc.status,
        request_id,
        retry_after=retry_after if isinstance(retry_after, int) else None,
    )
