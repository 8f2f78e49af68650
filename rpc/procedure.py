"""Declaring procedures: name, input and output Structs, errors, auth tier, rate limit."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, get_args, get_type_hints

import msgspec
from litestar import Request
from litestar.datastructures import Cookie

from rpc.errors import (
    DomainError,
    IdempotencyKeyReused,
    InternalError,
    PayloadTooLarge,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
)
from rpc.idempotency import IdempotencyStore
from rpc.masking import Masked, secret_fields

__all__ = [
    "SCOPES",
    "Call",
    "Input",
    "Output",
    "Procedure",
    "RateLimit",
    "Registry",
    "Scope",
    "Tier",
    "scope_allows",
]

CtxT = TypeVar("CtxT")
InT = TypeVar("InT", bound=msgspec.Struct)
OutT = TypeVar("OutT", bound=msgspec.Struct)
_NAME = re.compile(r"^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$")

# What a scoped credential (an API key) may do, each scope including the ones before it: a
# procedure declares the least it needs; a tier with ``scoped=True`` checks it.
Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = get_args(Scope)


def scope_allows(granted: str, required: str) -> bool:
    """Whether a credential whose highest scope is ``granted`` may call what needs ``required``."""
    return granted in SCOPES and SCOPES.index(granted) >= SCOPES.index(required)


class Input(Masked, msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    """Base of procedure inputs: camelCase on the wire, unknown fields rejected, fields typed
    ``Annotated[..., SECRET]`` masked in reprs (rpc.masking)."""


class Output(Masked, msgspec.Struct, rename="camel", kw_only=True):
    """Base of procedure outputs and the Structs they contain: camelCase on the wire, secret
    fields masked in reprs."""


@dataclass(slots=True)
class Call:
    """What a tier and hooks see of one call."""

    procedure: Procedure[Any, Any, Any]
    request: Request[Any, Any, Any]
    client_ip: str
    request_id: str
    # The application's own object (RpcConfig.state): what tiers need to open work.
    state: Any = None
    # Filled in by tiers for the after-call hook (e.g. which API key made the call).
    facts: dict[str, Any] = field(default_factory=dict)
    # Cookies the response sets (e.g. a session cookie on sign-in).
    set_cookies: list[Cookie] = field(default_factory=list)
    # The values of the input's secret fields (rpc.masking): log lines of the call blank them.
    secrets: tuple[str, ...] = field(default=(), repr=False)
    # What the procedure's ``prepare`` step returned (None without one).
    prepared: Any = None

    @property
    def headers(self) -> Mapping[str, str]:
        """The request's headers (case-insensitive), parsed on first use."""
        return self.request.headers

    @property
    def cookies(self) -> Mapping[str, str]:
        """The request's cookies, parsed on first use (most calls never look)."""
        return self.request.cookies


@dataclass(frozen=True, slots=True)
class Tier(Generic[CtxT]):
    """Who may call, and the context a handler gets.

    ``enter(call)`` authenticates (raising DomainErrors such as Unauthenticated) and yields the
    handler's context; it is left after the handler returns, so it can hold a transaction.
    """

    name: str
    enter: Callable[[Call], AbstractAsyncContextManager[CtxT]]
    description: str = ""
    errors: tuple[type[DomainError], ...] = ()
    security: tuple[Mapping[str, list[str]], ...] = ()
    # What a procedure declared ``fresh_session=True`` may answer besides ``errors``; a tier
    # without any cannot check freshness, and the Registry refuses such a declaration.
    fresh_errors: tuple[type[DomainError], ...] = ()
    # Its procedures each declare a Scope, which ``enter`` checks against scoped credentials
    # (raising InsufficientScope, listed in ``errors`` by a tier that takes such credentials).
    scoped: bool = False
    # Where the keys of its procedures declared ``idempotent=True`` are kept (rpc.idempotency);
    # a tier without a store takes no such procedure.
    idempotency: IdempotencyStore[CtxT] | None = None


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``limit`` calls per ``window`` seconds per client IP and procedure."""

    limit: int
    window: int


@dataclass(frozen=True, slots=True)
class Procedure(Generic[CtxT, InT, OutT]):
    name: str
    input_type: type[InT]
    output_type: type[OutT]
    handler: Callable[[CtxT, InT], Awaitable[OutT]]
    tier: Tier[CtxT]
    errors: tuple[type[DomainError], ...]
    rate_limit: RateLimit | None
    status_code: int
    summary: str
    description: str
    # Slow work that must not run inside the tier's context (a transaction): see Registry.
    prepare: Callable[[Call, InT], Awaitable[object]] | None = None
    # The caller's sign-in must be recent (the tier checks it): see Registry.procedure.
    fresh_session: bool = False
    # The least scope a scoped credential needs (None when the tier takes no scoped one).
    scope: Scope | None = None
    # Takes an Idempotency-Key (rpc.idempotency): see Registry.procedure.
    idempotent: bool = False

    @property
    def all_errors(self) -> tuple[type[DomainError], ...]:
        """Every error the call may answer with, each once: the layer's own (bad input, too
        large, rate limited, key reused, unavailable, internal), the tier's and the
        procedure's."""
        layer: list[type[DomainError]] = [ValidationFailed, PayloadTooLarge]
        if self.rate_limit is not None:
            layer.append(RateLimited)
        if self.idempotent:
            layer.append(IdempotencyKeyReused)
        fresh = self.tier.fresh_errors if self.fresh_session else ()
        last = (ServiceUnavailable, InternalError)
        return tuple(dict.fromkeys((*layer, *self.tier.errors, *fresh, *self.errors, *last)))


