"""The public API surface: every procedure, and its OpenAPI document."""

from __future__ import annotations

from typing import Any

from app.auth import procedures as auth
from app.auth.tiers import SECURITY_SCHEMES
from app.exports import procedures as exports
from app.feed import procedures as feed
from app.subscribers import procedures as subscribers
from app.sync import procedures as sync
from app.teams import procedures as teams
from app.usage import procedures as usage
from app.webhooks import procedures as webhooks
from rpc import Registry, openapi_document

__all__ = ["API_VERSION", "build_registry", "openapi_spec"]

API_VERSION = "1.0.0"
_DESCRIPTION = (
    "Every procedure is `POST /rpc/<name>` with a JSON body; errors are "
    '`{"code", "message", "data"}` with the status of their code.'
)


def build_registry() -> Registry:
    return Registry().include(
        auth.procedures,
        teams.procedures,
        sync.procedures,
        subscribers.procedures,
        exports.procedures,
        usage.procedures,
        webhooks.procedures,
        feed.procedures,
    )


def openapi_spec(registry: Registry) -> dict[str, Any]:
    return openapi_document(
        registry,
        title="SubscriberNest API",
        version=API_VERSION,
        security_schemes=SECURITY_SCHEMES,
        description=_DESCRIPTION,
    )
