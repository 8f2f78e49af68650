"""OpenTelemetry tracing: one trace from the API call through the queue to the worker's job and
its ESP requests, exported over OTLP/HTTP to a local receiver."""

from __future__ import annotations

import contextlib
import gzip
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from app.config import Settings
from tests.fakes import fake_esp
from tests.support import free_port, member_of_new_team, start_server, start_worker, wait_for


@dataclass(frozen=True)
class Received:
    service: str
    span: Span

    @property
    def attributes(self) -> dict[str, Any]:
        return {a.key: getattr(a.value, a.value.WhichOneof("value")) for a in self.span.attributes}


class Collector:
    """An OTLP/HTTP trace receiver (``POST /v1/traces``, protobuf) keeping every span."""

    def __init__(self) -> None:
        self.spans: list[Received] = []
        self.paths: set[str] = set()
        self._lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                collector.receive(self.path, body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def receive(self, path: str, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        with self._lock:
            self.paths.add(path)
            for resource_spans in request.resource_spans:
                service = next(
                    a.value.string_value
                    for a in resource_spans.resource.attributes
                    if a.key == "service.name"
                )
                for scope in resource_spans.scope_spans:
                    self.spans.extend(Received(service, span) for span in scope.spans)

    def trace(self, trace_id: str) -> list[Received]:
        with self._lock:
            return [s for s in self.spans if s.span.trace_id.hex() == trace_id]

    @contextlib.contextmanager
    def running(self) -> Iterator[Collector]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


def test_a_sync_is_one_trace_from_the_call_through_the_queue_to_the_worker(
    settings: Settings, tmp_path: Path
) -> None:
    log_file = tmp_path / "server.log"
    with Collector().running() as collector, fake_esp("kit", size=2500, seed=4) as fake:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "ESP_KIT_BASE_URL": fake.base_url,
        }
        with (
            log_file.open("wb") as stderr,
            start_server(
                settings, stderr=stderr, LOG_LEVEL="DEBUG", LOG_FORMAT="json", **env
            ) as server,
            start_worker(settings, **env),
        ):
            caller, team_id = member_of_new_team(server.base_url)
            connection = fake.connect(caller)
            # The caller's own trace: the server's span must continue it.
            trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
            caller.headers["traceparent"] = f"00-{trace_id}-{caller_span}-01"
            queued = caller("espConnections.sync", id=connection["id"])
            del caller.headers["traceparent"]
            run = wait_for(
                lambda: (
                    (r := caller("syncRuns.get", id=queued["syncRunId"]))["status"]
                    in ("succeeded", "failed")
                    and r
                ),
                timeout=60,
                interval=0.1,
                what="the sync run to finish",
            )
            assert run["status"] == "succeeded", run
            assert run["pages"] >= 2

            def whole_trace() -> list[Received] | None:
                spans = collector.trace(trace_id)
                names = [s.span.name for s in spans]
                done = names.count("kit GET") >= run["pages"] and "sync_connection" in names
                return spans if done and "espConnections.sync" in names else None

            spans = wait_for(whole_trace, timeout=30, interval=0.1, what="the trace's spans")

    assert collector.paths == {"/v1/traces"}
    (call,) = [s for s in spans if s.span.name == "espConnections.sync"]
    assert call.service == "subnest-api"
    assert call.span.kind == Span.SPAN_KIND_SERVER
    assert call.span.parent_span_id.hex() == caller_span
    assert call.attributes["http.response.status_code"] == 202
    assert call.attributes["subnest.team_id"] == team_id
    assert call.attributes["rpc.method"] == "espConnections.sync"

    (job,) = [s for s in spans if s.span.name == "sync_connection"]
    assert job.service == "subnest-worker"
    assert job.span.kind == Span.SPAN_KIND_CONSUMER
    assert job.span.parent_span_id == call.span.span_id
    assert job.attributes["subnest.team_id"] == team_id
    assert job.span.status.code != Status.STATUS_CODE_ERROR

    requests = [s for s in spans if s.span.name == "kit GET"]
    assert all(r.service == "subnest-worker" for r in requests)
    assert all(r.span.kind == Span.SPAN_KIND_CLIENT for r in requests)
    assert all(r.span.parent_span_id == job.span.span_id for r in requests)
    assert all(r.attributes["http.response.status_code"] == 200 for r in requests)
    assert all("?" not in r.attributes["url.path"] for r in requests)
    # The call's log line names its trace and span.
    lines = [json.loads(raw) for raw in log_file.read_text().splitlines()]
    (logged,) = [line for line in lines if line.get("procedure") == "espConnections.sync"]
    assert logged["trace_id"] == trace_id
    assert logged["span_id"] == call.span.span_id.hex()
    # Nothing of the trace is left without its parent (the caller's span is outside).
    ids = {s.span.span_id for s in spans} | {bytes.fromhex(caller_span)}
    assert all(s.span.parent_span_id in ids for s in spans)


def test_a_collector_that_is_down_fails_no_call_and_holds_no_shutdown(settings: Settings) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with start_server(
        settings, OTEL_EXPORTER_OTLP_ENDPOINT=nowhere, OTEL_BSP_SCHEDULE_DELAY="50"
    ) as server:
        caller, _ = member_of_new_team(server.base_url)
        for _ in range(5):
            assert caller("subscribers.list")["items"] == []
        assert server.stop(timeout=15) == 0  # raises if the exporter's retries hold it longer