class Registry:
    """The procedures of an application, by name."""

    def __init__(self) -> None:
        self._procedures: dict[str, Procedure[Any, Any, Any]] = {}

    def procedure(
        self,
        name: str,
        *,
        tier: Tier[CtxT],
        errors: tuple[type[DomainError], ...] = (),
        rate_limit: RateLimit | None = None,
        status_code: int = 200,
        prepare: Callable[[Call, Any], Awaitable[object]] | None = None,
        fresh_session: bool = False,
        scope: Scope | None = None,
        idempotent: bool = False,
    ) -> Callable[[Callable[[CtxT, InT], Awaitable[OutT]]], Callable[[CtxT, InT], Awaitable[OutT]]]:
        """Register ``async def handler(ctx, data: In) -> Out``; types come from its annotations.

        ``prepare(call, data)``, if given, runs after the input is decoded and before the tier
        enters (so before any transaction the tier opens): for slow work that must not hold
        what the tier holds, such as a DNS lookup. It may raise DomainErrors (list them in
        ``errors``); what it returns is ``call.prepared`` for the handler. It runs before the
        tier authenticates: a prepare step that must not serve anyone authenticates itself.

        ``fresh_session=True``: the caller must have signed in recently (how recently, and for
        which credentials, is the tier's rule; it reads ``call.procedure.fresh_session``). The
        OpenAPI operation says so (``x-fresh-session``) and lists the tier's ``fresh_errors``.

        ``scope``: the least scope a scoped credential needs, declared once here; required for
        a tier with ``scoped=True`` and refused for any other.

        ``idempotent=True``: the procedure writes, and takes an ``Idempotency-Key`` header
        (rpc.idempotency): a repeat with the key answers the first call's answer. Its tier needs
        an idempotency store, and its output may hold no secret field (the store would keep the
        secret in the clear for a day).
        """
        if fresh_session and not tier.fresh_errors:
            raise ValueError(f"{name}: tier {tier.name!r} cannot check a session's freshness")
        if tier.scoped != (scope is not None):
            raise ValueError(f"{name}: tier {tier.name!r} needs a scope iff it is scoped")
        if scope is not None and scope not in SCOPES:
            raise ValueError(f"{name}: scope {scope!r} is not one of {SCOPES}")
        if idempotent and tier.idempotency is None:
            raise ValueError(f"{name}: tier {tier.name!r} keeps no idempotency keys")

        def register(
            handler: Callable[[CtxT, InT], Awaitable[OutT]],
        ) -> Callable[[CtxT, InT], Awaitable[OutT]]:
            if not _NAME.match(name):
                raise ValueError(f"procedure name {name!r} must look like 'teams.create'")
            if name in self._procedures:
                raise ValueError(f"procedure {name!r} is registered twice")
            hints = get_type_hints(handler)
            params = list(inspect.signature(handler).parameters)
            if len(params) != 2 or "return" not in hints:
                raise TypeError(f"{name}: handler must be (ctx, data: Input) -> Output")
            input_type, output_type = hints[params[1]], hints["return"]
            for kind in (input_type, output_type):
                if not (isinstance(kind, type) and issubclass(kind, msgspec.Struct)):
                    raise TypeError(f"{name}: input and output must be msgspec Structs")
            if idempotent and secret_fields(output_type):
                raise ValueError(f"{name}: an answer with secrets cannot be kept for replay")
            # The summary is the docstring's first paragraph, however many lines it wraps over.
            summary, _, description = (inspect.getdoc(handler) or "").partition("\n\n")
            self._procedures[name] = Procedure(
                name=name,
                input_type=input_type,
                output_type=output_type,
                handler=handler,
                tier=tier,
                errors=errors,
                rate_limit=rate_limit,
                status_code=status_code,
                summary=" ".join(summary.split()),
                description=description.strip(),
                prepare=prepare,
                fresh_session=fresh_session,
                scope=scope,
                idempotent=idempotent,
            )
            return handler

        return register

    def include(self, *others: Registry) -> Registry:
        """Add the procedures of ``others`` (names must stay unique); returns self."""
        for other in others:
            for procedure in other:
                if procedure.name in self._procedures:
                    raise ValueError(f"procedure {procedure.name!r} is registered twice")
                self._procedures[procedure.name] = procedure
        return self

    def get(self, name: str) -> Procedure[Any, Any, Any] | None:
        return self._procedures.get(name)

    def __iter__(self) -> Iterator[Procedure[Any, Any, Any]]:
        return iter(sorted(self._procedures.values(), key=lambda p: p.name))

    def __len__(self) -> int:
        return len(self._procedures)
