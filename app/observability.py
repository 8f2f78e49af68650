"""Logs and metrics: JSON log lines (structlog) that carry the call's request id, team and
procedure (and, with tracing on, the current span's trace and span ids) and no secret
(app.redaction); Prometheus metrics of calls, SSE connections, jobs and syncs.

The API serves its metrics at ``/metrics`` when ``METRICS_TOKEN`` is set, to the scraper that
sends it; a worker, on ``WORKER_METRICS_PORT`` when set, behind the same token when there is one
(each process keeps its own counters, as Prometheus expects: scrape every process).
"""

from __future__ import annotations

import hmac
import logging
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import structlog
from opentelemetry import trace
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import ThreadingWSGIServer, make_wsgi_app

from app.redaction import REDACTOR
from rpc import CURRENT_CALL, Call, Secret

__all__ = [
    "JOBS",
    "METRICS_CHALLENGE",
    "METRICS_MEDIA_TYPE",
    "METRICS_REFUSED",
    "REGISTRY",
    "SSE_CONNECTIONS",
    "SYNC_ROWS",
    "CallMetrics",
    "configure_logging",
    "exposition",
    "metrics_authorized",
    "observe_job",
    "serve_worker_metrics",
]

REGISTRY = CollectorRegistry(auto_describe=True)
_CALLS = Counter(
    "subnest_rpc_calls", "Procedure calls answered", ["procedure", "status"], registry=REGISTRY
)
_CALL_SECONDS = Histogram(
    "subnest_rpc_call_seconds",
    "Time to answer a procedure call",
    ["procedure"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
SSE_CONNECTIONS = Gauge(
    "subnest_sse_connections", "Open /realtime/stream connections", registry=REGISTRY
)
JOBS = Counter("subnest_jobs", "Job attempts, by outcome", ["job", "status"], registry=REGISTRY)
_JOB_SECONDS = Histogram(
    "subnest_job_seconds", "Duration of job attempts", ["job"], registry=REGISTRY
)
SYNC_ROWS = Counter(
    "subnest_sync_rows", "Subscribers merged by syncs, by outcome", ["outcome"], registry=REGISTRY
)


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    return generate_latest(REGISTRY)


METRICS_MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METRICS_CHALLENGE = 'Bearer realm="metrics"'  # the WWW-Authenticate of a refused scrape
METRICS_REFUSED = b"401 Unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n"


def metrics_authorized(authorization: str | None, token: Secret | None) -> bool:
    """Whether a scrape may read the metrics: with no ``token``, anyone; else only one whose
    ``Authorization`` header is ``Bearer <token>`` (compared in constant time)."""
    if token is None:
        return True
    expected = f"Bearer {token.reveal()}".encode()
    return hmac.compare_digest((authorization or "").encode("utf-8", "replace"), expected)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log line per scrape on stderr."""


def serve_worker_metrics(port: int, host: str, token: Secret | None) -> WSGIServer:
    """A worker's metrics on ``host:port``, from a daemon thread (prometheus_client's WSGI
    server), refused with 401 unless ``metrics_authorized``. ``shutdown()`` stops it."""
    metrics = make_wsgi_app(REGISTRY)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not metrics_authorized(environ.get("HTTP_AUTHORIZATION"), token):
            start_response(
                "401 Unauthorized",
                [("WWW-Authenticate", METRICS_CHALLENGE), ("Content-Type", "text/plain")],
            )
            return [METRICS_REFUSED]
        result: Iterable[bytes] = metrics(environ, start_response)
        return result

    class Server(ThreadingWSGIServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = make_server(host, port, app, Server, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server


def observe_job(job: str, status: str, seconds: float) -> None:
    JOBS.labels(job, status).inc()
    _JOB_SECONDS.labels(job).observe(seconds)


class CallMetrics:
    """The rpc layer's ``after_call``: counts and times each call (label children cached: the
    hot path pays two dict lookups), then hands the call on to ``then``."""

    def __init__(self, then: Any) -> None:
        self._then = then
        self._counters: dict[tuple[str, int], Any] = {}
        self._timers: dict[str, Any] = {}
        self._log = logging.getLogger("rpc.calls")

    def __call__(self, call: Call, status: int, seconds: float) -> None:
        name = call.procedure.name
        counter = self._counters.get((name, status))
        if counter is None:
            counter = self._counters[(name, status)] = _CALLS.labels(name, str(status))
        counter.inc()
        timer = self._timers.get(name)
        if timer is None:
            timer = self._timers[name] = _CALL_SECONDS.labels(name)
        timer.observe(seconds)
        if self._log.isEnabledFor(logging.DEBUG):
            self._log.debug("call answered", extra={"status": status, "ms": seconds * 1000})
        self._then(call, status, seconds)


def _call_fields(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    call = CURRENT_CALL.get()
    if call is not None:
        event.setdefault("request_id", call.request_id)
        event.setdefault("procedure", call.procedure.name)
        team = call.facts.get("team_id")
        if team is not None:
            event.setdefault("team_id", str(team))
    return event


def _trace_fields(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:  # only with tracing on
        event.setdefault("trace_id", format(context.trace_id, "032x"))
        event.setdefault("span_id", format(context.span_id, "016x"))
    return event


def _redact_fields(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    return REDACTOR.fields(event)


def _redact_line(logger: Any, method: str, line: str) -> str:
    """The last step: the finished line, through every net of app.redaction."""
    return REDACTOR.text(line)


def configure_logging(level: str, fmt: str, secrets: Iterable[str | None] = ()) -> None:
    """Route every log record (ours, uvicorn's, SAQ's) through structlog: one JSON object per
    line (``fmt="json"``) or readable lines (``"console"``), on stderr.

    No line carries a secret (decision 0016): tracebacks are rendered without their frames'
    local variables, fields named like secrets are blanked, and the finished line goes through
    app.redaction, which also blanks ``secrets`` (the process's own: see Settings.secrets).
    """
    REDACTOR.remember(*secrets)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _call_fields,
        _trace_fields,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_fields,
    ]
    final: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if fmt == "json":
        final += [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            # Not ASCII-escaped, so that the last step finds a secret as it was given.
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ]
    else:
        # A plain traceback: rich's would wrap long lines, and a secret cut in two is not found.
        final.append(
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        )
    final.append(_redact_line)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=final)
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
