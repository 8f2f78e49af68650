"""Serving a Registry on Litestar: ``POST /rpc/<procedure>``."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import Response

from rpc.errors import (
    DomainError,
    InternalError,
    InternalErrorData,
    NotFound,
    PayloadTooLarge,
    PayloadTooLargeData,
    ValidationData,
    ValidationFailed,
)
from rpc.procedure import Call, Procedure, Registry
from rpc.ratelimit import RateLimiter

__all__ = ["AfterCall", "RpcConfig", "rpc_route"]

log = logging.getLogger("rpc")
_encoder = msgspec.json.Encoder()
AfterCall = Callable[[Call, int, float], None]
_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class RpcConfig:
    """``max_body_bytes``: larger bodies answer 413. ``after_call(call, status, seconds)`` runs
    after every call that reached a procedure (it must not block). ``state`` is handed to tiers
    as ``call.state``."""

    max_body_bytes: int = 1_048_576
    limiter: RateLimiter | None = None
    after_call: AfterCall | None = None
    path: str = "/rpc"
    state: Any = None


def rpc_route(registry: Registry, config: RpcConfig) -> HTTPRouteHandler:
    """The Litestar route handler that dispatches every procedure of ``registry``."""
    decoders = {p.name: msgspec.json.Decoder(p.input_type) for p in registry}

    @post(f"{config.path}/{{name:str}}", status_code=200, include_in_schema=False)
    async def handle(name: FromPath[str], request: Request[Any, Any, Any]) -> Response[bytes]:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        started = time.perf_counter()
        procedure = registry.get(name)
        call: Call | None = None
        try:
            if procedure is None:
                raise NotFound(f"no procedure named {name!r}")
            call = Call(
                procedure=procedure,
                headers=request.headers,
                read_cookies=lambda: request.cookies,
                client_ip=request.client.host if request.client else "",
                request_id=request_id,
                state=config.state,
            )
            body = await _read_body(request, config.max_body_bytes)
            if procedure.rate_limit is not None and config.limiter is not None:
                await config.limiter.hit(
                    procedure.rate_limit, scope=procedure.name, subject=call.client_ip
                )
            data = _decode(decoders[name], body)
            response = await _run(procedure, call, data)
        except DomainError as exc:
            response = _error(exc, request_id)
        except Exception:
            log.exception("procedure %s failed (request %s)", name, request_id)
            response = _error(
                InternalError(data=InternalErrorData(request_id=request_id)), request_id
            )
        if call is not None and config.after_call is not None:
            config.after_call(call, response.status_code or 200, time.perf_counter() - started)
        return response

    return handle


async def _run(
    procedure: Procedure[Any, Any, Any], call: Call, data: msgspec.Struct
) -> Response[bytes]:
    async with procedure.tier.enter(call) as ctx:
        result = await procedure.handler(ctx, data)
    return Response(
        _encoder.encode(result),
        status_code=procedure.status_code,
        media_type=_JSON,
        headers={"x-request-id": call.request_id},
        cookies=call.set_cookies,
    )


async def _read_body(request: Request[Any, Any, Any], limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(data=PayloadTooLargeData(max_bytes=limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(data=PayloadTooLargeData(max_bytes=limit))
        chunks.append(chunk)
    return b"".join(chunks)


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
        detail, sep, path = str(exc).rpartition(" - at `")
        if not sep:
            detail, path = str(exc), "$`"
        raise ValidationFailed(
            f"invalid input at {path.rstrip('`')}: {detail}",
            data=ValidationData(path=path.rstrip("`"), detail=detail),
        ) from None
    except msgspec.DecodeError as exc:
        raise ValidationFailed(
            "the body is not valid JSON", data=ValidationData(path="$", detail=str(exc))
        ) from None
    return value


def _error(exc: DomainError, request_id: str) -> Response[bytes]:
    headers = {"x-request-id": request_id}
    retry_after = getattr(exc.data, "retry_after", None)
    if isinstance(retry_after, int):
        headers["retry-after"] = str(retry_after)
    return Response(
        _encoder.encode(exc.body()), status_code=exc.status, media_type=_JSON, headers=headers
    )
