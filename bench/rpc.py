"""The rpc layer's overhead: procedures against bare Litestar handlers doing the same work.

One server process serves both (the product app plus two bare handlers and a no-op procedure);
``wrk`` in another process loads each in turn, rounds interleaved so drift hits both alike:

- team read: ``members.list`` with an API key (key lookup + team query) vs a bare handler that
  does the same lookup, the same query and the same encoding;
- no-op: a procedure with no auth and no work vs a bare handler returning the same body.

A peer too: the same two as FastAPI + Pydantic handlers (the same key lookup, unit of work and
service call; Pydantic models of the same wire shape validate and encode the answer, as FastAPI
does with a ``response_model``), in a uvicorn process of their own, loaded in the same rounds.

Usage: ``.venv/bin/python bench/rpc.py [--seconds 5] [--rounds 3] [--connections 32]``
(needs ``wrk``: ``apt-get install wrk``). Uses embedded PostgreSQL and Redis under a temp dir
unless DATABASE_URL / REDIS_URL are set.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import msgspec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litestar import Request, post
from litestar.response import Response

from app.auth.keys import api_keys
from app.config import load_settings
from app.db import migrate
from app.main import create_app
from app.runtime import Runtime
from app.schemas import Empty, Ok
from app.seed import seed_demo
from app.teams.schemas import MemberList
from app.teams.service import TeamService
from app.work import unit_of_work
from bench.common import bench_services, server_env
from rpc import Call, Registry, RpcConfig, Tier, rpc_routes

PORT, PEER_PORT = 4077, 4076
TARGETS = {  # name: (port, path, whether it takes the API key)
    "team read (rpc)": (PORT, "/rpc/members.list", True),
    "team read (bare)": (PORT, "/bare/members", True),
    "team read (fastapi)": (PEER_PORT, "/fastapi/members", True),
    "no-op (rpc)": (PORT, "/rpcb/bench.noop", False),
    "no-op (bare)": (PORT, "/bare/noop", False),
    "no-op (fastapi)": (PEER_PORT, "/fastapi/noop", False),
}


def build_app() -> Any:
    """The product app plus the bare baselines (run in the server process)."""
    settings = load_settings(os.environ, require_secret_keys=False)
    app = create_app(settings)
    runtime = app.state.runtime
    encoder = msgspec.json.Encoder()
    ok_body = encoder.encode(Ok())

    @post("/bare/members", status_code=200)
    async def bare_members(request: Request[Any, Any, Any]) -> Response[bytes]:
        await request.body()
        caller = await api_keys(runtime).caller(
            request.headers["x-api-key"], request.client.host if request.client else ""
        )
        async with unit_of_work(runtime, team_id=caller.team_id, read_only=True) as work:
            members = await TeamService(work).members(caller.team_id)
        return Response(encoder.encode(MemberList(items=members)), media_type="application/json")

    @post("/bare/noop", status_code=200)
    async def bare_noop(request: Request[Any, Any, Any]) -> Response[bytes]:
        await request.body()
        return Response(ok_body, media_type="application/json")

    @asynccontextmanager
    async def no_auth(call: Call) -> AsyncIterator[None]:
        yield None  # no credentials, no transaction: the layer's own cost only

    bench = Registry()

    @bench.procedure("bench.noop", tier=Tier("none", no_auth))
    async def noop(ctx: None, data: Empty) -> Ok:
        """Nothing."""
        return Ok()

    app.register(bare_members)
    app.register(bare_noop)
    for route in rpc_routes(bench, RpcConfig(path="/rpcb")):
        app.register(route)
    return app


def serve(app: Any) -> None:
    import uvicorn

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        log_level="warning",
        loop="uvloop",
        http="httptools",
        access_log=False,
    )


def _lua(path: str, api_key: str | None) -> str:
    headers = 'wrk.headers["Content-Type"] = "application/json"\n'
    if api_key:
        headers += f'wrk.headers["X-API-Key"] = "{api_key}"\n'
    return f'wrk.method = "POST"\nwrk.body = "{{}}"\n{headers}wrk.path = "{path}"\n'


def _wrk(base: str, script: Path, seconds: int, connections: int) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    if "Non-2xx" in out:
        raise RuntimeError(f"errors under load:\n{out}")
    return rps, float(p99.group(1)) * scale


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"no answer from {url}")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--serve", choices=["product", "peer"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        if args.serve == "product":
            serve(build_app())
        else:
            from bench.rpc_peer import build_peer

            serve(build_peer())
        return
    if not shutil.which("wrk"):
        sys.exit("bench/rpc.py needs wrk (apt-get install wrk)")

    with ExitStack() as stack:
        db_url, redis_url, tmp = stack.enter_context(bench_services())
        asyncio.run(migrate(db_url))
        env = server_env(db_url, redis_url, tmp, PORT=str(PORT))
        settings = load_settings(env)

        async def seed() -> str:
            runtime = Runtime(settings)
            await runtime.db.start()
            try:
                return (await seed_demo(runtime.db, subscribers=10)).api_key
            finally:
                await runtime.db.stop()

        api_key = asyncio.run(seed())
        for which, port in (("product", PORT), ("peer", PEER_PORT)):
            server = subprocess.Popen(
                [sys.executable, __file__, "--serve", which], env={**env, "PORT": str(port)}
            )
            stack.callback(server.wait, 20)
            stack.callback(server.terminate)
        _wait_ready(f"http://127.0.0.1:{PORT}/health/ready")
        _wait_ready(f"http://127.0.0.1:{PEER_PORT}/docs")

        scripts = {}
        for name, (port, path, needs_key) in TARGETS.items():
            script = tmp / f"{abs(hash(name))}.lua"
            script.write_text(_lua(path, api_key if needs_key else None))
            scripts[name] = script
            answer = httpx.post(
                f"http://127.0.0.1:{port}{path}",
                json={},
                headers={"X-API-Key": api_key} if needs_key else {},
            )
            assert answer.status_code == 200, (name, answer.text)
            _wrk(f"http://127.0.0.1:{port}", script, 1, args.connections)  # warm-up

        results: dict[str, list[tuple[float, float]]] = {name: [] for name in TARGETS}
        for _ in range(args.rounds):
            for name, (port, _, _) in TARGETS.items():
                results[name].append(
                    _wrk(f"http://127.0.0.1:{port}", scripts[name], args.seconds, args.connections)
                )

    def median(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[len(ordered) // 2]

    print(f"{'target':<18} {'req/s (median)':>15} {'p99 ms (median)':>16}")
    for name in TARGETS:
        rps, p99 = median([r[0] for r in results[name]]), median([r[1] for r in results[name]])
        print(f"{name:<18} {rps:>15.0f} {p99:>16.2f}")
    for kind in ("team read", "no-op"):
        for against in ("bare", "fastapi"):
            # Each round runs the targets back to back; the median of the per-round ratios is
            # the figure least moved by the machine's noise.
            pairs = zip(results[f"{kind} (rpc)"], results[f"{kind} ({against})"], strict=True)
            ratios = [rpc[0] / other[0] for rpc, other in pairs]
            print(
                f"{kind}: rpc/{against} throughput {median(ratios):.2f}x "
                f"(per round: {', '.join(f'{r:.2f}' for r in ratios)})"
            )
    print(
        f"({args.rounds} rounds x {args.seconds} s per target, interleaved; wrk -t1 "
        f"-c{args.connections}; one uvicorn process each for the product and FastAPI; 2 cores "
        "shared by them, wrk and PostgreSQL)"
    )


if __name__ == "__main__":
    main()
