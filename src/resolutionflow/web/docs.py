"""The interactive API docs (/docs, /redoc) served from this site: the viewers' files come
from the fastapi-offline package, so the docs work with no internet access and the pages
need no script from elsewhere, and no inline script either."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"

# Swagger UI starts from this file rather than an inline script, so the docs' content
# security policy can keep script-src to this site.
_SWAGGER_START = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "%(openapi)s",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
"""


def _page(title: str, head: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}'
        f'</title><link rel="icon" href="/static/logo.svg" type="image/svg+xml">{head}</head>'
        f"<body>{body}</body></html>"
    )


def install_docs(app: FastAPI) -> None:
    """Add /docs, /redoc and their assets to an app made with docs_url=redoc_url=None."""
    openapi = app.openapi_url or "/openapi.json"
    title = app.title
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(
            _page(
                f"{title} · API docs",
                f'<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">',
                f'<div id="swagger-ui"></div><script src="{ASSETS_URL}/swagger-ui-bundle.js">'
                '</script><script src="/docs/start.js"></script>',
            )
        )

    @app.get("/docs/start.js", include_in_schema=False)
    async def swagger_start() -> Response:
        return Response(_SWAGGER_START % {"openapi": openapi}, media_type="text/javascript")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return HTMLResponse(
            _page(
                f"{title} · API reference",
                "<style>body{margin:0}</style>",
                f'<redoc spec-url="{openapi}"></redoc>'
                f'<script src="{ASSETS_URL}/redoc.standalone.js"></script>',
            )
        )
