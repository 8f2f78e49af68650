"""The API: ``create_app(settings) -> Litestar``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, MediaType, Request, get
from litestar.datastructures import State
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from app.api import build_registry, openapi_spec
from app.auth.request_log import RequestLogWriter
from app.config import Settings
from app.feed.stream import fetch_page, stream
from app.runtime import Runtime
from realtime.hub import ChangeHub
from rpc import RateLimiter, RpcConfig, rpc_routes, swagger_page

__all__ = ["create_app"]

DOCS_PATH = "/api/documentation"


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get("/health/ready")
async def ready(state: State) -> Response[dict[str, Any]]:
    """PostgreSQL and Redis answer: 200, else 503 with what is missing."""
    runtime: Runtime = state.runtime
    report = await runtime.readiness()
    healthy = all(v == "ok" for v in report.values())
    return Response(
        {"status": "ready" if healthy else "unavailable", **report},
        status_code=HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE,
    )


@get(DOCS_PATH, media_type=MediaType.HTML, sync_to_thread=False)
def docs_page() -> str:
    """Interactive API documentation."""
    return swagger_page(f"{DOCS_PATH}/openapi.json", "SubscriberNest API")


def create_app(settings: Settings) -> Litestar:
    """Build the API for resolved settings (``DATABASE_URL`` and ``REDIS_URL`` set)."""
    runtime = Runtime(settings)
    registry = build_registry()
    request_log = RequestLogWriter(runtime.db)
    spec = openapi_spec(registry)

    @get(f"{DOCS_PATH}/openapi.json", sync_to_thread=False)
    def openapi_json() -> dict[str, Any]:
        """The OpenAPI 3.1 document of every procedure."""
        return spec

    hub = ChangeHub(settings.redis_url or "", fetch_page(runtime))

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        request_log.start()
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            await request_log.stop()
            await runtime.stop()

    def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        request.logger.exception("unhandled error on %s", request.url.path)
        body = {"code": "INTERNAL", "message": "internal error", "data": {}}
        return Response(body, status_code=500)

    rpc = rpc_routes(
        registry,
        RpcConfig(
            max_body_bytes=settings.max_body_bytes,
            limiter=RateLimiter(runtime.redis),
            after_call=request_log.record,
            state=runtime,
        ),
    )
    return Litestar(
        route_handlers=[health, ready, docs_page, openapi_json, stream, *rpc],
        lifespan=[lifespan],
        state=State({"runtime": runtime, "settings": settings, "hub": hub}),
        exception_handlers={500: internal_error},
        openapi_config=None,
        debug=False,
    )
