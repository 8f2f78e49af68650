"""Auth, teams, members and API keys through a real server, with the generated Python SDK."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from subnest_sdk import (
    Client,
    ForbiddenError,
    InvalidCredentialsError,
    IpNotAllowedError,
    RateLimitedError,
    RetryPolicy,
    SessionTooOldError,
    UnauthenticatedError,
    WrongRoleError,
)

from app.config import Settings
from tests.support import ServerProcess, fetch, join_by_sql, start_server, wait_for

PASSWORD = "correct-horse-battery"


class Api:
    """Clients of one server: anonymous, or signed in as a new user."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.clients: list[Client] = []
        self.anonymous = self.client()

    def client(self, **credentials: str) -> Client:
        client = Client(self.base_url, retry=RetryPolicy(max_attempts=1), **credentials)
        self.clients.append(client)
        return client

    def signed_up(self, email: str) -> Client:
        name = email.split("@")[0]
        signed = self.anonymous.auth.sign_up(email=email, password=PASSWORD, name=name)
        return self.client(session_token=signed.session.token)


@pytest.fixture
def api(server: ServerProcess) -> Iterator[Api]:
    api = Api(server.base_url)
    yield api
    for client in api.clients:
        client.close()


def test_the_whole_team_flow(api: Api, database_url: str) -> None:
    owner = api.signed_up("owner@example.com")
    team = owner.teams.create(name="Weekly Digest")
    assert team.role == "owner"
    assert [t.id for t in owner.auth.me().teams] == [team.id]

    api.signed_up("member@example.com")
    signed_in = api.anonymous.auth.sign_in(email="MEMBER@example.com", password=PASSWORD)
    member = api.client(session_token=signed_in.session.token, team_id=str(team.id))

    owner_in_team = owner.with_team(team.id)
    invited = owner_in_team.members.add(email="member@example.com", role="member")
    assert (invited.email, invited.role) == ("member@example.com", "member")
    assert len(owner_in_team.members.list().items) == 1  # an invitation, not a member yet
    asyncio.run(join_by_sql(database_url, team.id, "member@example.com", "member"))
    assert {m.email for m in owner_in_team.members.list().items} == {
        "owner@example.com",
        "member@example.com",
    }

    with pytest.raises(WrongRoleError) as wrong_role:
        member.members.add(email="owner@example.com", role="admin")
    assert wrong_role.value.status == 403

    created = owner_in_team.api_keys.create(name="CI")
    assert created.key.startswith("snk_") and created.api_key.prefix in created.key
    assert created.key not in str(owner_in_team.api_keys.list())

    with api.client(api_key=created.key) as by_key:
        assert len(by_key.members.list().items) == 2
        wait_for(
            lambda: _logged_calls(database_url, created.api_key.id),
            timeout=10,
            what="the request log to be written",
        )
        owner_in_team.api_keys.revoke(id=created.api_key.id)
        with pytest.raises(UnauthenticatedError):
            by_key.members.list()


def test_a_key_revoked_through_one_process_stops_working_on_another(
    api: Api, settings: Settings
) -> None:
    owner = api.signed_up("owner@example.com")
    in_team = owner.with_team(owner.teams.create(name="T").id)
    created = in_team.api_keys.create(name="replica")
    with start_server(settings) as other:
        elsewhere = Client(other.base_url, api_key=created.key, retry=RetryPolicy(max_attempts=1))
        with elsewhere:
            assert elsewhere.members.list().items  # the other process now knows the key
            in_team.api_keys.revoke(id=created.api_key.id)

            def refused() -> bool:
                try:
                    elsewhere.members.list()
                except UnauthenticatedError:
                    return True
                return False

            # Each process reads a key it knows again after at most a second (decision 0014).
            wait_for(refused, timeout=5, what="the other process to refuse the revoked key")


def _logged_calls(database_url: str, key_id: object) -> int:
    import asyncio

    rows = asyncio.run(
        fetch(
            database_url,
            "SELECT procedure, status FROM request_logs WHERE api_key_id = $1",
            key_id,
        )
    )
    assert all((r["procedure"], r["status"]) == ("members.list", 200) for r in rows)
    return len(rows)


