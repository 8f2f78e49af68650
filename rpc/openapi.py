"""OpenAPI 3.1 for a Registry: every procedure with its input, output, security and errors.

Each error code is its own schema; a procedure's error responses are a union discriminated on
``code``. The same document drives the generated SDKs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import msgspec

from rpc.errors import DomainError
from rpc.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH, REPLAYED_HEADER
from rpc.procedure import Procedure, Registry

__all__ = ["error_schema_name", "openapi_document"]

_REF = "#/components/schemas/{name}"


def error_schema_name(error: type[DomainError]) -> str:
    name = error.__name__
    return name if name.endswith("Error") else f"{name}Error"


def openapi_document(
    registry: Registry,
    *,
    title: str,
    version: str,
    security_schemes: Mapping[str, Mapping[str, Any]],
    path: str = "/rpc",
    description: str = "",
) -> dict[str, Any]:
    procedures = list(registry)
    errors = {e for p in procedures for e in p.all_errors}
    types: list[Any] = [p.input_type for p in procedures]
    types += [p.output_type for p in procedures]
    types += [e.data_type for e in errors]
    _, components = msgspec.json.schema_components(types, ref_template=_REF)
    components = {name: _one_of(schema) for name, schema in components.items()}
    for error in sorted(errors, key=lambda e: e.code):
        components[error_schema_name(error)] = _error_schema(error)
    paths = {f"{path}/{p.name}": {"post": _operation(p)} for p in procedures}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": dict(security_schemes)},
        "tags": [{"name": t} for t in sorted({p.name.split(".")[0] for p in procedures})],
    }


def _one_of(schema: Any) -> Any:
    """``schema`` with each discriminated union (msgspec writes ``anyOf``) as ``oneOf``: a
    value matches exactly one member, the one its discriminator names."""
    if isinstance(schema, list):
        return [_one_of(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _one_of(value) for key, value in schema.items()}
    if "discriminator" in out and "anyOf" in out:
        out["oneOf"] = out.pop("anyOf")
    return out


def _ref(kind: type[Any]) -> dict[str, str]:
    return {"$ref": _REF.format(name=kind.__name__)}


def _error_schema(error: type[DomainError]) -> dict[str, Any]:
    return {
        "type": "object",
        "title": error_schema_name(error),
        "description": error.default_message,
        "properties": {
            "code": {"const": error.code, "type": "string"},
            "message": {"type": "string"},
            "data": _ref(error.data_type),
        },
        "required": ["code", "message", "data"],
        "x-status": error.status,
    }


def _operation(procedure: Procedure[Any, Any, Any]) -> dict[str, Any]:
    by_status: dict[int, list[type[DomainError]]] = defaultdict(list)
    for error in procedure.all_errors:
        by_status[error.status].append(error)
    success: dict[str, Any] = {
        "description": "OK",
        "content": {"application/json": {"schema": _ref(procedure.output_type)}},
    }
    if procedure.idempotent:
        success["headers"] = {REPLAYED_HEADER: _REPLAYED}
    responses: dict[str, Any] = {str(procedure.status_code): success}
    for status, group in sorted(by_status.items()):
        refs = [{"$ref": _REF.format(name=error_schema_name(e))} for e in group]
        schema: dict[str, Any] = {
            "oneOf": refs,
            "discriminator": {
                "propertyName": "code",
                "mapping": {e.code: _REF.format(name=error_schema_name(e)) for e in group},
            },
        }
        responses[str(status)] = {
            "description": ", ".join(e.code for e in group),
            "content": {"application/json": {"schema": schema}},
        }
    operation: dict[str, Any] = {
        "operationId": procedure.name,
        "tags": [procedure.name.split(".")[0]],
        "summary": procedure.summary or procedure.name,
        "description": _description(procedure),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref(procedure.input_type)}},
        },
        "responses": responses,
        "security": [dict(s) for s in procedure.tier.security],
        "x-tier": procedure.tier.name,
    }
    if procedure.idempotent:
        operation["parameters"] = [_IDEMPOTENCY_KEY]
    if procedure.fresh_session:
        operation["x-fresh-session"] = True
    if procedure.scope is not None:
        operation["x-scope"] = procedure.scope
    return operation


_IDEMPOTENCY_KEY = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Makes the call safe to send again: a repeat with this key within the retention window "
        "answers the first call's answer (marked `Idempotent-Replayed: true`) without doing it "
        "twice; the key with another input answers 422 IDEMPOTENCY_KEY_REUSED. One fresh key per "
        "logical call (a UUID), the same one on each of its retries."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": KEY_PATTERN,
    },
}
_REPLAYED = {
    "description": "`true` when this is the kept answer of an earlier call with the same key",
    "schema": {"type": "string", "enum": ["true"]},
}


def _description(procedure: Procedure[Any, Any, Any]) -> str:
    if procedure.scope is None:
        return procedure.description
    scope = f"Scope: `{procedure.scope}` (what a scoped credential, such as an API key, needs)."
    return f"{procedure.description}\n\n{scope}" if procedure.description else scope
