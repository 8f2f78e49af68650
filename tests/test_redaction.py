"""Secrets out of text, reprs and log lines, unit by unit: app.redaction, rpc.masking, the
logging chain of app.observability (both formats). The end-to-end test is in
test_secrets_in_logs.py."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Annotated, Any

import msgspec
import pytest
import rich.pretty
import structlog
from litestar import Litestar
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app.auth.schemas import (
    CreatedApiKey,
    SessionOut,
    SignedIn,
    SignInInput,
    SignUpInput,
    UserOut,
)
from app.auth.secrets import new_api_key
from app.auth.service import mail_token
from app.config import load_settings
from app.observability import configure_logging
from app.redaction import Redactor
from app.sync.schemas import CreateConnectionInput
from app.webhooks.schemas import CreatedWebhook
from rpc import (
    CURRENT_CALL,
    MASK,
    SECRET,
    Call,
    Input,
    Output,
    Registry,
    RpcConfig,
    Secret,
    Tier,
    rpc_routes,
    secret_values,
)
from tests.support import TEST_SECRET_KEYS, assert_no_secrets, env_for

API_KEY = new_api_key().key
SESSION = f"sns_{secrets.token_urlsafe(32)}"
WEBHOOK = f"whsec_{secrets.token_urlsafe(32)}"
MAILED = mail_token()


SHAPES = [
    # Our own tokens, in the formats app.auth and app.webhooks make them.
    (f"key {API_KEY} refused", f"key {API_KEY[:17]}{MASK} refused"),
    (f"token={SESSION}", f"token={MASK}"),
    (f"session {SESSION}.", f"session sns_{MASK}."),
    (f"signed with {WEBHOOK}", f"signed with whsec_{MASK}"),
    (f"link http://x/#verify={MAILED} sent", f"link http://x/#verify=snt_{MASK} sent"),
    # URLs with a password, in every scheme, the password alone masked.
    ("postgresql://app:s3cret@db:5432/x", f"postgresql://app:{MASK}@db:5432/x"),
    ("postgres://u:p%40ss@/x?host=/run", f"postgres://u:{MASK}@/x?host=/run"),
    ("redis://:hunter22@cache:6379/0", f"redis://:{MASK}@cache:6379/0"),
    ("rediss://default:abc123@r/1", f"rediss://default:{MASK}@r/1"),
    ("dsn='postgresql://a:b@h/d'", f"dsn='postgresql://a:{MASK}@h/d'"),
    # HTTP credentials and name=value pairs however they are quoted.
    ("Authorization: Bearer abcdef123456", f"Authorization: {MASK}"),
    (
        "headers={'authorization': 'Basic dXNlcjpwYXNz'}",
        f"headers={{'authorization': '{MASK}'}}",
    ),
    ("sent Bearer abcdef123456", f"sent Bearer {MASK}"),
    ("password=hunter2 host=db", f"password={MASK} host=db"),
    ("{'apiKey': 'kit-key-0001'}", f"{{'apiKey': '{MASK}'}}"),
    ('{"api_key": "x-123456"}', f'{{"api_key": "{MASK}"}}'),
    ('\\"password\\": \\"hunter2\\"', f'\\"password\\": \\"{MASK}\\"'),
    ("cron_token: abcdef", f"cron_token: {MASK}"),
    (
        "/exports/files/t/e?expires=9&signature=abc_DEF",
        f"/exports/files/t/e?expires=9&signature={MASK}",
    ),
]


# Numbered: the tokens are random, and xdist workers must collect the same test ids.
@pytest.mark.parametrize(
    ("text", "expected"), SHAPES, ids=[f"shape{n}" for n in range(len(SHAPES))]
)
def test_token_shapes_are_masked(text: str, expected: str) -> None:
    assert Redactor().text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        'password authentication failed for user "subnest_app"',
        "the session is unknown or has expired",
        "sync run 5: Counts(created=3, updated=0)",
        "https://api.kit.com/v4/subscribers?after=abc",
        "postgresql://app@db/x",
        "basic features, bearer bonds",
        f"password={MASK}",
        "snk_ alone, sns_short",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Redactor().text(text) == text


def test_remembered_values_are_masked_in_every_form() -> None:
    redactor = Redactor()
    quoted = 'pa"ss\\wörd-1'
    redactor.remember("kit-key-0001", quoted, "short", None)
    assert redactor.text("the key kit-key-0001 failed") == f"the key {MASK} failed"
    assert redactor.text(json.dumps({"e": quoted}, ensure_ascii=False)) == f'{{"e": "{MASK}"}}'
    assert redactor.text(repr(quoted)) == f"'{MASK}'"
    assert redactor.text("short stays") == "short stays"  # too short to be told from words


def test_remembered_values_are_bounded() -> None:
    redactor = Redactor()
    redactor.remember(*(f"value-{n:06d}" for n in range(5000)))
    assert redactor.text("value-004999") == MASK
    assert redactor.text("value-000000") == "value-000000"  # the oldest went first


def test_fields_named_like_secrets_are_masked_at_any_depth() -> None:
    event = {
        "event": "password reset for token holders",
        "password": "x",
        "headers": {"Authorization": "Bearer y", "Accept": "*/*"},
        "items": [{"api_key": "z", "n": 1}],
        "SECRET_KEYS": "k",
        "cron_token": "c",
        "app_db_password": "p",
        "credentials": {"apiKey": "a"},
        "Set-Cookie": "s",
        "status": 200,
    }
    assert Redactor().fields(event) == {
        "event": "password reset for token holders",
        "password": MASK,
        "headers": {"Authorization": MASK, "Accept": "*/*"},
        "items": [{"api_key": MASK, "n": 1}],
        "SECRET_KEYS": MASK,
        "cron_token": MASK,
        "app_db_password": MASK,
        "credentials": MASK,
        "Set-Cookie": MASK,
        "status": 200,
    }


def test_the_calls_own_credentials_are_masked_while_it_runs() -> None:
    headers = [
        (b"authorization", b"Bearer operator-chosen-1"),
        (b"x-api-key", b"not-our-format-2"),
        (b"cookie", b"subnest_session=cookie-value-3; theme=dark"),
    ]
    call: Any = SimpleNamespace(
        request=SimpleNamespace(scope={"headers": headers}), secrets=("typed-password-4",)
    )
    text = "operator-chosen-1 not-our-format-2 cookie-value-3 typed-password-4 dark"
    token = CURRENT_CALL.set(call)
    try:
        assert Redactor().text(text) == f"{MASK} {MASK} {MASK} {MASK} dark"
    finally:
        CURRENT_CALL.reset(token)
    assert Redactor().text(text) == text  # outside the call


def test_secret_is_masked_everywhere_but_reveal() -> None:
    secret = Secret("hunter2-hunter2")
    shown = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret:>30}",
        "%s" % (secret,),  # noqa: UP031 - the way log messages format it
    ]
    assert_no_secrets("".join(shown), ["hunter2"])
    assert secret.reveal() == "hunter2-hunter2"
    assert secret == Secret("hunter2-hunter2") and secret != "hunter2-hunter2"
    assert not Secret("")


def test_settings_hide_their_secrets_but_hand_them_to_subprocesses() -> None:
    environ = {
        "SECRET_KEYS": TEST_SECRET_KEYS,
        "CRON_TOKEN": "cron-token-123",
        "METRICS_TOKEN": "metrics-token-345",
        "APP_DB_PASSWORD": "app-pw-456",
        "DATABASE_URL": "postgresql://owner:owner-pw-789@db/x",
        "REDIS_URL": "redis://:redis-pw-012@cache/0",
    }
    settings = load_settings(environ)
    hidden = [*environ.values(), "owner-pw-789", "redis-pw-012", "dGVzdC1rZXktMzItYnl0ZXMt"]
    shown = repr(settings) + rich.pretty.pretty_repr(settings) + str(settings.secret_keys)
    assert_no_secrets(shown, hidden)
    assert "postgresql://owner:***@db/x" in shown
    assert settings.cron_token is not None and settings.cron_token.reveal() == "cron-token-123"
    assert {k: v for k, v in env_for(settings).items() if k in environ} == environ
    assert set(settings.secrets) >= {
        "cron-token-123",
        "metrics-token-345",
        "app-pw-456",
        "owner-pw-789",
    }
    assert "dGVzdC1rZXktMzItYnl0ZXMtbG9uZy0wMDAwMDAwMDA" in settings.secrets


def _structs() -> list[tuple[Any, list[str]]]:
    """Secret-bearing Structs and the values their reprs must not show (constructors do not
    check types: the fields that do not matter here are None)."""
    minted = new_api_key()
    session = SessionOut(token=SESSION, expires_at=dt.datetime.now(dt.UTC))
    user = UserOut(id=uuid.uuid4(), email="a@b.c", name="A", email_verified=False)
    return [
        (SignUpInput(email="a@b.c", password="pw-sign-up-1", name="A"), ["pw-sign-up-1"]),
        (SignInInput(email="a@b.c", password="pw-sign-in-2"), ["pw-sign-in-2"]),
        (SignedIn(user=user, session=session), [SESSION]),
        (CreatedApiKey(key=API_KEY, api_key=None), [API_KEY]),
        (CreatedWebhook(webhook=None, secret=WEBHOOK), [WEBHOOK]),
        (
            CreateConnectionInput(provider="kit", name="K", credentials={"apiKey": "esp-key-3"}),
            ["esp-key-3"],
        ),
        (minted, [minted.key]),
        (load_settings({"SECRET_KEYS": TEST_SECRET_KEYS}).secret_keys[0], ["test-key-32-bytes"]),
    ]


def test_secret_wire_fields_are_masked_in_reprs_not_on_the_wire() -> None:
    for value, hidden in _structs():
        shown = repr(value) + rich.pretty.pretty_repr(value) + f"{value}"
        assert_no_secrets(shown, hidden)
        assert type(value).__name__ in shown
    signed_up = msgspec.json.decode(
        b'{"email": "a@b.c", "password": "pw-wire-5", "name": "A"}', type=SignUpInput
    )
    assert signed_up.password == "pw-wire-5"
    assert b'"pw-wire-5"' in msgspec.json.encode(signed_up)
    assert secret_values(signed_up) == ("pw-wire-5",)
    connection = CreateConnectionInput(provider="kit", name="K", credentials={"apiKey": "k-6"})
    assert secret_values(connection) == ("k-6",)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Where configure_logging's handler writes (set in the test); the set-up restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield io.StringIO()
    finally:
        root.handlers, root.level = handlers, level
        structlog.reset_defaults()


def _fail_with_secrets_in_locals_and_message() -> None:
    operator_secret = "in-a-local-only-7"  # noqa: F841 - what the traceback must not show
    password = "in-a-local-too-8"  # noqa: F841
    raise RuntimeError(
        f"connect to postgresql://app:url-pw-9@db/x failed; sent {SESSION}; key remembered-10"
    )


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_log_lines_carry_no_locals_and_no_secrets(captured: io.StringIO, fmt: str) -> None:
    configure_logging("DEBUG", fmt, secrets=["remembered-10"])
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(captured)
    log = logging.getLogger("tests.redaction")
    try:
        _fail_with_secrets_in_locals_and_message()
    except RuntimeError:
        log.exception("it failed", extra={"password": "extra-field-11", "api_key": API_KEY})
    structlog.get_logger("tests.structlog").info("hello", token=WEBHOOK)
    output = captured.getvalue()
    assert "it failed" in output and "_fail_with_secrets_in_locals_and_message" in output
    assert "RuntimeError" in output and "hello" in output
    assert_no_secrets(
        output,
        [
            "in-a-local-only-7",
            "in-a-local-too-8",
            "url-pw-9",
            SESSION,
            "remembered-10",
            "extra-field-11",
            API_KEY,
            WEBHOOK,
        ],
    )
    if fmt == "json":
        lines = [json.loads(line) for line in output.splitlines()]  # still one object a line
        assert lines[0]["password"] == MASK
        assert all("locals" not in frame for frame in lines[0]["exception"][0]["frames"])


class _Login(Input):
    user: str
    password: Annotated[str, SECRET]


class _Nothing(Output):
    pass


@asynccontextmanager
async def _anyone(call: Call) -> AsyncIterator[Call]:
    yield call


_registry = Registry()
_seen: list[tuple[str, ...]] = []


@_registry.procedure("login.fail", tier=Tier("anyone", _anyone))
async def _fail(ctx: Call, data: _Login) -> _Nothing:
    """Fails quoting its input, as a careless library would."""
    _seen.append(ctx.secrets)
    raise RuntimeError(f"could not sign in {data.user} with {data.password}; {data!r}")


async def test_the_rpc_layer_hands_input_secrets_to_the_call_and_redacts_its_spans() -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    config = RpcConfig(tracer=provider.get_tracer("test"), redact=Redactor().text)
    app = Litestar(route_handlers=rpc_routes(_registry, config))
    async with AsyncTestClient(app) as client:
        failed = await client.post("/rpc/login.fail", json={"user": "ada", "password": "pw-13-x"})
    assert failed.status_code == 500 and set(failed.json()["data"]) == {"requestId"}
    assert _seen == [("pw-13-x",)]
    (span,) = spans.get_finished_spans()
    (event,) = span.events
    assert event.attributes is not None
    message = str(event.attributes["exception.message"])
    assert message.startswith("could not sign in ada with ***; _Login(user='ada', password=***)")
    assert_no_secrets(str(dict(event.attributes)) + str(span.attributes), ["pw-13-x"])
