"""Scoped, expiring API keys against one real server for the module (decision 0023): a ``read``
key is refused on every procedure that needs more, a ``write`` key on every ``admin`` one (the
procedures enumerated from the served OpenAPI document, each called with a valid body made from
its schema), an expired key answers 401, keys made before scopes keep working as ``admin``, and
the document carries each procedure's scope."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from app.api import build_registry
from app.auth.secrets import new_api_key
from tests.conftest import ModuleServer
from tests.support import (
    Caller,
    CallFailed,
    ServerProcess,
    fails,
    member_of_new_team,
    wait_for,
)

SCOPES = ("read", "write", "admin")
# The tiers an API key may reach; the others take no key (public, a session, CRON_TOKEN).
KEYED_TIERS = {"team"}
SCOPED_TIERS = {"team", "team-sensitive"}
# Names a read-only procedure may end with: a procedure in scope ``read`` that changes state
# under another name is a mistake this test catches.
READING_VERBS = ("list", "get", "counts", "history", "pull", "deliveries")


@dataclass
class Rig:
    server: ServerProcess
    database_url: str
    owner: Caller
    team_id: str
    spec: dict[str, Any]

    def key(self, name: str, **options: Any) -> Caller:
        created = self.owner("apiKeys.create", name=name, **options)
        return Caller(self.server.base_url, {"X-API-Key": created["key"]})

    def sql(self, query: str, *args: object) -> list[asyncpg.Record]:
        async def run() -> list[asyncpg.Record]:
            conn = await asyncpg.connect(self.database_url)
            try:
                rows: list[asyncpg.Record] = await conn.fetch(query, *args)
                return rows
            finally:
                await conn.close()

        return asyncio.run(run())


@pytest.fixture(scope="module")
def rig(module_server: ModuleServer) -> Iterator[Rig]:
    # Webhook URLs here are never sent to: 127.0.0.1 is allowed.
    env = {"WEBHOOK_ALLOW_PRIVATE_URLS": "true"}
    with module_server("scopes", **env) as (services, server):
        owner, team_id = member_of_new_team(server.base_url, "scopes@example.com")
        spec = httpx.get(f"{server.base_url}/api/documentation/openapi.json").json()
        yield Rig(server, services.database_url, owner, team_id, spec)


# --- valid bodies from the document -----------------------------------------------------------


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _sample(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A small value that ``schema`` accepts: required fields only, the least each allows."""
    schema = _resolve(spec, schema)
    if "examples" in schema:
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for union in ("anyOf", "oneOf"):
        if union in schema:
            options = [o for o in schema[union] if _resolve(spec, o).get("type") != "null"]
            return _sample(spec, options[0])
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {n: _sample(spec, props[n]) for n in schema.get("required", [])}
    if kind == "array":
        return [_sample(spec, schema["items"]) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "uuid":
            return str(uuid.uuid4())
        if schema.get("format") == "date-time":
            return (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
        return "x" * max(schema.get("minLength", 1), 1)
    raise AssertionError(f"no sample for {schema}")


def _operations(rig: Rig) -> dict[str, dict[str, Any]]:
    return {path.rsplit("/", 1)[-1]: item["post"] for path, item in rig.spec["paths"].items()}


def _body(rig: Rig, operation: dict[str, Any]) -> dict[str, Any]:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    body: dict[str, Any] = _sample(rig.spec, schema)
    return body


def _refusals(rig: Rig, caller: Caller, granted: str) -> dict[str, tuple[int, str, Any]]:
    """What ``caller`` got from every keyed procedure that needs more than ``granted``, where
    that was not the typed refusal."""
    wrong: dict[str, tuple[int, str, Any]] = {}
    for name, operation in sorted(_operations(rig).items()):
        if operation["x-tier"] not in SCOPED_TIERS:
            continue
        needed = operation["x-scope"]
        if SCOPES.index(needed) <= SCOPES.index(granted):
            continue
        failed = fails(caller, name, **_body(rig, operation))
        if operation["x-tier"] in KEYED_TIERS:
            expected = failed.status == 403 and failed.code == "INSUFFICIENT_SCOPE"
            expected = expected and failed.data == {"required": needed, "granted": granted}
        else:  # a tier that takes no API key at all (a signed-in member's fresh session)
            expected = failed.status == 403 and failed.code == "FORBIDDEN"
        if not expected:
            wrong[name] = (failed.status, failed.code, failed.data)
    return wrong


def _refused(caller: Caller) -> CallFailed | None:
    try:
        caller("subscribers.counts")
    except CallFailed as failed:
        return failed
    return None


# --- the tests --------------------------------------------------------------------------------


def test_the_document_carries_a_scope_for_every_procedure_a_key_may_reach(rig: Rig) -> None:
    registry = {p.name: p for p in build_registry()}
    operations = _operations(rig)
    assert set(operations) == set(registry)
    scoped = {n: o for n, o in operations.items() if o["x-tier"] in SCOPED_TIERS}
    assert len(scoped) > 20, sorted(scoped)
    for name, operation in scoped.items():
        assert operation.get("x-scope") in SCOPES, name
        assert f"`{operation['x-scope']}`" in operation["description"], name
        assert operation["x-scope"] == registry[name].scope, name
        if operation["x-scope"] == "read":
            assert name.rsplit(".", 1)[-1].startswith(READING_VERBS), name
    for name, operation in operations.items():
        if operation["x-tier"] not in SCOPED_TIERS:
            assert "x-scope" not in operation, name
    # What the issue names: keys, webhooks, connections and members are managed by admin only.
    for name, operation in scoped.items():
        group, verb = name.split(".")
        managing = group in {"espConnections", "members"} and verb in {
            "create",
            "update",
            "delete",
            "add",
            "remove",
        }
        if group in {"apiKeys", "webhooks"} or managing:
            assert operation["x-scope"] == "admin", name
    assert (
        "INSUFFICIENT_SCOPE"
        in rig.spec["paths"]["/rpc/subscribers.create"]["post"]["responses"]["403"]["description"]
    )


def test_a_read_key_is_refused_on_every_procedure_that_writes(rig: Rig) -> None:
    reader = rig.key("Reader", scopes=["read"])
    assert reader("subscribers.counts")["total"] == 0
    assert reader("subscribers.list")["items"] == []
    assert _refusals(rig, reader, "read") == {}
    # Nothing was made: every refusal came before the handler.
    assert reader("subscribers.counts")["total"] == 0
    assert rig.owner("webhooks.list")["items"] == []


def test_a_write_key_is_refused_on_every_admin_procedure(rig: Rig) -> None:
    writer = rig.key("Writer", scopes=["write"])
    created = writer("subscribers.create", email="w@example.com")
    assert created["email"] == "w@example.com"
    assert _refusals(rig, writer, "write") == {}
    keys = {k["name"]: k for k in rig.owner("apiKeys.list")["items"]}
    assert keys["Writer"]["scopes"] == ["read", "write"]
    assert keys["Writer"]["revokedAt"] is None


def test_an_admin_key_manages_webhooks_and_the_list_names_their_creator(rig: Rig) -> None:
    created = rig.owner("apiKeys.create", name="Admin key", scopes=["admin"])
    admin = Caller(rig.server.base_url, {"X-API-Key": created["key"]})
    assert created["apiKey"]["scopes"] == ["read", "write", "admin"]
    hook = admin("webhooks.create", url="http://127.0.0.1:9/hook", events=["subscriber.created"])
    by_key = next(
        w for w in rig.owner("webhooks.list")["items"] if w["id"] == hook["webhook"]["id"]
    )
    assert by_key["createdBy"] == {
        "kind": "apiKey",
        "id": created["apiKey"]["id"],
        "name": "Admin key",
    }
    # Owned by the team (decision 0023): it outlives the key that made it, and says so.
    rig.owner("apiKeys.revoke", id=created["apiKey"]["id"])
    after = next(w for w in rig.owner("webhooks.list")["items"] if w["id"] == hook["webhook"]["id"])
    assert after["status"] == "active" and after["createdBy"]["id"] == created["apiKey"]["id"]
    by_member = rig.owner(
        "webhooks.create", url="http://127.0.0.1:9/other", events=["subscriber.created"]
    )
    assert by_member["webhook"]["createdBy"]["kind"] == "member"
    for webhook in (hook, by_member):
        rig.owner("webhooks.delete", id=webhook["webhook"]["id"])


def test_an_expired_key_answers_401_and_expiry_is_listed(rig: Rig) -> None:
    created = rig.owner("apiKeys.create", name="Short", scopes=["read"], expiresInDays=1)
    key = Caller(rig.server.base_url, {"X-API-Key": created["key"]})
    expires = dt.datetime.fromisoformat(created["apiKey"]["expiresAt"])
    assert dt.timedelta(hours=23) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=1)
    assert key("subscribers.counts")["total"] >= 0  # known to this process from now on
    rig.sql(
        "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1",
        uuid.UUID(created["apiKey"]["id"]),
    )
    # The row is read again within a second (decision 0014); the expiry is checked at each call.
    failed = wait_for(lambda: _refused(key), timeout=5, what="the expired key refused")
    assert failed.status == 401 and failed.code == "UNAUTHENTICATED", failed
    assert "expired" in str(failed)
    listed = {k["id"]: k for k in rig.owner("apiKeys.list")["items"]}[created["apiKey"]["id"]]
    assert listed["expiresAt"] is not None and listed["scopes"] == ["read"]
    assert "lastUsedAt" in listed

    at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    dated = rig.owner("apiKeys.create", name="Dated", expiresAt=at)["apiKey"]
    assert dt.datetime.fromisoformat(dated["expiresAt"]) == dt.datetime.fromisoformat(at)
    bad: dict[str, Any]
    for bad in (
        {"expiresAt": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()},
        {"expiresAt": at, "expiresInDays": 3},
        {"scopes": ["root"]},
        {"scopes": []},
    ):
        refused = fails(rig.owner, "apiKeys.create", name="Bad", **bad)
        assert refused.status == 400 and refused.code == "VALIDATION_FAILED", (bad, refused)


def test_keys_made_before_scopes_keep_working_as_admin(rig: Rig) -> None:
    # A row written as before migration 0014 (no scopes, no expiry: what `subnest seed` and the
    # benchmarks still write), and a key made by the old call (no scopes in it).
    minted = new_api_key()
    rig.sql(
        "INSERT INTO api_keys (team_id, name, prefix, key_hash) VALUES ($1, 'Legacy', $2, $3)",
        uuid.UUID(rig.team_id),
        minted.prefix,
        minted.key_hash,
    )
    legacy = Caller(rig.server.base_url, {"X-API-Key": minted.key})
    old = rig.key("Old style")
    listed = {k["name"]: k for k in rig.owner("apiKeys.list")["items"]}
    for name in ("Legacy", "Old style"):
        assert listed[name]["scopes"] == ["read", "write", "admin"], listed[name]
        assert listed[name]["expiresAt"] is None
    for key in (legacy, old):
        hook = key("webhooks.create", url="http://127.0.0.1:9/old", events=["subscriber.created"])
        key("webhooks.delete", id=hook["webhook"]["id"])
    other = rig.key("Revoked by a legacy key")
    legacy("apiKeys.revoke", id=listed["Old style"]["id"])
    victim = {k["name"]: k for k in rig.owner("apiKeys.list")["items"]}["Revoked by a legacy key"]
    legacy("apiKeys.revoke", id=victim["id"])
    assert fails(other, "subscribers.counts").status == 401
    assert fails(old, "subscribers.counts").status == 401


def test_a_stream_on_a_key_ends_when_the_key_expires(rig: Rig) -> None:
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    created = rig.owner(
        "apiKeys.create", name="Streamer", scopes=["read"], expiresAt=expires.isoformat()
    )
    headers = {"X-API-Key": created["key"]}
    url = f"{rig.server.base_url}/realtime/stream"
    lines: list[str] = []
    with httpx.stream("GET", url, headers=headers, timeout=10) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            lines.append(line)
            if line.startswith("data:") and lines[-2:-1] == ["event: revoked"]:
                break
    ended = dt.datetime.now(dt.UTC)
    assert lines[-1] == 'data: {"reason":"keyExpired"}', lines[-3:]
    assert expires <= ended < expires + dt.timedelta(seconds=1.5), ended - expires
    again = httpx.get(url, headers=headers, timeout=10)
    assert again.status_code == 401 and "expired" in again.json()["message"]
