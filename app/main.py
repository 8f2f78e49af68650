"""The API: ``create_app(settings) -> Litestar``."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Request, get
from litestar.datastructures import State
from litestar.handlers import HTTPRouteHandler
from litestar.response import Response
from litestar.static_files import create_static_files_router
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_401_UNAUTHORIZED,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from opentelemetry import trace

from app.api import build_registry, openapi_spec
from app.auth.access import ACCESS_CHANNEL, forget_cached
from app.config import Settings
from app.exports.routes import download_file, stream_csv, stream_ndjson
from app.feed.stream import MovedTeams, fetch_page, live_event, read_xmin, stream
from app.mail.devpage import caught_path, dev_mail_route
from app.observability import (
    METRICS_CHALLENGE,
    METRICS_MEDIA_TYPE,
    METRICS_REFUSED,
    CallMetrics,
    exposition,
    metrics_authorized,
)
from app.pools import check_pool_size
from app.redaction import REDACTOR
from app.runtime import Runtime
from app.usage.quota import api_quota
from app.usage.request_log import RequestLogWriter
from realtime import ChangeHub
from rpc import RateLimiter, Registry, RpcConfig, Secret, docs_routes, rpc_routes

__all__ = ["create_app"]

log = logging.getLogger(__name__)

DOCS_PATH = "/api/documentation"


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get("/health/ready")
async def ready(state: State) -> Response[dict[str, Any]]:
    """PostgreSQL and Redis answer: 200, else 503 with what is missing. ``workers``: how many
    workers have a fresh heartbeat (reported, not required: the API serves without them)."""
    runtime: Runtime = state.runtime
    report = await runtime.readiness()
    healthy = all(v == "ok" for v in report.values())
    workers = await runtime.workers_alive() if healthy else 0
    return Response(
        {"status": "ready" if healthy else "unavailable", **report, "workers": workers},
        status_code=HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE,
    )


def metrics_route(token: Secret | None) -> HTTPRouteHandler:
    """``GET /metrics``: Prometheus metrics of this process (calls, SSE connections), for the
    scraper that sends ``Authorization: Bearer <METRICS_TOKEN>``; 401 for anyone else (with no
    token, which only `subnest dev` serves it without: anyone)."""

    @get("/metrics", sync_to_thread=False)
    def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
        if not metrics_authorized(request.headers.get("authorization"), token):
            return Response(
                METRICS_REFUSED,
                status_code=HTTP_401_UNAUTHORIZED,
                media_type=MediaType.TEXT,
                headers={"WWW-Authenticate": METRICS_CHALLENGE},
            )
        return Response(exposition(), media_type=METRICS_MEDIA_TYPE)

    return metrics


STATIC = Path(__file__).parent / "static"


@get("/", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
def dashboard() -> bytes:
    """The dashboard (built from web/ into app/static)."""
    return (STATIC / "index.html").read_bytes()


def create_app(settings: Settings, registry: Registry | None = None) -> Litestar:
    """Build the API for resolved settings (``DATABASE_URL`` and ``REDIS_URL`` set), serving
    ``registry``'s procedures (the product's, ``build_registry()``, by default).

    SettingsError when DB_POOL_SIZE cannot serve the downloads and the calls (app/pools.py)."""
    check_pool_size(settings, "api")
    runtime = Runtime(settings, session_state=False)  # requests set only SET LOCAL state
    registry = registry or build_registry()
    request_log = RequestLogWriter(runtime.db, api_quota(runtime))
    spec = openapi_spec(registry)
    moved_teams = MovedTeams(runtime)
    hub = ChangeHub(
        settings.redis_url or "",
        fetch_page(runtime),
        live_event,
        read_xmin(runtime),
        moved_teams,
        tick_seconds=settings.feed_tick_seconds,
        unavailable=runtime.unavailable.matches,
        access_channel=ACCESS_CHANNEL,  # streams end when their access does (app/auth/access.py)
        on_notice=functools.partial(forget_cached, runtime),
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        request_log.start()
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            await moved_teams.close()
            await request_log.stop()
            await runtime.stop()

    def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        outage = runtime.unavailable.answer(exc, request.url.path)
        if outage is not None:  # a plain route (the stream, a download) met an outage
            return Response(
                msgspec.to_builtins(outage.body()),
                status_code=outage.status,
                headers={"Retry-After": str(runtime.unavailable.retry_after)},
            )
        log.exception("unhandled error on %s", request.url.path)
        body = {"code": "INTERNAL", "message": "internal error", "data": {}}
        return Response(body, status_code=500)

    rpc = rpc_routes(
        registry,
        RpcConfig(
            max_body_bytes=settings.max_body_bytes,
            limiter=RateLimiter(runtime.redis),
            after_call=CallMetrics(then=request_log.record),
            state=runtime,
            tracer=trace.get_tracer("rpc") if settings.tracing else None,
            redact=REDACTOR.text,
            unavailable=runtime.unavailable,
        ),
    )
    return Litestar(
        route_handlers=[
            dashboard,
            create_static_files_router(path="/static", directories=[STATIC]),
            health,
            ready,
            # No token, no metrics: the API port is public (the worker's is opt-in). Only a
            # development API (`subnest dev`, on this machine) serves them without one.
            *(
                [metrics_route(settings.metrics_token)]
                if settings.metrics_token or settings.env == "development"
                else []
            ),
            *docs_routes(DOCS_PATH, spec, "SubscriberNest API"),
            *(
                [dev_mail_route(caught_path(settings.data_path))]
                if settings.env == "development"
                else []
            ),
            stream,
            stream_csv,
            stream_ndjson,
            download_file,
            *rpc,
        ],
        lifespan=[lifespan],
        state=State({"runtime": runtime, "settings": settings, "hub": hub}),
        exception_handlers={500: internal_error},
        openapi_config=None,
        logging_config=None,  # the process configured logging (app.observability)
        debug=False,
    )
