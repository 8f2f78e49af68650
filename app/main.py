"""The API: ``create_app(settings) -> Litestar``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from app.config import Settings
from app.runtime import Runtime

__all__ = ["create_app"]


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


def create_app(settings: Settings) -> Litestar:
    """Build the API for resolved settings (``DATABASE_URL`` and ``REDIS_URL`` set)."""
    runtime = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        request.logger.exception("unhandled error on %s", request.url.path)
        return Response({"code": "INTERNAL", "message": "internal error"}, status_code=500)

    return Litestar(
        route_handlers=[health, ready],
        lifespan=[lifespan],
        state=State({"runtime": runtime, "settings": settings}),
        exception_handlers={500: internal_error},
        debug=False,
    )
