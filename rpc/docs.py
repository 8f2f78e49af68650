"""The interactive API documentation: a Swagger UI page for an OpenAPI document, with its
assets served from this package (rpc/swagger_ui, a pinned Swagger UI) and a
Content-Security-Policy that lets the page run scripts and styles of its own origin only."""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from litestar import MediaType, get
from litestar.exceptions import NotFoundException
from litestar.response import Response
from litestar.types import ControllerRouterHandler

__all__ = ["DOCS_CSP", "docs_routes", "swagger_page"]

ASSETS = Path(__file__).parent / "swagger_ui"
# What may be fetched under <path>/assets/, and as what (nothing else of the folder).
_SERVED = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-init.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}
# Scripts, styles, the document and "Try it out" calls from this origin only; Swagger UI's
# icons are data: images in its stylesheet. No frames, no plugins, no <base>.
DOCS_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
_NOSNIFF = {"X-Content-Type-Options": "nosniff"}


@functools.cache
def _asset(name: str) -> bytes:
    return (ASSETS / name).read_bytes()


def swagger_page(spec_url: str, title: str, assets_url: str) -> str:
    """The page (Swagger UI) for the document at ``spec_url``, its files at ``assets_url``."""
    spec, assets = html.escape(spec_url), html.escape(assets_url)
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <link rel="icon" href="data:,">
  <title>{html.escape(title)}</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
  <div id="ui" data-spec-url="{spec}"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script src="{assets}/swagger-init.js"></script>
</body>
</html>
"""


def docs_routes(path: str, spec: Mapping[str, Any], title: str) -> list[ControllerRouterHandler]:
    """``GET <path>`` (the page), ``<path>/openapi.json`` (``spec``), ``<path>/assets/<file>``."""
    page = swagger_page(f"{path}/openapi.json", title, f"{path}/assets")
    document = dict(spec)

    @get(path, media_type=MediaType.HTML, sync_to_thread=False, include_in_schema=False)
    def docs_page() -> Response[str]:
        """Interactive API documentation."""
        return Response(page, headers={"Content-Security-Policy": DOCS_CSP, **_NOSNIFF})

    @get(f"{path}/openapi.json", sync_to_thread=False, include_in_schema=False)
    def openapi_json() -> dict[str, Any]:
        """The OpenAPI 3.1 document of every procedure."""
        return document

    @get(f"{path}/assets/{{name:str}}", sync_to_thread=False, include_in_schema=False)
    def docs_asset(name: str) -> Response[bytes]:
        """One of the page's files."""
        media_type = _SERVED.get(name)
        if media_type is None:
            raise NotFoundException()
        return Response(
            _asset(name),
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=3600", **_NOSNIFF},
        )

    return [docs_page, openapi_json, docs_asset]
