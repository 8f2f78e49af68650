"""The generated SDKs: ``subnest sdk --check``, the Python client (retries and credentials on a
mock transport, then sync and async against a real server) and the TypeScript client (compiled
with tsc, run with node against a real server)."""

from __future__ import annotations

import builtins
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import typing
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import msgspec
import pytest
from subnest_sdk import (
    ApiError,
    AsyncClient,
    Client,
    EspUnavailableError,
    InvalidCredentialsError,
    NotFoundError,
    RetryPolicy,
    UnauthenticatedError,
    UnexpectedResponse,
    ValidationFailedError,
)
from subnest_sdk import models as sdk_models

from app.events import EVENT_TYPES
from app.schemas import Timestamp
from app.sdkgen import ROOT, generate, render
from app.sdkgen.model import SdkGenError, read_api
from rpc import Call, Input, NotFound, Output, Registry, Tier
from rpc.openapi import openapi_document
from tests.support import ServerProcess, compiled_typescript_sdk, subnest
from tests.support import typescript_compiler as _typescript_compiler

SDK = ROOT / "sdk"
TS = SDK / "ts"
NO_WAIT = RetryPolicy(max_attempts=3, backoff=0.0)
ME = {
    "user": {
        "id": str(uuid.uuid4()),
        "email": "ada@example.com",
        "name": "Ada",
        "emailVerified": True,
    },
    "teams": [],
}


# `subnest sdk --check`


def test_committed_sdks_are_current() -> None:
    result = subprocess.run(
        subnest("sdk", "--check"), capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_check_reports_stale_and_missing_files_and_writes_nothing(tmp_path: Path) -> None:
    skip = shutil.ignore_patterns("node_modules", "dist", "__pycache__", "*.egg-info")
    for part in ("python", "ts"):
        shutil.copytree(SDK / part, tmp_path / "sdk" / part, ignore=skip)
    assert generate(check=True, root=tmp_path) == []
    models = tmp_path / "sdk/python/subnest_sdk/models.py"
    models.write_text(models.read_text() + "# edited by hand\n")
    (tmp_path / "sdk/ts/src/index.ts").unlink()
    stale = ["sdk/python/subnest_sdk/models.py", "sdk/ts/src/index.ts"]

    assert generate(check=True, root=tmp_path) == stale
    assert not (tmp_path / "sdk/ts/src/index.ts").exists()
    assert generate(check=False, root=tmp_path) == stale
    assert generate(check=True, root=tmp_path) == []


def _lint_and_type_check(package: Path, cache: Path) -> None:
    """ruff (check and format, with the package's own settings) and mypy --strict."""
    bin_dir = Path(sys.executable).parent
    for command in (
        [bin_dir / "ruff", "check", "--no-cache", "."],
        [bin_dir / "ruff", "format", "--no-cache", "--check", "."],
        [bin_dir / "mypy", "--strict", "--cache-dir", cache, "subnest_sdk"],
    ):
        result = subprocess.run(
            [str(part) for part in command], cwd=package, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_generated_python_sdk_is_lint_clean_and_strictly_typed(tmp_path: Path) -> None:
    _lint_and_type_check(SDK / "python", tmp_path / "mypy")


@asynccontextmanager
async def _anyone(call: Call) -> AsyncIterator[Call]:
    yield call


class StressInner(Output):
    when: Timestamp
    tags: list[str] = []
    weights: list[int] = msgspec.field(default_factory=lambda: [1, 2])


class StressIn(Input):
    from_: str = msgspec.field(name="from")
    list: builtins.list[int]
    self: str = "me"
    kind: Literal[1, 2, 3] = 1
    datetime: Timestamp | None = None
    http_server: str = msgspec.field(name="HTTPServer", default="x")
    dashed: str = msgspec.field(name="x-y", default="y")
    meta: dict[str, int] = {}
    nested: StressInner | None = None
    blob: bytes = b""
    anything: Any = None
    either: int | str | None = None


class StressCircle(Output, tag_field="type", tag="circle"):
    radius: float
    unit: Literal["cm", "in"]


class StressSquare(Output, tag_field="type", tag="square"):
    side: float
    unit: Literal["cm", "in"]


StressShape = Annotated[StressCircle | StressSquare, msgspec.Meta(title="StressShape")]


class StressOut(Output):
    inner: StressInner
    str: builtins.str
    items: builtins.list[StressInner | None]
    by_name: dict[builtins.str, builtins.list[StressInner]]
    shape: StressShape | None
    shapes: dict[builtins.str, StressShape]


def _stress_registry() -> Registry:
    """Procedures with shapes the product does not use yet: nested groups, keyword, builtin and
    non-camel field names, defaults that must be left to the server, a discriminated union
    (tagged on ``type``) where it may be null and as a map's values."""
    registry = Registry()
    keyed = Tier("keyed", _anyone, security=({"apiKey": []},))
    for name, tier, output in (
        ("deep.nested.thing", keyed, StressOut),
        ("deep.list", Tier("public", _anyone), StressInner),
        ("deep.import", keyed, StressInner),
    ):

        async def handler(ctx: Call, data: StressIn) -> Any:
            raise NotImplementedError

        handler.__annotations__["return"] = output
        handler.__doc__ = 'A "quoted" *summary* with a backslash \\ and */ in it.'
        registry.procedure(name, tier=tier, errors=(NotFound,))(handler)
    return registry


def test_a_titled_literal_is_declared_once_and_used_by_name() -> None:
    # EventType is Annotated[Literal[...], msgspec.Meta(title="EventType")] in app/events.py.
    models = (SDK / "python" / "subnest_sdk" / "models.py").read_text()
    client = (SDK / "python" / "subnest_sdk" / "client.py").read_text()
    index = (SDK / "ts" / "src" / "index.ts").read_text()
    assert models.count('"webhook.disabled"') == 1 and "EventType = Literal[" in models
    assert "    events: list[EventType]\n" in models
    assert '"webhook.disabled"' not in client and "events: builtins.list[EventType]" in client
    assert index.count('"webhook.disabled"') == 1 and "  events: EventType[];" in index
    assert set(typing.get_args(sdk_models.EventType)) == set(EVENT_TYPES)

    # One name, two sets of values: refused rather than one silently winning.
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}}
    kinds = {"one": {"title": "Kind", "enum": ["a"]}, "two": {"title": "Kind", "enum": ["b"]}}
    document = {
        "paths": {"/rpc/k.a": {"post": {"operationId": "k.a", "requestBody": body,
                                        "responses": {"200": body}}}},
        "components": {"schemas": {"In": {"type": "object", "properties": kinds}}},
    }  # fmt: skip
    with pytest.raises(SdkGenError, match="two different literal types are named 'Kind'"):
        read_api(document)


