"""What the fake ESP servers share: the account, request handling and the local HTTP host.

A ``FakeAccount`` holds a seeded, generated set of subscribers (names with commas, quotes and
non-ASCII letters, mixed states, a couple of custom fields) that tests change between calls;
``expected()`` is the normalised view a connector should report. A ``FakeEsp`` subclass plays
one provider: its auth header, paths, page shapes, error bodies and rate limits (documented
budgets per bucket, ``limits``, over windows scaled by ``time_scale`` so that a test's half
second can stand for the provider's minute). ``FakeHost`` runs uvicorn
on 127.0.0.1 in a thread and serves any number of fakes, each under its own path prefix, so a
test module can share one host; ``serve`` mounts a fake (on its own host when given none).
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import contextlib
import dataclasses
import datetime as dt
import random
import re
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import parse_qs

import msgspec
import uvicorn

from app.esp import EspEndpoints, NormalizedSubscriber
from app.schemas import SubscriberStatus

__all__ = [
    "FakeAccount",
    "FakeEsp",
    "FakeHost",
    "FakeSubscriber",
    "Limit",
    "Profile",
    "Reject",
    "Request",
    "Response",
    "Route",
    "Window",
    "serve",
]

_DROP = object()

FIRST_NAMES = [
    "Alice",
    "Bob",
    "Zoë",
    "José",
    "Łukasz",
    "Ngọc Anh",
    "Siobhán",
    "María-José",
    '"Bud"',
    "李",
    "Søren",
    "D'Arcy",
]
LAST_NAMES = [
    "O'Brien",
    "Smith, Jr.",
    "Müller",
    "García Márquez",
    'the "Rock"',
    "van der Berg",
    "Nguyễn",
    "Dvořák",
    "Ødegård",
    "Lee",
]
COMPANIES = ["Acme, Inc.", 'The "Best" Co', "Ünïcode GmbH", "Plain Ltd", "北京公司"]
DOMAINS = ["example.com", "Example.ORG", "mail.example.net"]


@dataclasses.dataclass(frozen=True)
class Profile:
    """How one provider's fake account looks.

    ``statuses`` maps the provider's states to ours (the tests' own table, written apart from
    the connector's), first the one for a subscribed address; ``unsubscribed`` is the state
    ``FakeAccount.unsubscribe`` sets. ``custom_fields`` names a text and a number field.
    ``unset_value`` is how the provider reports an unset custom field (left out by default).
    ``account_wide``: the provider lists the whole account too, not only the list / group.
    ``reports_updated``: its subscribers carry a last-changed time (all carry a created one).
    """

    statuses: Mapping[str, SubscriberStatus]
    unsubscribed: str
    new_id: Callable[[int, str], str]
    custom_fields: tuple[str, str]
    unset_value: object = _DROP
    account_wide: bool = False
    reports_updated: bool = True
    # The id an older connector knew a subscriber by, from its email (Mailchimp's MD5 id).
    legacy_id: Callable[[str], str] | None = None


# Generated subscribers are created an hour apart from here on.
_EPOCH = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


@dataclasses.dataclass
class FakeSubscriber:
    seq: int  # creation order: the fakes' sort key and cursor
    external_id: str
    email: str
    first_name: str | None
    last_name: str | None
    status: str  # the provider's own state
    custom_fields: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime  # set by every edit
    in_list: bool = True


class FakeAccount:
    """A provider account's subscribers; thread-safe, since the server reads it from a thread."""

    def __init__(self, profile: Profile, size: int, *, seed: int = 0) -> None:
        self.profile = profile
        self.lock = threading.RLock()
        self._rng = random.Random(seed)
        self._subscribers: dict[str, FakeSubscriber] = {}
        self._seq = 0
        self._version = 0  # bumped by every change: invalidates the ordered view
        self._cache: tuple[tuple[int, bool], list[FakeSubscriber]] | None = None
        self.add(size)

    # -- changes -----------------------------------------------------------------------------

    def add(self, count: int = 1) -> list[FakeSubscriber]:
        """``count`` new generated subscribers (the seeded generator goes on where it was)."""
        with self.lock:
            added = [self._generate() for _ in range(count)]
            self._subscribers.update((s.external_id, s) for s in added)
            self._version += 1
            return [dataclasses.replace(s) for s in added]

    def edit(self, external_id: str, **changes: Any) -> FakeSubscriber:
        """Change fields of one subscriber (``first_name=``, ``custom_fields=``, …); its
        ``updated_at`` becomes now (to the second), unless given."""
        with self.lock:
            subscriber = self._subscribers[external_id]
            changes.setdefault("updated_at", dt.datetime.now(dt.UTC).replace(microsecond=0))
            for name, value in changes.items():
                if name in ("seq", "external_id") or not hasattr(subscriber, name):
                    raise AttributeError(f"cannot edit {name!r}")
                setattr(subscriber, name, value)
            self._version += 1
            return dataclasses.replace(subscriber)

    def remove(self, external_id: str) -> None:
        with self.lock:
            del self._subscribers[external_id]
            self._version += 1

    def set_status(self, external_id: str, status: str) -> None:
        """Set the provider's own state (one of ``profile.statuses``)."""
        if status not in self.profile.statuses:
            raise ValueError(f"unknown status {status!r}")
        self.edit(external_id, status=status)

    def unsubscribe(self, external_id: str) -> None:
        self.set_status(external_id, self.profile.unsubscribed)

    # -- reading ------------------------------------------------------------------------------

    def subscribers(self, *, list_only: bool = True) -> list[FakeSubscriber]:
        """Copies, in creation order; ``list_only`` leaves out those outside the list / group."""
        with self.lock:
            return [
                dataclasses.replace(s, custom_fields=dict(s.custom_fields))
                for s in self.live(list_only=list_only)
            ]

    def live(self, *, list_only: bool = True) -> list[FakeSubscriber]:
        """The subscribers themselves, in creation order, for the fake's routes (hold ``lock``)."""
        key = (self._version, list_only)
        if self._cache is None or self._cache[0] != key:
            ordered = sorted(self._subscribers.values(), key=lambda s: s.seq)
            self._cache = (key, [s for s in ordered if s.in_list or not list_only])
        return self._cache[1]

    def ids(self, *, list_only: bool = True) -> list[str]:
        return [s.external_id for s in self.subscribers(list_only=list_only)]

    def __len__(self) -> int:
        with self.lock:
            return len(self._subscribers)

    def expected(self, *, list_only: bool = True) -> dict[str, NormalizedSubscriber]:
        """What a connector should report, by external id (a subscriber given a status outside
        ``profile.statuses`` with ``edit(status=...)`` is skipped by the connector)."""
        return {
            s.external_id: self.normalized(s)
            for s in self.subscribers(list_only=list_only)
            if s.status in self.profile.statuses
        }

    def normalized(self, subscriber: FakeSubscriber) -> NormalizedSubscriber:
        custom: dict[str, Any] = {}
        for name in self.profile.custom_fields:
            value = subscriber.custom_fields.get(name, self.profile.unset_value)
            if value is not _DROP:
                custom[name] = value
        return NormalizedSubscriber(
            external_id=subscriber.external_id,
            email=subscriber.email.strip().lower(),
            first_name=subscriber.first_name,
            last_name=subscriber.last_name,
            status=self.profile.statuses[subscriber.status],
            custom_fields=custom,
            provider_created_at=subscriber.created_at,
            provider_updated_at=subscriber.updated_at if self.profile.reports_updated else None,
            legacy_id=self.profile.legacy_id(subscriber.email) if self.profile.legacy_id else None,
        )

    def _generate(self) -> FakeSubscriber:
        rng = self._rng
        self._seq += 1
        first = rng.choice(FIRST_NAMES) if rng.random() < 0.85 else None
        last = rng.choice(LAST_NAMES) if rng.random() < 0.8 else None
        local = re.sub(r"[^a-z]", "", (first or "reader").lower()) or "reader"
        email = f"{local}.{self._seq}@{rng.choice(DOMAINS)}"
        if rng.random() < 0.2:
            email = email.title()  # providers keep the case people typed
        natives = list(self.profile.statuses)
        status = rng.choices(natives, weights=[8] + [1] * (len(natives) - 1))[0]
        text_field, number_field = self.profile.custom_fields
        custom: dict[str, Any] = {}
        if rng.random() < 0.7:
            custom[text_field] = rng.choice(COMPANIES)
        if rng.random() < 0.6:
            custom[number_field] = rng.randint(0, 100)
        created = _EPOCH + dt.timedelta(hours=self._seq)
        return FakeSubscriber(
            seq=self._seq,
            external_id=self.profile.new_id(self._seq, email),
            email=email,
            first_name=first,
            last_name=last,
            status=status,
            custom_fields=custom,
            created_at=created,
            updated_at=created + dt.timedelta(minutes=rng.randint(0, 600)),
            in_list=not self.profile.account_wide or rng.random() < 0.9,
        )


