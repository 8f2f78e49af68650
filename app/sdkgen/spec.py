"""The OpenAPI document the SDKs are generated from: ``openapi_spec(build_registry())``."""

from __future__ import annotations

from typing import Any

__all__ = ["load_document"]


def load_document() -> dict[str, Any]:
    """The product's OpenAPI document, as the API serves it."""
    from app.api import build_registry, openapi_spec

    return openapi_spec(build_registry())