def test_a_key_from_a_disallowed_address_is_refused(api: Api) -> None:
    owner = api.signed_up("owner@example.com")
    team = owner.teams.create(name="T")
    in_team = owner.with_team(team.id)
    elsewhere = in_team.api_keys.create(name="office", ip_allowlist=["203.0.113.0/24"])
    here = in_team.api_keys.create(name="local", ip_allowlist=["127.0.0.1/32", "::1/128"])
    with api.client(api_key=elsewhere.key) as refused:
        with pytest.raises(IpNotAllowedError) as raised:
            refused.members.list()
        assert raised.value.status == 403
    with api.client(api_key=here.key) as allowed:
        assert allowed.members.list().items


async def test_a_stale_session_cannot_create_an_api_key(api: Api, database_url: str) -> None:
    owner = api.signed_up("owner@example.com")
    team = owner.teams.create(name="T")
    await fetch(
        database_url,
        "UPDATE sessions SET signed_in_at = $1",
        dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11),
    )
    in_team = owner.with_team(team.id)
    assert in_team.members.list().items, "an old session still reads"
    with pytest.raises(SessionTooOldError) as raised:
        in_team.api_keys.create(name="late")
    assert raised.value.data.max_age_minutes == 10
    # The SDK has the session procedures (decision 0024).
    (session,) = owner.auth.sessions.list().items
    assert session.current and session.signed_in_at < raised.value.data.signed_in_at + dt.timedelta(
        seconds=1
    )


def test_team_a_key_never_sees_team_b(api: Api) -> None:
    alice = api.signed_up("alice@example.com")
    bob = api.signed_up("bob@example.com")
    team_a = alice.teams.create(name="A")
    team_b = bob.teams.create(name="B")
    key_a = alice.with_team(team_a.id).api_keys.create(name="a").key
    key_b_id = bob.with_team(team_b.id).api_keys.create(name="b").api_key.id
    with api.client(api_key=key_a) as by_a:
        assert {m.email for m in by_a.members.list().items} == {"alice@example.com"}
        assert [k.name for k in by_a.api_keys.list().items] == ["a"]
        with pytest.raises(Exception, match="NOT_FOUND"):
            by_a.api_keys.revoke(id=key_b_id)
        # A session may not pick a team it does not belong to.
    with pytest.raises(ForbiddenError):
        alice.with_team(team_b.id).members.list()


def test_sign_in_is_rate_limited_and_errors_are_typed(api: Api) -> None:
    api.signed_up("ada@example.com")
    for _ in range(10):  # ten tries a minute per address …
        with pytest.raises(InvalidCredentialsError):
            api.anonymous.auth.sign_in(email="ada@example.com", password="wrong-password")
    with pytest.raises(RateLimitedError) as limited:  # … then 429, right password or not
        api.anonymous.auth.sign_in(email="ada@example.com", password=PASSWORD)
    assert 1 <= limited.value.data.retry_after <= 61


def test_cookie_sessions_and_sign_out(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        signed = http.post(
            "/rpc/auth.signUp",
            json={"email": "c@example.com", "password": PASSWORD, "name": "C", "cookie": True},
        )
        cookie = signed.headers["set-cookie"]
        assert "subnest_session=" in cookie and "HttpOnly" in cookie
        assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
        assert "Secure" not in cookie, "Secure only outside development"
        assert http.post("/rpc/auth.me", json={}).json()["user"]["email"] == "c@example.com"
        assert http.post("/rpc/auth.signOut", json={}).status_code == 200
        http.cookies.clear()
        token = signed.json()["session"]["token"]
        after = http.post("/rpc/auth.me", json={}, headers={"Authorization": f"Bearer {token}"})
        assert after.status_code == 401


def test_streamed_bodies_over_the_limit_answer_413(server: ServerProcess) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(2048):
            yield b" " * 1024  # 2 MiB, no content-length

    response = httpx.post(f"{server.base_url}/rpc/auth.signIn", content=chunks())
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_an_api_key_cannot_grant_membership(api: Api) -> None:
    owner = api.signed_up("owner@example.com")
    api.signed_up("intruder@example.com")
    team = owner.teams.create(name="T")
    key = owner.with_team(team.id).api_keys.create(name="automation").key
    with pytest.raises(ForbiddenError):
        api.client(api_key=key).members.add(email="intruder@example.com", role="admin")
    assert [m.email for m in owner.with_team(team.id).members.list().items] == ["owner@example.com"]
