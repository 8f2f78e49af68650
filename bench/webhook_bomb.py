"""One webhook delivery to a gzip-bomb receiver: the event-loop stall and peak RSS it costs.

A local receiver answers 500 with ``Content-Encoding: gzip`` and a 1 MB body that inflates to
``--gib`` GiB of zeros. The send the worker makes (``app.webhooks.jobs._send``) is measured
against the baseline in the same run: the send it made before decision 0018 (``http.post`` then
``response.text``), last, since it is the one that grows the process. A 10 ms ticker beside each
send gives the worst event-loop stall; ``ru_maxrss`` the process's peak RSS after it.

Usage: ``.venv/bin/python bench/webhook_bomb.py [--gib 1] [--rounds 3] [--no-baseline]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import load_settings
from app.webhooks.jobs import _send
from app.webhooks.urls import UrlChecker
from tests.test_webhooks import _gzip_bomb


def _receiver(bomb: bytes) -> str:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(500)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client stopped reading: as it should
                self.wfile.write(bomb)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]  # a client gone
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


async def _measure(name: str, send: Callable[[], Awaitable[object]]) -> None:
    worst, done = 0.0, False

    async def tick() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            worst, last = max(worst, now - last - 0.01), now

    ticker = asyncio.create_task(tick())
    began = time.perf_counter()
    outcome = await send()
    took = time.perf_counter() - began
    done = True
    await ticker
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{name}: {took:.2f} s, worst loop stall {worst * 1000:.0f} ms, "
        f"peak RSS {rss:.0f} MiB; {str(outcome)[:80]}"
    )


async def main(gib: int, rounds: int, baseline: bool) -> None:
    url = _receiver(_gzip_bomb(gib * 1024))
    settings = load_settings({"SUBNEST_ENV": "test", "WEBHOOK_ALLOW_PRIVATE_URLS": "true"})
    http = httpx.AsyncClient(follow_redirects=False)
    urls = UrlChecker(timeout=5, concurrency=2, allow_private=True)
    runtime: Any = SimpleNamespace(settings=settings, http=http, webhook_urls=urls)
    print(f"start: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    for n in range(rounds):
        await _measure(f"now, round {n + 1}", lambda: _send(runtime, url, b"{}", {}))

    async def before() -> object:
        response = await http.post(url, content=b"{}", timeout=10.0)
        return response.status_code, len(response.text[:500])

    if baseline:
        await _measure("before 0018 (baseline)", before)
    await http.aclose()
    urls.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.gib, args.rounds, not args.no_baseline))
