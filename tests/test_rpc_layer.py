"""The generic rpc layer on its own: decoding, typed errors, limits, tiers, OpenAPI."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import msgspec
import pytest
import redis.asyncio as aioredis
from litestar import Litestar
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import rpc
from rpc import (
    Call,
    DomainError,
    Input,
    NotFound,
    Output,
    RateLimit,
    RateLimiter,
    Registry,
    RpcConfig,
    Tier,
    Unauthenticated,
    Unavailability,
    openapi_document,
    rpc_routes,
)


class Address(Input):
    city: Annotated[str, msgspec.Meta(min_length=1)]


class Greet(Input):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    times: int = 1
    address: Address | None = None


class Greeting(Output):
    text: str
    caller: str


class TooLoudData(msgspec.Struct, rename="camel"):
    max_times: int


class TooLoud(DomainError):
    code = "TOO_LOUD"
    status = 422
    data_type = TooLoudData


@asynccontextmanager
async def _by_header(call: Call) -> AsyncIterator[str]:
    who = call.headers.get("x-who")
    if not who:
        raise Unauthenticated("say who you are")
    call.facts["who"] = who
    yield who


WHO = Tier("who", _by_header, "an X-Who header", (Unauthenticated,), ({"who": []},))
registry = Registry()


@registry.procedure("greet.say", tier=WHO, errors=(TooLoud,))
async def say(ctx: str, data: Greet) -> Greeting:
    """Greet someone,
    by name.

    Loudly, at most three times.
    """
    if data.times > 3:
        raise TooLoud(data=TooLoudData(max_times=3))
    return Greeting(text=" ".join([f"hello {data.name}"] * data.times), caller=ctx)


@registry.procedure("greet.crash", tier=WHO)
async def crash(ctx: str, data: Greet) -> Greeting:
    """Fails with an unlisted exception."""
    raise RuntimeError("secret internals: password=hunter2")


@registry.procedure("greet.down", tier=WHO)
async def down(ctx: str, data: Greet) -> Greeting:
    """Meets an outage, wrapped by a library in an exception of its own."""
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except ConnectionRefusedError as exc:
        raise RuntimeError("the store could not be reached") from exc


@registry.procedure("greet.limited", tier=WHO, rate_limit=RateLimit(limit=2, window=60))
async def limited(ctx: str, data: Greet) -> Greeting:
    """Rate limited."""
    return Greeting(text="ok", caller=ctx)


_order: list[str] = []


@asynccontextmanager
async def _calls(call: Call) -> AsyncIterator[Call]:
    _order.append("tier entered")
    yield call
    _order.append("tier left")


CALLS = Tier("calls", _calls, "anyone")


async def _shout(call: Call, data: Greet) -> str:
    _order.append("prepared")
    if data.name == "loud":
        raise TooLoud(data=TooLoudData(max_times=0))
    return data.name.upper()


@registry.procedure("greet.prepared", tier=CALLS, errors=(TooLoud,), prepare=_shout)
async def prepared(ctx: Call, data: Greet) -> Greeting:
    """Greets with what the prepare step made, before the tier entered."""
    return Greeting(text=f"hello {ctx.prepared}", caller="prepared")


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    calls: list[tuple[str, int]] = []
    redis = aioredis.Redis.from_url(redis_url)
    config = RpcConfig(
        max_body_bytes=200,
        limiter=RateLimiter(redis),
        after_call=lambda call, status, seconds: calls.append((call.procedure.name, status)),
        unavailable=Unavailability(
            lambda exc: isinstance(exc, ConnectionRefusedError), retry_after=3, quiet_seconds=60
        ),
    )
    # The client connects in the app's loop, so it is closed there too.
    app = Litestar(route_handlers=rpc_routes(registry, config), on_shutdown=[redis.aclose])
    async with AsyncTestClient(app) as test_client:
        test_client.headers["x-who"] = "tester"
        test_client.app.state["calls"] = calls
        yield test_client


async def test_a_call_decodes_input_and_encodes_camel_case_output(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.post("/rpc/greet.say", json={"name": "Ada", "times": 2})
    assert response.status_code == 200
    assert response.json() == {"text": "hello Ada hello Ada", "caller": "tester"}
    assert response.headers["x-request-id"]
    assert client.app.state["calls"] == [("greet.say", 200)]


@pytest.mark.parametrize(
    ("body", "path", "detail"),
    [
        (b'{"name": "Ada", "extra": 1}', "$", "unknown field `extra`"),
        (b'{"times": 2}', "$", "missing required field `name`"),
        (b'{"name": 5}', "$.name", "Expected `str`, got `int`"),
        (b'{"name": ""}', "$.name", "Expected `str` of length >= 1"),
        (b'{"name": "Ada", "address": {"city": ""}}', "$.address.city", "length >= 1"),
        (b'{"name": ]', "$", "JSON is malformed"),
        (b'{"name": "Ada"', "$", "truncated"),
        (b"[1, 2]", "$", "Expected `object`, got `array`"),
    ],
)
async def test_bad_input_answers_400_with_the_path(
    client: AsyncTestClient[Litestar], body: bytes, path: str, detail: str
) -> None:
    response = await client.post(
        "/rpc/greet.say", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "VALIDATION_FAILED"
    assert error["data"]["path"] == path
    assert detail in error["data"]["detail"]


async def test_domain_errors_carry_their_typed_data(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/rpc/greet.say", json={"name": "Ada", "times": 9})
    assert response.status_code == 422
    assert response.json() == {
        "code": "TOO_LOUD",
        "message": TooLoud.default_message,
        "data": {"maxTimes": 3},
    }


async def test_tier_errors_and_unknown_procedures(client: AsyncTestClient[Litestar]) -> None:
    anonymous = await client.post("/rpc/greet.say", json={"name": "x"}, headers={"x-who": ""})
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "UNAUTHENTICATED"
    missing = await client.post("/rpc/greet.nothing", json={})
    assert missing.status_code == 404
    assert missing.json()["code"] == NotFound.code


async def test_a_prepare_step_runs_before_the_tier_enters(
    client: AsyncTestClient[Litestar],
) -> None:
    """What must not hold the tier's context (a transaction), such as a DNS lookup, runs
    before it; its errors answer without the tier ever entering."""
    _order.clear()
    response = await client.post("/rpc/greet.prepared", json={"name": "ada"})
    assert response.json()["text"] == "hello ADA"
    assert _order == ["prepared", "tier entered", "tier left"]
    _order.clear()
    refused = await client.post("/rpc/greet.prepared", json={"name": "loud"})
    assert (refused.status_code, refused.json()["code"]) == (422, "TOO_LOUD")
    assert _order == ["prepared"]


async def test_unlisted_exceptions_are_a_logged_500_without_internals(
    client: AsyncTestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="rpc"):
        response = await client.post("/rpc/greet.crash", json={"name": "x"})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "INTERNAL"
    assert body["data"]["requestId"] == response.headers["x-request-id"]
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert body["data"]["requestId"] in caplog.text
    assert "hunter2" in caplog.text


async def test_outages_answer_503_with_retry_after_and_one_warning(
    client: AsyncTestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        answers = [await client.post("/rpc/greet.down", json={"name": "x"}) for _ in range(5)]
    for answer in answers:
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "3"
        assert answer.json()["code"] == "SERVICE_UNAVAILABLE"
        assert answer.json()["data"] == {"retryAfter": 3}
    # One warning stands for the outage (the next one counts the rest), and no traceback.
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "ConnectionRefusedError" in caplog.text and not caplog.records[0].exc_info
    # Other failures are still a logged 500.
    assert (await client.post("/rpc/greet.crash", json={"name": "x"})).status_code == 500


async def test_bodies_over_the_limit_answer_413(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/rpc/greet.say", json={"name": "x" * 500})
    assert response.status_code == 413
    assert response.json()["data"] == {"maxBytes": 200}


async def test_rate_limits_answer_429_with_retry_after(client: AsyncTestClient[Litestar]) -> None:
    statuses = [
        (await client.post("/rpc/greet.limited", json={"name": "x"})).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    limited = await client.post("/rpc/greet.limited", json={"name": "x"})
    assert 1 <= int(limited.headers["retry-after"]) <= 61
    assert limited.json()["data"]["retryAfter"] == int(limited.headers["retry-after"])


def test_openapi_lists_each_error_code_as_a_discriminated_union() -> None:
    doc = openapi_document(registry, title="t", version="1", security_schemes={})
    say_op = doc["paths"]["/rpc/greet.say"]["post"]
    assert say_op["summary"] == "Greet someone, by name."  # the whole first paragraph
    assert say_op["description"] == "Loudly, at most three times."
    assert say_op["security"] == [{"who": []}]
    unprocessable = say_op["responses"]["422"]["content"]["application/json"]["schema"]
    assert unprocessable["discriminator"]["mapping"] == {
        "TOO_LOUD": "#/components/schemas/TooLoudError"
    }
    assert set(say_op["responses"]) == {"200", "400", "401", "413", "422", "500", "503"}
    unavailable = say_op["responses"]["503"]["content"]["application/json"]["schema"]
    assert unavailable["discriminator"]["mapping"] == {
        "SERVICE_UNAVAILABLE": "#/components/schemas/ServiceUnavailableError"
    }
    assert "429" in doc["paths"]["/rpc/greet.limited"]["post"]["responses"]
    schemas = doc["components"]["schemas"]
    assert schemas["TooLoudError"]["properties"]["code"]["const"] == "TOO_LOUD"
    assert schemas["Greet"]["additionalProperties"] is False
    assert set(schemas["Greeting"]["properties"]) == {"text", "caller"}


class Stale(DomainError):
    code = "STALE"
    status = 403


def test_a_fresh_session_declaration_is_the_tiers_to_check_and_openapis_to_show() -> None:
    fresh_tier = Tier("who-fresh", _by_header, "", (Unauthenticated,), (), (Stale,))
    fresh = Registry()
    fresh.procedure("greet.fresh", tier=fresh_tier, fresh_session=True)(say)
    fresh.procedure("greet.any", tier=fresh_tier)(say)
    doc = openapi_document(fresh, title="t", version="1", security_schemes={})
    declared, plain = (doc["paths"][f"/rpc/greet.{n}"]["post"] for n in ("fresh", "any"))
    assert declared["x-fresh-session"] is True and "x-fresh-session" not in plain
    assert declared["responses"]["403"]["description"] == "STALE"
    assert "403" not in plain["responses"]
    # A tier that names no freshness error cannot check freshness: refused at declaration.
    with pytest.raises(ValueError, match="freshness"):
        Registry().procedure("greet.fresh", tier=WHO, fresh_session=True)(say)


def test_registry_rejects_bad_declarations() -> None:
    bad = Registry()
    with pytest.raises(ValueError, match="must look like"):
        bad.procedure("Greet", tier=WHO)(say)
    bad.procedure("greet.say", tier=WHO)(say)
    with pytest.raises(ValueError, match="twice"):
        bad.procedure("greet.say", tier=WHO)(say)

    async def untyped(ctx: str, data: dict[str, str]) -> Greeting:
        return Greeting(text="", caller="")

    with pytest.raises(TypeError, match="msgspec Structs"):
        bad.procedure("greet.untyped", tier=WHO)(untyped)


async def test_nul_characters_are_refused_as_bad_input(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/rpc/greet.say", json={"name": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_FAILED"


async def test_a_tracer_makes_a_server_span_per_call_continuing_the_callers_trace() -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    config = RpcConfig(tracer=provider.get_tracer("test"))
    app = Litestar(route_handlers=rpc_routes(registry, config))
    trace_id, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    async with AsyncTestClient(app) as client:
        client.headers["x-who"] = "tester"
        traced = {"traceparent": f"00-{trace_id}-{parent}-01"}
        ok = await client.post("/rpc/greet.say", json={"name": "Ada"}, headers=traced)
        refused = await client.post("/rpc/greet.say", json={"name": "Ada", "times": 9})
        crashed = await client.post("/rpc/greet.crash", json={"name": "x"})
    assert [ok.status_code, refused.status_code, crashed.status_code] == [200, 422, 500]
    said, too_loud, crash_span = spans.get_finished_spans()

    assert said.name == "greet.say" and said.kind is SpanKind.SERVER
    assert f"{said.context.trace_id:032x}" == trace_id
    assert said.parent is not None and f"{said.parent.span_id:016x}" == parent
    assert said.attributes is not None
    assert said.attributes["http.response.status_code"] == 200
    assert said.attributes["subnest.request_id"] == ok.headers["x-request-id"]
    assert said.status.status_code is StatusCode.UNSET

    assert too_loud.parent is None  # no traceparent: a trace of its own
    assert too_loud.attributes is not None
    assert too_loud.attributes["http.response.status_code"] == 422
    assert too_loud.status.status_code is StatusCode.UNSET  # the caller's error, not ours

    assert crash_span.status.status_code is StatusCode.ERROR
    (event,) = crash_span.events
    assert event.name == "exception" and event.attributes is not None
    assert event.attributes["exception.type"] == "RuntimeError"


def test_the_vendored_swagger_ui_is_what_its_readme_says() -> None:
    """Every file of rpc/swagger_ui but ours is listed with its sha256, and matches it."""
    folder = Path(rpc.__file__).parent / "swagger_ui"
    readme = (folder / "README.md").read_text()
    listed = dict(
        (name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.M)
    )
    ours = {"README.md", "swagger-init.js"}
    assert set(listed) == {p.name for p in folder.iterdir()} - ours
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
