"""auth.* and apiKeys.*: parse, authorize, delegate to AuthService."""

from __future__ import annotations

import datetime as dt

from litestar.datastructures import Cookie

from app.auth.errors import EmailTaken, InvalidCredentials, InvalidToken, WrongPassword
from app.auth.hashing import hashing
from app.auth.schemas import (
    ApiKeyList,
    ApiKeyOut,
    ChangePasswordInput,
    CreateApiKeyInput,
    CreatedApiKey,
    Me,
    PasswordChanged,
    RequestPasswordResetInput,
    ResetPasswordInput,
    SessionList,
    SessionOut,
    SignedIn,
    SignInInput,
    SignUpInput,
    TokenInput,
    UserOut,
)
from app.auth.service import AuthService, account_email
from app.auth.tiers import (
    PROTECTED,
    PUBLIC,
    SESSION_COOKIE,
    TEAM,
    TEAM_SENSITIVE,
    PublicContext,
    TeamContext,
    UserContext,
)
from app.schemas import Empty, IdInput, Ok
from app.teams.service import TeamService
from rpc import (
    SCOPES,
    Call,
    NotFound,
    RateLimit,
    RateLimited,
    RateLimiter,
    Registry,
    Scope,
    ValidationData,
    ValidationFailed,
)

__all__ = ["procedures"]

procedures = Registry()


def _session_cookie(call: Call, session: SessionOut, *, secure: bool) -> None:
    call.set_cookies.append(
        Cookie(
            key=SESSION_COOKIE,
            value=session.token,
            expires=int(session.expires_at.timestamp()),
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )
    )