# -- requests and responses -------------------------------------------------------------------


@dataclasses.dataclass
class Request:
    method: str
    path: str  # below the fake's mount point
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default


@dataclasses.dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    content_type: str = "application/json"


class Reject(Exception):
    """Raised inside a route to answer with ``response`` (a provider error)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclasses.dataclass(frozen=True)
class Limit:
    """A documented request budget: ``requests`` per ``per`` seconds (the provider's)."""

    requests: int
    per: float


@dataclasses.dataclass(frozen=True)
class Window:
    """A bucket's state as a request finds it: its budget, what is left and, in the provider's
    seconds, when it resets."""

    limit: int
    remaining: int
    reset_in: float


@dataclasses.dataclass(frozen=True)
class Seen:
    """One request the fake answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int


Route = tuple[re.Pattern[str], Callable[..., Response]]
F = TypeVar("F", bound="FakeEsp")


class FakeEsp(ABC):
    """One provider's API over a ``FakeAccount``: auth, routes, pages and error bodies.

    Rate limits: each request counts in its ``bucket`` (one fixed window per bucket, its budget
    in ``limits``, documented defaults that tests may lower); over the budget it gets the
    provider's ``throttled`` answer; ``max_concurrent`` requests in flight at most, where the
    provider limits connections (Mailchimp). ``time_scale``: real seconds per provider second
    (1 by default; the connector's ``rate_limit_scale`` must match). Every answer carries the
    provider's ``limit_headers``.

    Tests also steer it with ``throttle_next(times)`` (the throttle answer, its window reset in
    one provider second), ``fail_next(times, status)`` (5xx: a storm when ``times`` exceeds the
    client's attempts) and ``stall_next(times, seconds)`` (a response slower than the client's
    timeout) and ``truncate_listing(keep)`` (listings end after the first ``keep`` rows while the
    provider's total still counts them all, as a provider that drops pages or drifts under
    offset paging would); ``seen`` records every answered request.
    """

    provider: ClassVar[str]
    profile: ClassVar[Profile]
    # The provider's documented budgets, by bucket (see ``bucket``).
    default_limits: ClassVar[Mapping[str, Limit]] = {}
    max_concurrent: ClassVar[int | None] = None
    unauthorized_message: str  # the provider's message in its 401 body
    list_not_found_message: ClassVar[str] = "Not found"
    default_list_id: ClassVar[str] = ""  # the account's list / group, where it has one

    def __init__(
        self,
        *,
        size: int = 100,
        seed: int = 0,
        list_id: str | None = None,
        time_scale: float = 1.0,
    ) -> None:
        self.account = FakeAccount(self.profile, size, seed=seed)
        self.api_key = self.make_key(seed)
        self.list_id = self.default_list_id if list_id is None else list_id
        self.root = ""  # set when mounted: http://127.0.0.1:PORT/fN
        self.time_scale = time_scale
        self.limits = dict(self.default_limits)
        self._windows: dict[str, tuple[float, int]] = {}  # bucket: (started, requests)
        self._in_flight = 0
        self.seen: list[Seen] = []
        self.errors: list[BaseException] = []  # raised while handling: bugs in the fake
        self._count = 0
        self._fail: list[int] = []
        self._throttle = 0
        self._stall: list[float] = []
        self._keep: int | None = None
        self._lock = threading.Lock()

    # -- what tests use ------------------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def running(cls, *, host: FakeHost | None = None, **options: Any) -> Iterator[Self]:
        """A fake of this provider, served (on ``host``, or on a host of its own) in the block.

        It yields the fake: ``.base_url`` (the form EspEndpoints expects), ``.account``,
        ``.credentials``, ``.list_id``, ``.endpoints()``. ``options``: ``size``, ``seed``, …
        """
        with serve(cls(**options), host) as fake:
            yield fake

    @property
    @abstractmethod
    def base_url(self) -> str:
        """The base URL in the form the connector's EspEndpoints field expects."""

    @property
    def credentials(self) -> dict[str, str]:
        return {"apiKey": self.api_key}

    def connect(self, caller: Callable[..., dict[str, Any]], name: str = "Kit") -> dict[str, Any]:
        """An ESP connection to this fake, made through the API (``espConnections.create``)."""
        return caller(
            "espConnections.create",
            provider=self.provider,
            name=name,
            credentials=self.credentials,
            listId=self.list_id or None,
        )

    @property
    def wrong_key(self) -> str:
        return "wrong-" + self.api_key

    def endpoints(self, **overrides: Any) -> EspEndpoints:
        """Default endpoints with this provider's URL pointed here, at this fake's time scale."""
        options = {self.provider: self.base_url, "rate_limit_scale": self.time_scale}
        return msgspec.structs.replace(EspEndpoints(), **{**options, **overrides})

    def env(self) -> dict[str, str]:
        """The settings that point a server or worker here (base URL and time scale)."""
        return {
            f"ESP_{self.provider.upper()}_BASE_URL": self.base_url,
            "ESP_RATE_LIMIT_SCALE": repr(self.time_scale),
        }

    def fail_next(self, times: int, status: int = 503) -> None:
        with self._lock:
            self._fail.extend([status] * times)

    def throttle_next(self, times: int) -> None:
        """Answer the next ``times`` requests with the provider's own throttle (``throttled``)."""
        with self._lock:
            self._throttle += times

    def stall_next(self, times: int, seconds: float) -> None:
        with self._lock:
            self._stall.extend([seconds] * times)

    def truncate_listing(self, keep: int | None) -> None:
        """Listings show only the first ``keep`` rows (None: all again); totals are unchanged."""
        with self._lock:
            self._keep = keep

    def listed(self, subscribers: list[FakeSubscriber]) -> list[FakeSubscriber]:
        """What a listing route pages through of ``subscribers`` (see ``truncate_listing``)."""
        with self._lock:
            keep = self._keep
        return subscribers if keep is None else subscribers[:keep]

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._count

    def statuses(self) -> list[int]:
        """The HTTP status of every answered request, in order."""
        with self._lock:
            return [s.status for s in self.seen]

    # -- what each provider defines ---------------------------------------------------------------

    @classmethod
    def make_key(cls, seed: int) -> str:
        return f"{cls.provider}-key-{seed:04d}-{random.Random(seed).getrandbits(64):016x}"

    @abstractmethod
    def authorized(self, request: Request) -> bool:
        """Whether the request carries this account's key in the provider's auth header."""

    @abstractmethod
    def error(self, status: int, message: str) -> Response:
        """The provider's error body."""

    @abstractmethod
    def routes(self) -> list[Route]:
        """(path pattern, handler(request, **groups)) pairs."""

    def bucket(self, request: Request) -> str | None:
        """Which of ``limits`` the request counts in (None: none); one for the whole API."""
        return "api" if "api" in self.limits else None

    @abstractmethod
    def throttled(self, window: Window) -> Response:
        """The provider's documented answer to a client over its limit (its docstring cites
        the page)."""

    def limit_headers(self, window: Window) -> dict[str, str]:
        """The rate-limit headers the provider sends on every answer (none by default)."""
        return {}

    def unauthorized(self) -> Response:
        return self.error(401, self.unauthorized_message)

    # -- helpers for routes ---------------------------------------------------------------------

    def int_param(self, request: Request, name: str, default: int, maximum: int) -> int:
        raw = request.param(name)
        try:
            value = default if raw is None else int(raw)
        except ValueError:
            raise Reject(self.error(400, f"{name} must be a whole number")) from None
        if not 0 <= value <= maximum:
            raise Reject(self.error(400, f"{name} must be between 0 and {maximum}"))
        return value

    def check_list(self, list_id: str) -> None:
        """404 with the provider's body unless ``list_id`` is this account's list."""
        if list_id != self.list_id:
            raise Reject(self.error(404, self.list_not_found_message))

    def after_cursor(
        self, subscribers: list[FakeSubscriber], cursor: str | None, limit: int
    ) -> tuple[list[FakeSubscriber], bool]:
        """The page after ``cursor`` (the last seen ``seq``, opaque) and whether more follow."""
        after = 0
        if cursor:
            try:
                after = int(msgspec.json.decode(base64.urlsafe_b64decode(cursor))[0])
            except (ValueError, TypeError, IndexError, msgspec.DecodeError):
                raise Reject(self.error(400, "invalid cursor")) from None
        start = bisect.bisect_right(subscribers, after, key=lambda s: s.seq)
        return subscribers[start : start + limit], len(subscribers) > start + limit

    @staticmethod
    def cursor_of(subscriber: FakeSubscriber | None) -> str | None:
        if subscriber is None:
            return None
        return base64.urlsafe_b64encode(msgspec.json.encode([subscriber.seq])).decode()

    # -- handling --------------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        with self._lock:
            self._count += 1
            self._in_flight += 1
            crowded = self.max_concurrent is not None and self._in_flight > self.max_concurrent
            stall = self._stall.pop(0) if self._stall else 0.0
            fail = self._fail.pop(0) if self._fail else None
            throttle = self._throttle > 0 and fail is None
            self._throttle -= throttle
            window = None if fail or throttle or crowded else self._take(self.bucket(request))
        try:
            if stall:
                await asyncio.sleep(stall)
        finally:
            with self._lock:
                self._in_flight -= 1
        if fail is not None:
            response = self.error(fail, "Internal server error")
        elif throttle or crowded:
            response = self.throttled(Window(self._budget(request), 0, 1.0))
        elif window is not None and window.remaining < 0:
            response = self.throttled(dataclasses.replace(window, remaining=0))
        else:
            response = self.unauthorized() if not self.authorized(request) else self._route(request)
            if window is not None:
                response.headers.update(self.limit_headers(window))
        with self._lock:
            self.seen.append(Seen(request.method, request.path, request.query, response.status))
        return response

    def _budget(self, request: Request) -> int:
        bucket = self.bucket(request)
        return self.limits[bucket].requests if bucket else self.max_concurrent or 0

    def _take(self, bucket: str | None) -> Window | None:
        """Count one request in ``bucket``'s window (hold ``_lock``); remaining < 0: over."""
        if bucket is None:
            return None
        limit = self.limits[bucket]
        now, length = time.monotonic(), limit.per * self.time_scale
        started, used = self._windows.get(bucket, (now, 0))
        if now >= started + length:
            started, used = now, 0
        if used < limit.requests:
            used += 1
            self._windows[bucket] = (started, used)
        else:
            used = limit.requests + 1  # refused: not counted
        reset_in = (started + length - now) / self.time_scale
        return Window(limit.requests, limit.requests - used, reset_in)

    def _route(self, request: Request) -> Response:
        if request.method != "GET":
            return self.error(405, "Method not allowed")
        for pattern, handler in self.routes():
            match = pattern.fullmatch(request.path)
            if match:
                try:
                    with self.account.lock:
                        return handler(request, **match.groupdict())
                except Reject as rejected:
                    return rejected.response
        return self.error(404, "The requested resource could not be found.")


# -- the local HTTP server ----------------------------------------------------------------------


class FakeHost:
    """uvicorn on 127.0.0.1 (a free port) in a background thread, serving mounted fakes.

    A fake mounted as number N answers under ``/fN``. An exception raised by a fake is
    answered with 500 and kept in the fake's ``errors``; ``serve`` raises it at the end.
    """

    def __init__(self) -> None:
        self._mounts: dict[str, FakeEsp] = {}
        self._next = 0
        self._lock = threading.Lock()
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Without it each keep-alive response waits ~40 ms for a delayed ACK (Nagle).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self,
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            ws="none",
            loop="asyncio",
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="fake-esp-host", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the fake ESP host did not start")
            time.sleep(0.002)

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self._server = self._thread = None

    def __enter__(self) -> FakeHost:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def mount(self, fake: FakeEsp) -> None:
        with self._lock:
            self._next += 1
            prefix = f"f{self._next}"
            self._mounts[prefix] = fake
        fake.root = f"http://127.0.0.1:{self.port}/{prefix}"

    def unmount(self, fake: FakeEsp) -> None:
        with self._lock:
            for prefix, mounted in list(self._mounts.items()):
                if mounted is fake:
                    del self._mounts[prefix]

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Any],
        send: Callable[[dict[str, Any]], Any],
    ) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):  # the fakes take no request bodies
            pass
        prefix, _, rest = scope["path"].lstrip("/").partition("/")
        with self._lock:
            fake = self._mounts.get(prefix)
        request = Request(
            method=scope["method"],
            path="/" + rest,
            query=parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True),
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
        )
        if fake is None:
            response = Response(404, {"message": "no fake mounted here"})
        else:
            try:
                response = await fake.handle(request)
            except Exception as exc:  # a bug in a fake: fail the test, not just this request
                fake.errors.append(exc)
                response = Response(500, f"fake error: {exc!r}", content_type="text/plain")
        if response.content_type.startswith("text/"):
            body = str(response.body).encode()
        else:
            body = msgspec.json.encode(response.body)
        headers = [(b"content-type", response.content_type.encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in response.headers.items()]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@contextlib.contextmanager
def serve(fake: F, host: FakeHost | None = None) -> Iterator[F]:
    """Serve ``fake`` on ``host`` (or on a host of its own) until the block ends."""
    if host is None:
        with FakeHost() as own, serve(fake, own) as served:
            yield served
        return
    host.mount(fake)
    try:
        yield fake
    finally:
        host.unmount(fake)
    if fake.errors:
        raise fake.errors[0]