def test_a_discriminated_union_must_be_named_and_map_each_member() -> None:
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}}
    members = [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]
    mapping = {"a": "#/components/schemas/A", "b": "#/components/schemas/B"}
    union = {"oneOf": members, "discriminator": {"propertyName": "t", "mapping": mapping}}
    a, b = ({"type": "object", "properties": {"t": {"enum": [t]}}} for t in "ab")

    def document(shape: dict[str, Any]) -> dict[str, Any]:
        schema = {"type": "object", "properties": {"u": shape}}
        return {
            "paths": {"/rpc/k.a": {"post": {"operationId": "k.a", "requestBody": body,
                                            "responses": {"200": body}}}},
            "components": {"schemas": {"In": schema, "A": a, "B": b}},
        }  # fmt: skip

    assert read_api(document({**union, "title": "U"})).unions[0].members == (("a", "A"), ("b", "B"))
    with pytest.raises(SdkGenError, match="needs a title"):
        read_api(document(union))
    partial = {
        **union,
        "title": "U",
        "discriminator": {"propertyName": "t", "mapping": {"a": mapping["a"]}},
    }
    with pytest.raises(SdkGenError, match="U: the discriminator must map a value to each member"):
        read_api(document(partial))


def test_the_generator_copes_with_shapes_the_product_does_not_use_yet(tmp_path: Path) -> None:
    registry = _stress_registry()
    document = openapi_document(
        registry,
        title="Stress API",
        version="0.0.1",
        security_schemes={"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
    )
    for path, text in render(document).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    package = tmp_path / "sdk" / "python"
    _lint_and_type_check(package, tmp_path / "mypy")

    # The generated package (ahead of the installed one on the path) speaks the wire names.
    script = """if True:
        import json, httpx
        from subnest_sdk import Client
        sent = []
        def answer(request):
            sent.append(json.loads(request.content))
            return httpx.Response(200, json={"when": "2024-01-01T00:00:00Z"})
        http = httpx.Client(transport=httpx.MockTransport(answer))
        client = Client("http://api.test", http_client=http, api_key="k")
        inner = client.deep.import_(from_="a", list=[1], self_="s", blob=b"hi")
        client.deep.nested  # a group inside a group
        import msgspec
        from subnest_sdk import models, _runtime
        body = {"inner": {"when": "2024-01-01T00:00:00Z"}, "str": "", "items": [None], "byName": {},
                "shape": {"type": "square", "side": 2, "unit": "mm"},
                "shapes": {"a": {"type": "circle", "radius": 1, "unit": "cm", "new": 1},
                           "b": {"type": "hexagon", "unit": "cm", "sides": 6}}}
        out = msgspec.json.decode(json.dumps(body), type=models.StressOut,
                                  dec_hook=_runtime.decode_hook)
        shapes = [type(out.shape).__name__, out.shape.unit,
                  *(type(s).__name__ + ":" + s.type for s in out.shapes.values())]
        print(json.dumps({"sent": sent, "year": inner.when.year, "tags": repr(inner.tags),
                          "shapes": shapes}))
    """
    ran = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(package)},
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {
        "sent": [{"from": "a", "list": [1], "self": "s", "blob": "aGk="}],
        "year": 2024,
        "tags": "UNSET",
        "shapes": [
            "StressSquare",
            "mm",  # an enum value newer than the SDK
            "StressCircle:circle",
            "UnknownStressShape:hexagon",  # a member newer than the SDK
        ],
    }
    if shutil.which("node") is not None:
        tsc = _typescript_compiler()
        checked = subprocess.run(
            [str(tsc), "-p", str(tmp_path / "sdk" / "ts"), "--noEmit"],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


# The Python client on a mock transport: retries, errors, credentials, the wire format.


@pytest.fixture
def recorded() -> list[httpx.Request]:
    return []


def _mock(recorded: list[httpx.Request], *answers: httpx.Response) -> httpx.MockTransport:
    """Answers in order (the last one repeats), recording the requests."""

    def handle(request: httpx.Request) -> httpx.Response:
        recorded.append(request)
        return answers[min(len(recorded), len(answers)) - 1]

    return httpx.MockTransport(handle)


def _error(
    status: int, code: str, data: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    body = {"code": code, "message": code.lower(), "data": data or {}}
    return httpx.Response(status, json=body, headers={"x-request-id": "req-1", **headers})


@pytest.fixture
def client_on(recorded: list[httpx.Request]) -> Iterator[Callable[..., Client]]:
    opened: list[httpx.Client] = []

    def make(*answers: httpx.Response, **options: Any) -> Client:
        http = httpx.Client(transport=_mock(recorded, *answers))
        opened.append(http)
        return Client("http://api.test", http_client=http, **options)

    yield make
    for http in opened:
        http.close()


def test_429_is_retried_after_retry_after(
    client_on: Callable[..., Client], recorded: list[httpx.Request]
) -> None:
    limited = _error(429, "RATE_LIMITED", {"retryAfter": 0}, **{"retry-after": "0"})
    client = client_on(limited, httpx.Response(200, json=ME), session_token="s")
    me = client.auth.me()
    assert me.user.email == "ada@example.com"
    assert isinstance(me.user.id, uuid.UUID)
    assert len(recorded) == 2


def test_503_is_retried_up_to_max_attempts_then_raised_typed(
    client_on: Callable[..., Client], recorded: list[httpx.Request]
) -> None:
    down = _error(503, "ESP_UNAVAILABLE", {"provider": "kit", "providerMessage": "timeout"})
    client = client_on(down, retry=NO_WAIT, session_token="s", team_id=uuid.uuid4())
    with pytest.raises(EspUnavailableError) as raised:
        client.esp_connections.create(provider="kit", name="Kit", credentials={"apiKey": "k"})
    assert len(recorded) == 3
    assert (raised.value.status, raised.value.code) == (503, "ESP_UNAVAILABLE")
    assert raised.value.data.provider_message == "timeout"
    assert raised.value.request_id == "req-1"


@pytest.mark.parametrize(
    "answer",
    [
        _error(500, "INTERNAL", {"requestId": "req-1"}),
        _error(404, "NOT_FOUND"),
        httpx.Response(502, text="<html>bad gateway</html>"),
    ],
)
def test_other_statuses_are_never_retried(
    client_on: Callable[..., Client], recorded: list[httpx.Request], answer: httpx.Response
) -> None:
    client = client_on(answer, retry=NO_WAIT, session_token="s")
    with pytest.raises(ApiError) as raised:
        client.auth.me()
    assert len(recorded) == 1
    assert raised.value.status == answer.status_code


def test_undocumented_answers_raise_unexpected_response(
    client_on: Callable[..., Client],
) -> None:
    client = client_on(httpx.Response(502, text="<html>bad gateway</html>"), session_token="s")
    with pytest.raises(UnexpectedResponse) as raised:
        client.auth.me()
    assert raised.value.status == 502 and "bad gateway" in raised.value.data

    client = client_on(httpx.Response(200, json={"user": "not an object"}), session_token="s")
    with pytest.raises(UnexpectedResponse, match="not a valid Me"):
        client.auth.me()


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(max_attempts=5, backoff=1.0, max_delay=10.0)
    assert policy.delay(1, "3") == 3.0
    assert policy.delay(1, "3600") == 10.0
    assert policy.delay(1, "Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past
    assert 2.0 <= policy.delay(3, None) <= 4.0  # backoff * 2**2 with jitter
    assert 2.0 <= policy.delay(3, "soon") <= 4.0
    assert policy.delay(9, None) == 10.0


async def test_async_client_retries_too(recorded: list[httpx.Request]) -> None:
    limited = _error(429, "RATE_LIMITED", {"retryAfter": 0}, **{"retry-after": "0"})
    transport = _mock(recorded, limited, httpx.Response(200, json=ME))
    async with (
        httpx.AsyncClient(transport=transport) as http,
        AsyncClient("http://api.test", http_client=http, session_token="s") as client,
    ):
        me = await client.auth.me()
    assert me.user.name == "Ada"
    assert len(recorded) == 2


def test_each_procedure_sends_the_credentials_it_accepts(
    client_on: Callable[..., Client], recorded: list[httpx.Request]
) -> None:
    team = uuid.uuid4()
    client = client_on(
        _error(404, "NOT_FOUND"), session_token="s", team_id=team, api_key="k", cron_token="c"
    )
    calls: list[Callable[[], object]] = [
        client.members.list,  # session + team id first; the API key not sent
        client.api_keys.list,
        lambda: client.auth.sign_in(email="ada@example.com", password="x"),  # public
        client.cron.sync_all,  # the cron token as the bearer
        client.auth.me,  # the session only
    ]
    for call in calls:
        with pytest.raises(NotFoundError):
            call()
    sent = [
        {k: r.headers.get(k) for k in ("authorization", "x-team-id", "x-api-key")} for r in recorded
    ]
    assert sent == [
        {"authorization": "Bearer s", "x-team-id": str(team), "x-api-key": None},
        {"authorization": "Bearer s", "x-team-id": str(team), "x-api-key": None},
        {"authorization": None, "x-team-id": None, "x-api-key": None},
        {"authorization": "Bearer c", "x-team-id": None, "x-api-key": None},
        {"authorization": "Bearer s", "x-team-id": None, "x-api-key": None},
    ]

    recorded.clear()
    client.session_token = None
    with pytest.raises(NotFoundError):
        client.members.list()
    assert recorded[0].headers.get("x-api-key") == "k"
    assert "authorization" not in recorded[0].headers


def test_the_wire_is_camel_case_and_defaults_are_left_to_the_server(
    client_on: Callable[..., Client], recorded: list[httpx.Request]
) -> None:
    client = client_on(_error(404, "NOT_FOUND"), session_token="s", team_id=uuid.uuid4())
    connection = uuid.uuid4()
    for call in (
        lambda: client.sync_runs.list(connection_id=connection, limit=5),
        lambda: client.sync_runs.list(),
        lambda: client.api_keys.create(name="ci", ip_allowlist=["10.0.0.0/8"]),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert [json.loads(r.content) for r in recorded] == [
        {"connectionId": str(connection), "limit": 5},
        {},
        {"name": "ci", "ipAllowlist": ["10.0.0.0/8"]},
    ]
    assert [r.url.path for r in recorded] == ["/rpc/syncRuns.list"] * 2 + ["/rpc/apiKeys.create"]


# The Python client against a real server.


def test_python_client_against_the_server(server: ServerProcess) -> None:
    with Client(server.base_url) as client:
        signed = client.auth.sign_up(email="ada@example.com", password="password-123", name="Ada")
        assert isinstance(signed.session.expires_at, dt.datetime)
        client.session_token = signed.session.token

        team = client.teams.create(name="Newsletter")
        assert (team.name, team.role) == ("Newsletter", "owner")
        assert isinstance(team.id, uuid.UUID) and isinstance(team.created_at, dt.datetime)
        me = client.auth.me()
        assert me.user.id == signed.user.id
        assert [t.id for t in me.teams] == [team.id]

        with pytest.raises(ValidationFailedError) as invalid:
            client.teams.create(name="")
        assert invalid.value.status == 400
        assert invalid.value.data.path == "$.name"
        with pytest.raises(InvalidCredentialsError) as wrong:
            client.auth.sign_in(email="ada@example.com", password="wrong-password")
        assert wrong.value.status == 401 and wrong.value.request_id
        with pytest.raises(UnauthenticatedError):
            client.members.list()  # a team procedure, and no team id yet

        owner = client.with_team(team.id)
        assert [m.email for m in owner.members.list().items] == ["ada@example.com"]
        created = owner.api_keys.create(name="ci")
        owner.api_key = created.key  # with a session too, apiKeys.create must not send it
        owner.api_keys.create(name="second")
        with Client(server.base_url, api_key=created.key) as keyed:
            assert sorted(k.name for k in keyed.api_keys.list().items) == ["ci", "second"]
            with pytest.raises(NotFoundError):
                keyed.api_keys.revoke(id=uuid.uuid4())
        assert client.api_key is None  # with_team() copied the credentials


async def test_python_async_client_against_the_server(server: ServerProcess) -> None:
    async with AsyncClient(server.base_url) as client:
        signed = await client.auth.sign_up(
            email="grace@example.com", password="password-123", name="Grace"
        )
        client.session_token = signed.session.token
        team = await client.teams.create(name="Async team")
        me = await client.auth.me()
        assert [t.id for t in me.teams] == [team.id]
        members = await client.with_team(team.id).members.list()
        assert [m.user_id for m in members.items] == [signed.user.id]
        with pytest.raises(ValidationFailedError) as invalid:
            await client.teams.create(name="")
        assert invalid.value.data.path == "$.name"
        with pytest.raises(InvalidCredentialsError):
            await client.auth.sign_in(email="grace@example.com", password="wrong-password")


# The TypeScript client: compiled with tsc, run with node against a real server.


def test_typescript_client_against_the_server(server: ServerProcess, tmp_path: Path) -> None:
    index = compiled_typescript_sdk(tmp_path / "dist")
    ran = subprocess.run(
        ["node", str(TS / "smoke.mjs"), str(index), server.base_url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout)

    assert result["teamName"] == "TS team" and result["teamRole"] == "owner"
    assert result["meTeams"] == [result["teamId"]]
    assert result["members"] == [result["userEmail"]]
    assert result["retried"]["attempts"] == 2
    assert result["retried"]["email"] == result["userEmail"]
    wrong = result["wrongPassword"]
    assert (wrong["status"], wrong["code"]) == (401, "INVALID_CREDENTIALS")
    assert wrong["requestId"]
    invalid = result["invalid"]
    assert (invalid["code"], invalid["data"]["path"]) == ("VALIDATION_FAILED", "$.name")
    assert result["noTeam"]["code"] == "UNAUTHENTICATED"
    # A new team's stream: the server's reconnection hint (`retry:`), nothing to catch up.
    assert result["streamed"] == ["retry", "up-to-date"]
    assert result["revoked"] == "signedOut", "a stream whose session signed out: typed, final"


def test_the_sdks_know_every_table_of_the_feed() -> None:
    from app.feed.tables import FEED

    tables = {table.name for table in FEED.tables}
    known = typing.get_args(sdk_models.KnownChangeOut)
    assert {typing.get_args(typing.get_type_hints(c)["table"])[0] for c in known} == tables
    ts = (Path(__file__).parent.parent / "sdk/ts/src/index.ts").read_text()
    guard = re.search(r"isKnownChangeOut\(.*\n  return \[([^\]]+)\]", ts)
    assert guard is not None
    assert {name.strip().strip('"') for name in guard[1].split(",")} == tables