def _clear_session_cookie(call: Call) -> None:
    call.set_cookies.append(Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/"))


async def _signed_in(ctx: PublicContext, user: UserOut, cookie: bool) -> SignedIn:
    session = await AuthService(ctx.work).start_session(
        user.id, ip=ctx.call.client_ip, user_agent=ctx.call.headers.get("user-agent", "")
    )
    if cookie:
        _session_cookie(ctx.call, session, secure=not ctx.work.runtime.settings.is_dev)
    return SignedIn(user=user, session=session)


@procedures.procedure(
    "auth.signUp",
    tier=PUBLIC,
    errors=(EmailTaken,),
    rate_limit=RateLimit(limit=10, window=60),
)
async def sign_up(ctx: PublicContext, data: SignUpInput) -> SignedIn:
    """Create an account and sign in; a link that verifies the address is mailed to it.

    With ``cookie: true`` the session is also set as an HttpOnly cookie.
    """
    await hashing(ctx.work.runtime).admit(address=ctx.call.client_ip)  # an argon2 ahead
    user = await AuthService(ctx.work).sign_up(data.email, data.password, data.name)
    await AuthService(ctx.work).send_verification(user)
    return await _signed_in(ctx, user, data.cookie)


async def _mail_requested(ctx: PublicContext | UserContext, email: str) -> None:
    """At most MAIL_REQUESTS_PER_HOUR mails asked for one address: RATE_LIMITED past it
    (counted per address whether or not an account has it, so it reveals nothing)."""
    limit = ctx.work.runtime.settings.mail_requests_per_hour
    await RateLimiter(ctx.work.runtime.redis, prefix="mail:rl").hit(
        RateLimit(limit=limit, window=3600), scope="address", subject=account_email(email)
    )


@procedures.procedure(
    "auth.verifyEmail",
    tier=PUBLIC,
    errors=(InvalidToken,),
    rate_limit=RateLimit(limit=20, window=60),
)
async def verify_email(ctx: PublicContext, data: TokenInput) -> Ok:
    """Verify the account's address with the token of the mailed link (once; it expires after
    EMAIL_VERIFICATION_TTL_HOURS)."""
    await AuthService(ctx.work).verify_email(data.token)
    return Ok()


@procedures.procedure("auth.resendVerification", tier=PROTECTED, errors=(RateLimited,))
async def resend_verification(ctx: UserContext, data: Empty) -> Ok:
    """Mail the verification link again (nothing when the address is verified already);
    at most MAIL_REQUESTS_PER_HOUR an hour."""
    user = ctx.session.user
    if not user.email_verified:
        await _mail_requested(ctx, user.email)
        await AuthService(ctx.work).send_verification(user)
    return Ok()


@procedures.procedure(
    "auth.requestPasswordReset",
    tier=PUBLIC,
    rate_limit=RateLimit(limit=10, window=60),
)
async def request_password_reset(ctx: PublicContext, data: RequestPasswordResetInput) -> Ok:
    """Mail a password-reset link to the address, if an account has it. The answer is the
    same whether it does or not; at most MAIL_REQUESTS_PER_HOUR per address an hour."""
    await _mail_requested(ctx, data.email)
    await AuthService(ctx.work).request_password_reset(data.email)
    return Ok()


@procedures.procedure(
    "auth.resetPassword",
    tier=PUBLIC,
    errors=(InvalidToken,),
    rate_limit=RateLimit(limit=10, window=60),
)
async def reset_password(ctx: PublicContext, data: ResetPasswordInput) -> Ok:
    """Set a new password with the token of a reset link (once; it expires after
    PASSWORD_RESET_TTL_MINUTES). Every session of the account ends: sign in again."""
    await hashing(ctx.work.runtime).admit(address=ctx.call.client_ip)  # an argon2 ahead
    await AuthService(ctx.work).reset_password(data.token, data.new_password)
    return Ok()


@procedures.procedure(
    "auth.signIn",
    tier=PUBLIC,
    errors=(InvalidCredentials,),
    rate_limit=RateLimit(limit=10, window=60),
)
async def sign_in(ctx: PublicContext, data: SignInInput) -> SignedIn:
    """Sign in with email and password; rate limited per client address, and per account:
    past SIGN_IN_FAILURES_PER_ACCOUNT failed attempts in SIGN_IN_FAILURE_WINDOW_SECONDS (from
    any addresses) the account's sign-ins answer 429 RATE_LIMITED until the oldest failure
    leaves the window (``Retry-After``). Successful sign-ins do not count."""
    attempt = await hashing(ctx.work.runtime).admit_password(  # an argon2 ahead
        address=ctx.call.client_ip, account=account_email(data.email)
    )
    user = await AuthService(ctx.work).check_password(data.email, data.password)
    await attempt.succeeded()
    return await _signed_in(ctx, user, data.cookie)


@procedures.procedure("auth.signOut", tier=PROTECTED)
async def sign_out(ctx: UserContext, data: Empty) -> Ok:
    """End the current session (and clear its cookie); its live streams end too."""
    await AuthService(ctx.work).end_session(ctx.session.session_id)
    _clear_session_cookie(ctx.call)
    return Ok()


@procedures.procedure("auth.sessions.list", tier=PROTECTED)
async def list_sessions(ctx: UserContext, data: Empty) -> SessionList:
    """The caller's live sessions: when each signed in and from where (address and user agent
    at sign-in), which one is making this call (``current``); never their tokens."""
    auth = AuthService(ctx.work)
    return SessionList(items=await auth.sessions_of(ctx.session.user.id, ctx.session.session_id))


@procedures.procedure("auth.sessions.revoke", tier=PROTECTED, errors=(NotFound,))
async def revoke_session(ctx: UserContext, data: IdInput) -> Ok:
    """End one of the caller's sessions, the current one too (its calls answer 401 from then
    on, its live streams end). Another user's session answers NOT_FOUND."""
    ended = await AuthService(ctx.work).end_sessions(ctx.session.user.id, only=data.id)
    if not ended:
        raise NotFound("no such session of yours")
    if data.id == ctx.session.session_id:
        _clear_session_cookie(ctx.call)
    return Ok()


@procedures.procedure(
    "auth.changePassword",
    tier=PROTECTED,
    errors=(WrongPassword,),
    rate_limit=RateLimit(limit=10, window=60),
)
async def change_password(ctx: UserContext, data: ChangePasswordInput) -> PasswordChanged:
    """Change the password, given the current one; every other session of the account ends,
    with its live streams (this one stays). A wrong current password answers 403
    WRONG_PASSWORD and counts as a failed sign-in of the account
    (SIGN_IN_FAILURES_PER_ACCOUNT)."""
    user = ctx.session.user
    attempt = await hashing(ctx.work.runtime).admit_password(
        address=ctx.call.client_ip, account=account_email(user.email)
    )
    await AuthService(ctx.work).change_password(user.id, data.current_password, data.new_password)
    await attempt.succeeded()
    ended = await AuthService(ctx.work).end_sessions(user.id, keep=ctx.session.session_id)
    return PasswordChanged(ended_sessions=len(ended))


@procedures.procedure("auth.me", tier=PROTECTED)
async def me(ctx: UserContext, data: Empty) -> Me:
    """The signed-in user (``emailVerified`` among it) and their teams."""
    teams = await TeamService(ctx.work).teams_of(ctx.session.user.id)
    return Me(user=ctx.session.user, teams=teams)


@procedures.procedure("apiKeys.create", tier=TEAM_SENSITIVE, scope="admin", fresh_session=True)
async def create_api_key(ctx: TeamContext, data: CreateApiKeyInput) -> CreatedApiKey:
    """Create a team API key (admin; a session signed in within 10 minutes).

    The key is in this answer only; it is stored as a scrypt hash. ``scopes``: ``read`` (the
    procedures that only read), ``write`` (those that change subscribers, syncs and exports
    too) or ``admin`` (also keys, webhooks, connections and members); each includes the ones
    before, and without ``scopes`` a key is ``admin``, as every key was before scopes. Give the
    least the key needs. ``expiresAt`` or ``expiresInDays``: the key answers 401 from then on.
    ``ipAllowlist``: at most API_KEY_ALLOWLIST_MAX (100 by default) addresses or CIDR ranges.
    """
    ctx.require("admin")
    assert ctx.session is not None
    allowlist = _valid_cidrs(data.ip_allowlist, ctx.work.runtime.settings.api_key_allowlist_max)
    key, api_key = await AuthService(ctx.work).create_api_key(
        ctx.team_id,
        data.name,
        allowlist,
        ctx.session.user.id,
        scopes=_implied(data.scopes),
        expires_at=_expiry(data),
    )
    return CreatedApiKey(key=key, api_key=api_key)


@procedures.procedure("apiKeys.list", tier=TEAM, scope="admin")
async def list_api_keys(ctx: TeamContext, data: Empty) -> ApiKeyList:
    """The team's API keys (never the keys themselves)."""
    return ApiKeyList(items=await AuthService(ctx.work).list_api_keys())


@procedures.procedure(
    "apiKeys.revoke", idempotent=True, tier=TEAM, scope="admin", errors=(NotFound,)
)
async def revoke_api_key(ctx: TeamContext, data: IdInput) -> ApiKeyOut:
    """Revoke a key (admin): it stops working, and its live streams end, at once on this API
    process and within a second on the others."""
    ctx.require("admin")
    return await AuthService(ctx.work).revoke_api_key(ctx.team_id, data.id)


def _implied(scopes: list[Scope] | None) -> list[str]:
    """The scopes a key gets: the highest asked for and every one below it (admin if none)."""
    highest = max(SCOPES.index(s) for s in scopes) if scopes else len(SCOPES) - 1
    return list(SCOPES[: highest + 1])


def _expiry(data: CreateApiKeyInput) -> dt.datetime | None:
    """When the key stops working: ``expiresAt`` (in the future) or ``expiresInDays``."""
    now = dt.datetime.now(dt.UTC)
    if data.expires_at is not None and data.expires_in_days is not None:
        detail = "give expiresAt or expiresInDays, not both"
        raise ValidationFailed(detail, data=ValidationData(path="$.expiresInDays", detail=detail))
    if data.expires_at is not None:
        if data.expires_at <= now:
            detail = "must be in the future"
            raise ValidationFailed(
                f"expiresAt {detail}", data=ValidationData(path="$.expiresAt", detail=detail)
            )
        return data.expires_at
    if data.expires_in_days is not None:
        return now + dt.timedelta(days=data.expires_in_days)
    return None


def _valid_cidrs(cidrs: list[str] | None, maximum: int) -> list[str] | None:
    """The allowlist normalized (each network once), or VALIDATION_FAILED naming the entry at
    fault, or the list when it is longer than API_KEY_ALLOWLIST_MAX."""
    import ipaddress

    if not cidrs:
        return None
    if len(cidrs) > maximum:
        detail = f"at most {maximum} entries (API_KEY_ALLOWLIST_MAX); got {len(cidrs)}"
        raise ValidationFailed(
            f"ipAllowlist: {detail}", data=ValidationData(path="$.ipAllowlist", detail=detail)
        )
    out: list[str] = []
    for index, cidr in enumerate(cidrs):
        try:
            out.append(str(ipaddress.ip_network(cidr.strip(), strict=False)))
        except ValueError:
            path = f"$.ipAllowlist[{index}]"
            raise ValidationFailed(
                f"{cidr!r} is not an IP address or CIDR range",
                data=ValidationData(path=path, detail="not an IP address or CIDR range"),
            ) from None
    return list(dict.fromkeys(out))
