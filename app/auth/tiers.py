"""The auth tiers of the public API: rpc Tiers that authenticate and open the unit of work.

public: anyone · protected: a session · sensitive: a session signed in within
SESSION_FRESH_MINUTES · team: a member's session plus ``X-Team-Id``, or a team API key (acting
as ``admin``, within the scope each procedure declares: decision 0023) · team_sensitive: a
member's session with ``X-Team-Id`` (never an API key), also of a team scheduled for deletion
· cron: ``Bearer <CRON_TOKEN>``.

A procedure declared ``fresh_session=True`` needs, on the protected, team and team_sensitive
tiers, a session signed in within SESSION_FRESH_MINUTES (else 403 SESSION_TOO_OLD); an API key
has no sign-in and is not held to it (decision 0024).
"""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from litestar import Request

from app.auth.access import StreamCredentials
from app.auth.errors import IpNotAllowed, SessionAge, SessionTooOld, WrongRole
from app.auth.keys import ApiKeyCaller, api_keys
from app.auth.service import AuthService, SessionUser
from app.idempotency import TeamKeys
from app.runtime import Runtime
from app.schemas import Role
from app.teams.errors import DeletionData, TeamDeletionScheduled
from app.teams.service import TeamService
from app.usage.errors import PlanLimitReached
from app.usage.quota import api_quota
from app.work import Work, unit_of_work
from rpc import (
    Call,
    Forbidden,
    InsufficientScope,
    InsufficientScopeData,
    RateLimited,
    Scope,
    Tier,
    Unauthenticated,
    scope_allows,
)

__all__ = [
    "CRON",
    "PROTECTED",
    "PUBLIC",
    "SECURITY_SCHEMES",
    "SENSITIVE",
    "SESSION_COOKIE",
    "TEAM",
    "TEAM_SENSITIVE",
    "Caller",
    "CronContext",
    "PublicContext",
    "RequestCaller",
    "TeamContext",
    "UserContext",
    "authenticate_stream",
    "authenticate_team",
]

SESSION_COOKIE = "subnest_session"
_RANK: dict[Role, int] = {"member": 0, "admin": 1, "owner": 2}

