"""Optional OpenTelemetry tracing across API → job queue → worker.

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set. Then each process exports its spans over
OTLP/HTTP (protobuf) to ``<endpoint>/v1/traces``, as service ``<OTEL_SERVICE_NAME>-api`` or
``-worker`` (``subnest-api`` / ``subnest-worker`` by default):

- the API: one server span per procedure call (``app.main`` hands the rpc layer a tracer),
  continuing the caller's W3C ``traceparent`` when it sends one;
- the queue: a job enqueued while a span is current carries that span's context in its
  ``meta`` (:func:`carry_trace_context`, a SAQ before-enqueue hook), so retries and jobs queued
  by other jobs stay in the trace that caused them;
- the worker: one consumer span per job attempt (:func:`job_span`, from ``app.jobs``), a child
  of the span that queued it, and one client span per ESP request (``app.esp.http``).

Without an endpoint no tracer provider is installed: the API's spans are not made at all, and
the worker's are OpenTelemetry's no-op spans. The SDK's own variables (``OTEL_EXPORTER_OTLP_
HEADERS``, ``OTEL_TRACES_SAMPLER``, ``OTEL_BSP_SCHEDULE_DELAY``, ``OTEL_RESOURCE_ATTRIBUTES``
…) apply as documented by OpenTelemetry.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from saq.job import Job

from app.config import Settings
from app.redaction import REDACTOR

__all__ = ["carry_trace_context", "job_span", "record_error", "tracing"]

log = logging.getLogger(__name__)
_META_KEY = "trace"
_FLUSH_SECONDS = 3.0
_tracer = trace.get_tracer("app.jobs")


@contextlib.contextmanager
def tracing(settings: Settings, role: str) -> Iterator[None]:
    """Install the process's tracer provider when tracing is on; flush it on the way out."""
    endpoint = settings.otel_exporter_otlp_endpoint
    if endpoint is None:
        yield
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    service = f"{settings.otel_service_name}-{role}"
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}), shutdown_on_exit=False
    )
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    try:
        yield
    finally:
        # Export what is still buffered, for a few seconds at most: a collector that is down
        # would have the exporter retry each batch for its whole timeout, holding the exit.
        flushing = threading.Thread(target=provider.shutdown, name="trace-flush", daemon=True)
        flushing.start()
        flushing.join(_FLUSH_SECONDS)
        if flushing.is_alive():
            log.warning("spans not exported within %.0f s of shutdown were dropped", _FLUSH_SECONDS)
            exporter.shutdown()  # type: ignore[no-untyped-call]  # ends the retries


async def carry_trace_context(job: Job) -> None:
    """SAQ before-enqueue hook: the current span's context goes with the job (in ``meta``)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    if carrier:
        job.meta[_META_KEY] = carrier


@contextlib.contextmanager
def job_span(name: str, job: Job | None, kwargs: Mapping[str, Any]) -> Iterator[Span]:
    """A consumer span for one attempt of job ``name``, child of the span that queued it.

    An exception is recorded on the span (status ERROR) and goes on; its message and stack
    go through app.redaction first.
    """
    carrier = job.meta.get(_META_KEY) if job is not None else None
    parent = propagate.extract(carrier) if isinstance(carrier, dict) else None
    attributes: dict[str, str | int] = {"messaging.system": "saq", "messaging.operation": "process"}
    if job is not None:
        attributes |= {"messaging.message.id": job.key, "subnest.job.attempt": job.attempts}
    team = kwargs.get("team_id")
    if team is not None:
        attributes["subnest.team_id"] = str(team)
    with _tracer.start_as_current_span(
        name,
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            record_error(span, exc)
            raise


def record_error(span: Span, exc: BaseException) -> None:
    """``exc`` on ``span`` (an event and status ERROR), with its text through app.redaction."""
    message = REDACTOR.text(str(exc))
    stack = REDACTOR.text("".join(traceback.format_exception(exc)))
    span.record_exception(
        exc, attributes={"exception.message": message, "exception.stacktrace": stack}
    )
    span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {message}"))
