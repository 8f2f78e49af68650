"""Observability: JSON log lines with the call's context, Prometheus metrics, worker heartbeat."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx

from app.config import Settings
from tests.support import (
    env_for,
    free_port,
    member_of_new_team,
    start_server,
    start_worker,
    subnest,
    wait_for,
)


def _metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name:
            found = ",".join(sorted((match[2] or "").split(","))) if match[2] else ""
            if found == wanted:
                return float(match[3])
    return 0.0


METRICS_TOKEN = "metrics-token-for-tests-0123456789"
SCRAPER = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def _refused(url: str) -> None:
    """``url`` answers 401 with a Bearer challenge without the token, or with a wrong one."""
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": METRICS_TOKEN}):
        refused = httpx.get(url, headers=headers)
        assert refused.status_code == 401, (headers, refused.status_code)
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert "subnest_" not in refused.text


def test_metrics_count_calls_for_the_token_holder_only(settings: Settings) -> None:
    with start_server(settings, METRICS_TOKEN=METRICS_TOKEN) as server:
        url = f"{server.base_url}/metrics"
        caller, _ = member_of_new_team(server.base_url)
        labels = {"procedure": "subscribers.list", "status": "200"}
        before = _metric(httpx.get(url, headers=SCRAPER).text, "subnest_rpc_calls_total", **labels)
        for _ in range(3):
            caller("subscribers.list")
        scrape = httpx.get(url, headers=SCRAPER)
        assert scrape.headers["content-type"].startswith("text/plain; version=0.0.4")
        assert _metric(scrape.text, "subnest_rpc_calls_total", **labels) == before + 3
        assert (
            _metric(scrape.text, "subnest_rpc_call_seconds_count", procedure="subscribers.list")
            == before + 3
        )
        assert "subnest_sse_connections" in scrape.text
        _refused(url)


def test_log_lines_are_json_with_the_calls_context(settings: Settings, tmp_path: Path) -> None:
    log_file = tmp_path / "server.log"
    with (
        log_file.open("wb") as stderr,
        start_server(settings, stderr=stderr, LOG_LEVEL="DEBUG", LOG_FORMAT="json") as server,
    ):
        caller, team = member_of_new_team(server.base_url)
        response = httpx.post(
            f"{server.base_url}/rpc/subscribers.list", json={}, headers=caller.headers
        )
        request_id = response.headers["x-request-id"]
    lines: list[dict[str, Any]] = []
    for raw in log_file.read_text().splitlines():
        lines.append(json.loads(raw))  # every line is one JSON object
    (answered,) = [line for line in lines if line.get("request_id") == request_id]
    assert answered["procedure"] == "subscribers.list"
    assert answered["team_id"] == team
    assert answered["status"] == 200 and answered["level"] == "debug"
    assert "timestamp" in answered and answered["logger"] == "rpc.calls"


def _check(settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        subnest("worker", "--check"),
        env=env_for(settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_worker_heartbeat_metrics_and_check(settings: Settings) -> None:
    port = free_port()
    with start_server(settings) as server:
        assert httpx.get(f"{server.base_url}/metrics").status_code == 404  # no METRICS_TOKEN
        ready = httpx.get(f"{server.base_url}/health/ready").json()
        assert ready["workers"] == 0  # reported, not required
        assert _check(settings).returncode == 1
        with start_worker(settings, WORKER_METRICS_PORT=str(port), METRICS_TOKEN=METRICS_TOKEN):
            wait_for(
                lambda: httpx.get(f"{server.base_url}/health/ready").json()["workers"] == 1,
                what="the worker's heartbeat",
            )
            checked = _check(settings)
            assert (checked.returncode, checked.stdout.strip()) == (0, "workers alive: 1")
            caller, _ = member_of_new_team(server.base_url)
            export = caller("exports.create", format="csv")
            wait_for(
                lambda: caller("exports.get", id=export["id"])["status"] == "succeeded",
                what="the export job",
            )

            def job_counted() -> float:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", headers=SCRAPER).text
                return _metric(
                    text, "subnest_jobs_total", job="export_subscribers", status="succeeded"
                )

            assert wait_for(job_counted, what="the job metric") == 1.0
            _refused(f"http://127.0.0.1:{port}/metrics")
        wait_for(
            lambda: httpx.get(f"{server.base_url}/health/ready").json()["workers"] == 0,
            timeout=30,
            what="the stopped worker's heartbeat to lapse",
        )
        assert _check(settings).returncode == 1