SECURITY_SCHEMES = {
    "session": {"type": "http", "scheme": "bearer", "description": "a session token"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
    "teamId": {"type": "apiKey", "in": "header", "name": "X-Team-Id"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "cronToken": {"type": "http", "scheme": "bearer", "description": "CRON_TOKEN"},
}


@dataclass(slots=True)
class PublicContext:
    call: Call
    work: Work


@dataclass(slots=True)
class UserContext:
    call: Call
    work: Work
    session: SessionUser


@dataclass(slots=True)
class TeamContext:
    """A team call: by a member's session (``session`` set) or by a team API key."""

    call: Call
    work: Work
    team_id: uuid.UUID
    role: Role
    session: SessionUser | None
    api_key_id: uuid.UUID | None

    def require(self, role: Role, *, member: bool = False) -> None:
        """Raise WrongRole unless the caller's role is at least ``role``; with ``member``, an
        API key is refused too (what grants lasting access needs a signed-in member)."""
        if member and self.session is None:
            raise Forbidden("this needs a signed-in member, not an API key")
        if _RANK[self.role] < _RANK[role]:
            raise WrongRole(f"this needs the {role} role; you are {self.role}")


@dataclass(slots=True)
class CronContext:
    call: Call
    work: Work


def _runtime(call: Call) -> Runtime:
    return cast(Runtime, call.state)


class Caller(Protocol):
    """What authentication reads of a request: an rpc Call, or the SSE stream's request."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def cookies(self) -> Mapping[str, str]: ...

    client_ip: str
    facts: dict[str, Any]


def _bearer(call: Caller) -> str | None:
    scheme, _, token = call.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _session(call: Caller, work: Work) -> SessionUser:
    token = _bearer(call) or call.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated("send a session: Authorization: Bearer <token>")
    return await AuthService(work).session_user(token)


def _require_fresh(runtime: Runtime, session: SessionUser) -> None:
    """SessionTooOld unless the session signed in within SESSION_FRESH_MINUTES."""
    minutes = runtime.settings.session_fresh_minutes
    if dt.datetime.now(dt.UTC) - session.signed_in_at > dt.timedelta(minutes=minutes):
        raise SessionTooOld(
            f"sign in again: this needs a session signed in within the last {minutes} minutes",
            data=SessionAge(signed_in_at=session.signed_in_at, max_age_minutes=minutes),
        )


def _fresh_if_declared(call: Call, session: SessionUser) -> None:
    if call.procedure.fresh_session:
        _require_fresh(_runtime(call), session)


def _team_header(call: Caller) -> uuid.UUID:
    raw = call.headers.get("x-team-id")
    if not raw:
        raise Unauthenticated("send X-Team-Id with a session, or X-API-Key")
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise Forbidden("X-Team-Id is not a team id") from None


Due = dt.datetime | None


async def _member(call: Caller, work: Work) -> tuple[uuid.UUID, Role, SessionUser, Due]:
    """A member's session and X-Team-Id; the tenant is the team from then on."""
    session = await _session(call, work)
    team_id = _team_header(call)
    await work.set_tenant(user_id=session.user.id)
    membership = await TeamService(work).membership(team_id, session.user.id)
    if membership is None:
        raise Forbidden("you are not a member of this team")
    call.facts["team_id"] = team_id
    # From here on only the team's rows are visible, not the user's other memberships.
    await work.set_tenant(team_id=team_id)
    role, deletion_due_at = membership
    return team_id, role, session, deletion_due_at


async def _key_caller(call: Caller, runtime: Runtime, key: str, scope: Scope) -> ApiKeyCaller:
    """The caller of a team API key (acting as admin) whose scopes include ``scope``, of a team
    that is not scheduled for deletion (only the owners' teams.restore reaches such a team) and
    not over its plan. A key refused for its scope is not counted against the plan."""
    caller = await api_keys(runtime).caller(key, call.client_ip)
    if not scope_allows(caller.scope, scope):
        raise InsufficientScope(
            f"this API key has the {caller.scope} scope; this needs {scope}",
            data=InsufficientScopeData(required=scope, granted=caller.scope),
        )
    _refuse_scheduled(caller.deletion_due_at)
    api_quota(runtime).check(caller.team_id)
    call.facts["api_key_id"] = caller.key_id
    call.facts["team_id"] = caller.team_id
    return caller


def _refuse_scheduled(deletion_due_at: Due) -> None:
    if deletion_due_at is not None:
        raise TeamDeletionScheduled(data=DeletionData(deletion_due_at=deletion_due_at))


@dataclass
class RequestCaller:
    """A plain Litestar request as a Caller, for routes outside the rpc layer."""

    headers: Any
    cookies: Any
    client_ip: str
    facts: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, request: Request[Any, Any, Any]) -> RequestCaller:
        client = request.scope.get("client")
        return cls(request.headers, request.cookies, client[0] if client else "")


async def authenticate_team(
    runtime: Runtime, caller: Caller, scope: Scope = "read", *, fresh: bool = False
) -> uuid.UUID:
    """The team a request may reach with ``scope``, by the team tier's rules (for routes outside
    the rpc layer, such as the SSE stream, which must not hold a transaction open, and for
    procedures' prepare steps). ``fresh``: a session must have signed in within
    SESSION_FRESH_MINUTES (an API key need not)."""
    return (await authenticate_stream(runtime, caller, scope, fresh=fresh)).team_id


async def authenticate_stream(
    runtime: Runtime, caller: Caller, scope: Scope = "read", *, fresh: bool = False
) -> StreamCredentials:
    """``authenticate_team``, saying which credentials the team was reached with (a stream
    ends when they do: app/auth/access.py)."""
    key = caller.headers.get("x-api-key")
    if key:
        found = await _key_caller(caller, runtime, key, scope)
        return StreamCredentials(found.team_id, key_id=found.key_id)
    async with unit_of_work(runtime, read_only=True) as work:
        team_id, _, session, due = await _member(caller, work)
    _refuse_scheduled(due)
    if fresh:
        _require_fresh(runtime, session)
    return StreamCredentials(team_id, session_id=session.session_id, user_id=session.user.id)


@asynccontextmanager
async def _public(call: Call) -> AsyncIterator[PublicContext]:
    async with unit_of_work(_runtime(call)) as work:
        yield PublicContext(call, work)


@asynccontextmanager
async def _protected(call: Call) -> AsyncIterator[UserContext]:
    async with unit_of_work(_runtime(call)) as work:
        session = await _session(call, work)
        _fresh_if_declared(call, session)
        await work.set_tenant(user_id=session.user.id)
        yield UserContext(call, work, session)


@asynccontextmanager
async def _sensitive(call: Call) -> AsyncIterator[UserContext]:
    async with _protected(call) as ctx:
        _require_fresh(_runtime(call), ctx.session)
        yield ctx


@asynccontextmanager
async def _team(call: Call) -> AsyncIterator[TeamContext]:
    runtime = _runtime(call)
    scope = _declared(call)
    # A procedure of the read scope reads: its transaction can write nothing (and needs no
    # poke of the feed after it).
    read_only = scope == "read"
    key = call.headers.get("x-api-key")
    if key:
        # The key is known before the unit of work opens: it starts with the tenant set.
        caller = await _key_caller(call, runtime, key, scope)
        async with unit_of_work(runtime, team_id=caller.team_id, read_only=read_only) as work:
            yield TeamContext(call, work, caller.team_id, "admin", None, caller.key_id)
        return
    async with unit_of_work(runtime, read_only=read_only) as work:
        team_id, role, session, due = await _member(call, work)
        _refuse_scheduled(due)
        _fresh_if_declared(call, session)
        yield TeamContext(call, work, team_id, role, session, None)


def _declared(call: Call) -> Scope:
    scope = call.procedure.scope
    assert scope is not None, "the team tier is scoped: each procedure declares its scope"
    return scope


@asynccontextmanager
async def _team_sensitive(call: Call) -> AsyncIterator[TeamContext]:
    if call.headers.get("x-api-key"):
        raise Forbidden("this needs a signed-in member, not an API key")
    async with unit_of_work(_runtime(call)) as work:
        team_id, role, session, _ = await _member(call, work)
        _fresh_if_declared(call, session)
        yield TeamContext(call, work, team_id, role, session, None)


@asynccontextmanager
async def _cron(call: Call) -> AsyncIterator[CronContext]:
    expected = _runtime(call).settings.cron_token  # a Secret: masked wherever it is shown
    token = _bearer(call)
    if (
        not expected
        or not token
        or not hmac.compare_digest(token.encode(), expected.reveal().encode())
    ):
        raise Unauthenticated("cron procedures need Authorization: Bearer <CRON_TOKEN>")
    async with unit_of_work(_runtime(call)) as work:
        yield CronContext(call, work)


_Security = tuple[dict[str, list[str]], ...]
_SESSION: _Security = ({"session": []}, {"sessionCookie": []})
_TEAM_SESSION: _Security = ({"session": [], "teamId": []}, {"sessionCookie": [], "teamId": []})

PUBLIC: Tier[PublicContext] = Tier("public", _public, "no credentials", ())
_FRESH = (SessionTooOld,)
PROTECTED: Tier[UserContext] = Tier(
    "protected", _protected, "a session", (Unauthenticated,), _SESSION, _FRESH
)
SENSITIVE: Tier[UserContext] = Tier(
    "sensitive",
    _sensitive,
    "a session signed in within SESSION_FRESH_MINUTES (10)",
    (Unauthenticated, SessionTooOld),
    _SESSION,
)
TEAM: Tier[TeamContext] = Tier(
    "team",
    _team,
    "a member's session with X-Team-Id, or a team API key",
    (
        Unauthenticated,
        Forbidden,
        IpNotAllowed,
        WrongRole,
        PlanLimitReached,
        TeamDeletionScheduled,
        RateLimited,  # an API key that would force one hash too many (app/auth/hashing.py)
        InsufficientScope,
    ),
    (*_TEAM_SESSION, {"apiKey": []}),
    _FRESH,
    scoped=True,
    idempotency=TeamKeys(),
)
TEAM_SENSITIVE: Tier[TeamContext] = Tier(
    "team-sensitive",
    _team_sensitive,
    "a member's session with X-Team-Id (not an API key), also of a team scheduled for deletion",
    (Unauthenticated, Forbidden, WrongRole),
    _TEAM_SESSION,
    _FRESH,
    scoped=True,  # takes no API key at all; its procedures declare admin all the same
    idempotency=TeamKeys(),
)
CRON: Tier[CronContext] = Tier(
    "cron", _cron, "Bearer CRON_TOKEN", (Unauthenticated,), ({"cronToken": []},)
)
