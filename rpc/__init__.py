"""A generic typed-procedure layer on Litestar and msgspec. Imports nothing from ``app``.

Declare procedures on a :class:`Registry` with an auth :class:`Tier`, serve them with
:func:`rpc_routes`, describe them with :func:`openapi_document` and document them with
:func:`docs_routes`. Writes declared ``idempotent=True`` take an ``Idempotency-Key``
(:mod:`rpc.idempotency`).
"""

from rpc.docs import DOCS_CSP, docs_routes
from rpc.errors import (
    DomainError,
    EmptyData,
    Forbidden,
    IdempotencyKeyReused,
    InsufficientScope,
    InsufficientScopeData,
    InternalError,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    RateLimitedData,
    ServiceUnavailable,
    ServiceUnavailableData,
    Unauthenticated,
    ValidationData,
    ValidationFailed,
)
from rpc.idempotency import Answer, Claim, IdempotencyStore, Kept
from rpc.masking import (
    MASK,
    SECRET,
    Masked,
    Secret,
    mask_url_passwords,
    reveal,
    secret_fields,
    secret_values,
)
from rpc.openapi import error_schema_name, openapi_document
from rpc.procedure import (
    SCOPES,
    Call,
    Input,
    Output,
    Procedure,
    RateLimit,
    Registry,
    Scope,
    Tier,
    scope_allows,
)
from rpc.ratelimit import RateLimiter
from rpc.server import CURRENT_CALL, RpcConfig, rpc_routes
from rpc.unavailable import Unavailability

__all__ = [
    "CURRENT_CALL",
    "DOCS_CSP",
    "MASK",
    "SCOPES",
    "SECRET",
    "Answer",
    "Call",
    "Claim",
    "DomainError",
    "EmptyData",
    "Forbidden",
    "IdempotencyKeyReused",
    "IdempotencyStore",
    "Input",
    "InsufficientScope",
    "InsufficientScopeData",
    "InternalError",
    "Kept",
    "Masked",
    "NotFound",
    "Output",
    "PayloadTooLarge",
    "Procedure",
    "RateLimit",
    "RateLimited",
    "RateLimitedData",
    "RateLimiter",
    "Registry",
    "RpcConfig",
    "Scope",
    "Secret",
    "ServiceUnavailable",
    "ServiceUnavailableData",
    "Tier",
    "Unauthenticated",
    "Unavailability",
    "ValidationData",
    "ValidationFailed",
    "docs_routes",
    "error_schema_name",
    "mask_url_passwords",
    "openapi_document",
    "reveal",
    "rpc_routes",
    "scope_allows",
    "secret_fields",
    "secret_values",
]
