"""Typed errors: each has a stable ``code``, an HTTP status and a typed ``data`` Struct.

Services raise them; only the rpc layer turns them into responses
``{"code": ..., "message": ..., "data": {...}}``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

__all__ = [
    "DomainError",
    "EmptyData",
    "ErrorBody",
    "Forbidden",
    "IdempotencyKeyReused",
    "InsufficientScope",
    "InsufficientScopeData",
    "InternalError",
    "InternalErrorData",
    "NotFound",
    "PayloadTooLarge",
    "PayloadTooLargeData",
    "RateLimited",
    "RateLimitedData",
    "ServiceUnavailable",
    "ServiceUnavailableData",
    "Unauthenticated",
    "ValidationData",
    "ValidationFailed",
]


class EmptyData(msgspec.Struct, rename="camel"):
    """No details beyond the code and message."""


class DomainError(Exception):
    """Base of every error a procedure may answer with.

    Subclasses set ``code`` (stable, UPPER_SNAKE), ``status`` and, when they carry details,
    ``data_type`` (a Struct); ``data`` must be an instance of it.
    """

    code: ClassVar[str] = "DOMAIN_ERROR"
    status: ClassVar[int] = 422
    data_type: ClassVar[type[msgspec.Struct]] = EmptyData
    default_message: ClassVar[str] = "the request cannot be carried out"

    def __init__(self, message: str | None = None, *, data: msgspec.Struct | None = None) -> None:
        self.message = message or self.default_message
        self.data = data if data is not None else self.data_type()
        if not isinstance(self.data, self.data_type):
            raise TypeError(f"{type(self).__name__} data must be {self.data_type.__name__}")
        super().__init__(self.message)

    def body(self) -> ErrorBody:
        return ErrorBody(code=self.code, message=self.message, data=self.data)


class ErrorBody(msgspec.Struct):
    code: str
    message: str
    data: Any


class ValidationData(msgspec.Struct, rename="camel"):
    path: str
    detail: str


class ValidationFailed(DomainError):
    code = "VALIDATION_FAILED"
    status = 400
    data_type = ValidationData
    default_message = "the input is not valid"

    @classmethod
    def of(cls, exc: msgspec.ValidationError) -> ValidationFailed:
        """From msgspec's error, whose message ends with " - at `$.path`"."""
        detail, sep, path = str(exc).rpartition(" - at `")
        if not sep:
            detail, path = str(exc), "$`"
        path = path.rstrip("`")
        return cls(
            f"invalid input at {path}: {detail}", data=ValidationData(path=path, detail=detail)
        )


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
    status = 401
    default_message = "sign in or send a valid API key"


class Forbidden(DomainError):
    code = "FORBIDDEN"
    status = 403
    default_message = "you may not do this"


class InsufficientScopeData(msgspec.Struct, rename="camel"):
    required: str
    granted: str


class InsufficientScope(DomainError):
    """A credential with scopes (an API key) that lacks the one the procedure declares."""

    code = "INSUFFICIENT_SCOPE"
    status = 403
    data_type = InsufficientScopeData
    default_message = "this credential's scope does not allow this procedure"


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404
    default_message = "not found"


class PayloadTooLargeData(msgspec.Struct, rename="camel"):
    max_bytes: int


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413
    data_type = PayloadTooLargeData
    default_message = "the request body is too large"


class RateLimitedData(msgspec.Struct, rename="camel"):
    retry_after: int


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    status = 429
    data_type = RateLimitedData
    default_message = "too many requests; retry later"


class ServiceUnavailableData(msgspec.Struct, rename="camel"):
    retry_after: int


class ServiceUnavailable(DomainError):
    """A server the call needs (a database, a queue) cannot be reached: nothing was done that
    the answer does not say, and the same call may be sent again after ``retryAfter`` seconds
    (also the ``Retry-After`` header)."""

    code = "SERVICE_UNAVAILABLE"
    status = 503
    data_type = ServiceUnavailableData
    default_message = "the service is unavailable for a moment; retry after Retry-After seconds"


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key already kept for a call with another input or procedure, or by
    another caller: a key names one call; send a new key for a new call."""

    code = "IDEMPOTENCY_KEY_REUSED"
    status = 422
    default_message = (
        "this Idempotency-Key was used for a different request; use a new key for a new request"
    )


class InternalErrorData(msgspec.Struct, rename="camel"):
    request_id: str


class InternalError(DomainError):
    code = "INTERNAL"
    status = 500
    data_type = InternalErrorData
    default_message = "internal error; quote the request id when reporting it"
