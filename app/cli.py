"""The ``subnest`` command: dev, serve, worker, migrate, seed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import TYPE_CHECKING

import httpx
import msgspec

from app.config import Settings, SettingsError, dev_secret_keys, load_settings
from app.db import MigrationError, applied_migrations, known_migrations, migrate
from app.embedded import EmbeddedError, embedded_services
from app.esp.sandbox import DemoAudience
from app.observability import configure_logging
from app.redaction import REDACTOR
from rpc import Secret

__all__ = ["main"]

if TYPE_CHECKING:
    from app.runtime import Runtime

log = logging.getLogger("subnest")
_NEEDS_SECRETS = {"serve", "worker", "dev", "keys"}
# The API's collector thresholds (CPython's defaults: 700, 10, 10). With thousands of open
# streams, the defaults promoted each burst's short-lived objects and ran full collections of
# everything the streams hold (hundreds of ms each); see docs/benchmarks.md.
_GC_THRESHOLDS = (10_000, 10, 100)
DEMO_SUBSCRIBERS = 3000


class CommandError(Exception):
    """A command cannot go on; the message is shown as one line, without a traceback."""


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``subnest`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    environ = dict(os.environ)  # noqa: TID251 - the one place the environment is read
    overrides: dict[str, str] = {}
    if args.command == "dev":
        overrides["SUBNEST_ENV"] = "development"
    try:
        settings = load_settings(
            environ,
            require_secret_keys=args.command in _NEEDS_SECRETS
            and not getattr(args, "check", False),
            **overrides,
        )
        if settings.is_dev and settings.secret_keys_raw is None:
            settings = msgspec.structs.replace(
                settings, secret_keys_raw=Secret(dev_secret_keys(settings.data_path))
            )
        configure_logging(settings.log_level, settings.log_style, settings.secrets)
        # SAQ logs every job at INFO (the events dispatcher runs every second); httpx every request.
        for noisy in ("pgserver", "piccolo", "saq", "httpx"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        _exit_on_signals()
        code: int = args.handler(settings, args)
    except (SettingsError, CommandError, EmbeddedError, MigrationError) as exc:
        print(
            f"subnest: {REDACTOR.text(str(exc))}", file=sys.stderr
        )  # not a log line: redacted here
        sys.exit(2)
    sys.exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="subnest", description="SubscriberNest backend.")
    sub = parser.add_subparsers(dest="command", required=True)
    commands: list[tuple[str, Callable[[Settings, argparse.Namespace], int], str]] = [
        ("dev", _dev, "embedded services, migrate, demo data, then API and worker together"),
        ("serve", _serve, "run the API server"),
        ("worker", _worker, "run a job worker"),
        ("migrate", _migrate, "apply pending migrations"),
        ("seed", _seed, "create the demo data and print a fresh demo API key"),
        ("sdk", _sdk, "regenerate sdk/python and sdk/ts from the procedures"),
        ("keys", _keys, "re-encrypt every sealed secret under the newest SECRET_KEYS entry"),
    ]
    for name, handler, help_text in commands:
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        if name == "migrate":
            command.add_argument(
                "--check", action="store_true", help="exit 1 if migrations are pending"
            )
        if name == "worker":
            command.add_argument(
                "--check",
                action="store_true",
                help="exit 0 if a worker has reported itself in the last 11 s, else 1",
            )
        if name == "keys":
            command.add_argument("action", choices=["rotate"], help="what to do with the keys")
        if name == "sdk":
            command.add_argument(
                "--check", action="store_true", help="exit 1 if the committed SDKs are stale"
            )
    return parser


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def _exit_on_signals() -> None:
    """SIGTERM, SIGINT and SIGHUP (the terminal closed) exit normally, so cleanup (children,
    embedded servers) runs; a second signal during that cleanup is ignored rather than
    cutting it short."""

    def handler(signum: int, frame: FrameType | None) -> None:
        for stop in _STOP_SIGNALS:
            signal.signal(stop, signal.SIG_IGN)
        sys.exit(0)

    for stop in _STOP_SIGNALS:
        signal.signal(stop, handler)


@contextlib.contextmanager
def _resolved(settings: Settings) -> Iterator[Settings]:
    """Settings with DATABASE_URL and REDIS_URL set, starting embedded servers when unset."""
    with embedded_services(
        settings.data_path, database_url=settings.database_url, redis_url=settings.redis_url
    ) as (database_url, redis_url):
        yield msgspec.structs.replace(settings, database_url=database_url, redis_url=redis_url)


def _revealed(secret: Secret | None) -> str | None:
    return secret.reveal() if secret is not None else None


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    with _resolved(settings) as resolved:
        assert resolved.database_url is not None
        if args.check:
            applied = asyncio.run(applied_migrations(resolved.database_url))
            pending = sorted(set(known_migrations()) - set(applied))
            if pending:
                print(
                    f"schema is behind: {len(pending)} pending migration(s): {', '.join(pending)}"
                )
                return 1
            print(f"schema is current ({len(applied)} migrations applied)")
            return 0
        done = asyncio.run(
            migrate(resolved.database_url, app_password=_revealed(resolved.app_db_password))
        )
        print(f"applied {len(done)} migration(s)" if done else "schema is current, nothing to do")
        return 0


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    with _resolved(settings) as resolved:
        print(_seed_summary(resolved))
    return 0


def _sdk(settings: Settings, args: argparse.Namespace) -> int:
    from app.sdkgen import generate

    changed = generate(check=args.check)
    if args.check and changed:
        print(f"the SDKs are stale; run `subnest sdk`: {', '.join(changed)}")
        return 1
    print(f"updated {len(changed)} file(s)" if changed else "the SDKs are up to date")
    return 0


def _keys(settings: Settings, args: argparse.Namespace) -> int:
    from app.keys import rotate_keys
    from app.runtime import Runtime

    async def rotate(resolved: Settings) -> int:
        runtime = Runtime(resolved)
        await runtime.start()
        try:
            report = await rotate_keys(runtime)
        finally:
            await runtime.stop()
        print("\n".join(report.lines()))
        if report.unreadable:
            print("some secrets are sealed under keys no longer in SECRET_KEYS (see above)")
            return 1
        return 0

    with _resolved(settings) as resolved:
        return asyncio.run(rotate(resolved))


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app
    from app.tracing import tracing

    with _resolved(settings) as resolved, tracing(resolved, "api"):
        app = create_app(resolved)
        hub = app.state.hub
        config = uvicorn.Config(
            app,
            host=resolved.host,
            port=resolved.port,
            log_level=resolved.log_level.lower(),
            timeout_graceful_shutdown=resolved.shutdown_grace_seconds,
            proxy_headers=True,
            forwarded_allow_ips=resolved.forwarded_allow_ips,
            loop="uvloop",
            http="httptools",
            lifespan="on",
            access_log=False,
            log_config=None,  # uvicorn's lines go through our handler (JSON in production)
        )

        class _Server(uvicorn.Server):
            async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                await super().startup(sockets)
                # What start-up made (modules, routes, pools) lives as long as the process: the
                # collector never needs to scan it again.
                gc.freeze()
                gc.set_threshold(*_GC_THRESHOLDS)

            def handle_exit(self, sig: int, frame: FrameType | None) -> None:
                # Open SSE streams would hold graceful shutdown for its whole grace period.
                # From a signal handler: schedule it on the loop rather than run it here.
                asyncio.get_event_loop().call_soon_threadsafe(hub.close_all)
                super().handle_exit(sig, frame)

        server = _Server(config)
        server.run()
        return 0 if server.started else 1


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from app.runtime import Runtime
    from app.tracing import tracing
    from app.worker import build_worker

    with _resolved(settings) as resolved, tracing(resolved, "worker"):
        runtime = Runtime(resolved)
        if args.check:
            alive = asyncio.run(_workers_alive(runtime))
            print(f"workers alive: {alive}")
            return 0 if alive else 1
        worker = build_worker(runtime)
        asyncio.run(worker.start())
        return 0


async def _workers_alive(runtime: Runtime) -> int:
    await runtime.queue.connect()
    try:
        return await runtime.workers_alive()
    finally:
        await runtime.queue.disconnect()


def _dev(settings: Settings, args: argparse.Namespace) -> int:
    """Everything on one machine: children ``serve`` and ``worker`` share the embedded servers."""
    with _resolved(settings) as resolved:
        assert resolved.database_url is not None and resolved.redis_url is not None
        applied = asyncio.run(migrate(resolved.database_url))
        log.info("migrations applied: %d", len(applied))
        audience = None
        if "ESP_MAILCHIMP_BASE_URL" not in os.environ:  # noqa: TID251 - is it the caller's?
            # The demo connection's audience, served locally: "Sync now" works offline.
            audience = DemoAudience(DEMO_SUBSCRIBERS).start()
            resolved = msgspec.structs.replace(resolved, esp_mailchimp_base_url=audience.base_url)
        assert resolved.database_url is not None and resolved.redis_url is not None
        demo = _seed_summary(resolved, audience)
        sink = None
        if resolved.smtp_host is None:
            # Mail is caught by a local sink: printed here, shown at /dev/mail.
            from app.mail.devpage import caught_path
            from app.mail.sink import MailSink

            sink = MailSink(echo=True, path=caught_path(resolved.data_path)).start()
            resolved = msgspec.structs.replace(
                resolved, smtp_host="127.0.0.1", smtp_port=sink.port, smtp_tls="none"
            )
        assert resolved.database_url is not None and resolved.redis_url is not None
        env = {
            **os.environ,  # noqa: TID251 - children inherit the caller's environment
            "SUBNEST_ENV": "development",
            "DATABASE_URL": resolved.database_url,
            "REDIS_URL": resolved.redis_url,
            "SECRET_KEYS": _revealed(resolved.secret_keys_raw) or "",
            "SUBNEST_DATA_DIR": str(resolved.data_path),
            "ESP_MAILCHIMP_BASE_URL": resolved.esp_mailchimp_base_url,
            "SMTP_HOST": resolved.smtp_host or "",
            "SMTP_PORT": str(resolved.smtp_port),
            "SMTP_TLS": resolved.smtp_tls,
        }
        # Stopped in order, whatever stops `subnest dev` (SIGTERM, a terminal's Ctrl-C, the
        # terminal closing): the children first, waited for, then the embedded servers. Each
        # child runs in a process group of its own, so that a terminal's signal reaches only
        # this process, which hands it on as SIGTERM.
        children: list[subprocess.Popen[bytes]] = []
        try:
            for name in ("serve", "worker"):
                children.append(
                    subprocess.Popen(  # noqa: S603
                        [sys.executable, "-m", "app.cli", name], env=env, process_group=0
                    )
                )
            base = f"http://{resolved.host}:{resolved.port}"
            _wait_ready(f"{base}/health/ready", children)
            print(
                "\nSubscriberNest is running (Ctrl-C stops it)\n"
                f"  Dashboard  {base}/\n"
                f"  API        {base}/rpc/<procedure>\n"
                f"  Docs       {base}/api/documentation\n"
                f"  Health     {base}/health/ready\n"
                + (f"  Mail       {base}/dev/mail (caught by a local sink)\n" if sink else "")
                + f"{demo}\n",
                flush=True,
            )
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            log.error("a child process exited; stopping")
            return 1
        finally:
            _stop_children(children, grace=resolved.shutdown_grace_seconds + 5)
            if audience is not None:
                audience.stop()
            if sink is not None:
                sink.stop()


def _seed_summary(settings: Settings, audience: DemoAudience | None = None) -> str:
    """Seed the demo data; with ``audience``, give the demo connection its credentials."""
    from app.runtime import Runtime
    from app.seed import DEMO_CONNECTION_ID, DEMO_EMAIL, DEMO_PASSWORD, DEMO_TEAM_ID, seed_demo
    from app.sync.service import ConnectionService
    from app.work import unit_of_work

    async def run() -> str:
        runtime = Runtime(settings)
        await runtime.db.start()
        try:
            demo = await seed_demo(runtime.db, subscribers=DEMO_SUBSCRIBERS)
            if audience is not None:
                async with unit_of_work(runtime, team_id=DEMO_TEAM_ID) as work:
                    await ConnectionService(work).update(
                        DEMO_CONNECTION_ID, name=None, status=None, credentials=audience.credentials
                    )
        finally:
            await runtime.stop()
        return (
            f"  Demo login {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
            f"  Demo team  {demo.team_id} ({demo.subscribers} subscribers)\n"
            f"  Demo key   X-API-Key: {demo.api_key}"
        )

    return asyncio.run(run())


def _wait_ready(url: str, children: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            raise CommandError("a child process exited during start-up")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise CommandError(f"the API did not become ready within {timeout:.0f} s at {url}")


def _stop_children(children: list[subprocess.Popen[bytes]], *, grace: float) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


if __name__ == "__main__":
    main()
