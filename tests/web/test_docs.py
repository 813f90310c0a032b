"""The API docs are served from this site: no CDN, no inline script, assets from the package."""

from __future__ import annotations

import re

import httpx


async def test_docs_and_their_assets_come_from_this_site(anon: httpx.AsyncClient) -> None:
    for url in ("/docs", "/redoc"):
        page = await anon.get(url)
        assert page.status_code == 200, url
        assert "cdn." not in page.text and "https://" not in page.text, url
        assert not re.search(r"<script>(?!</script>)", page.text)  # every script is a file
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "http" not in policy, policy
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
            got = await anon.get(asset)
            assert got.status_code == 200 and len(got.content) > 20, asset
    start = await anon.get("/docs/start.js")
    assert "/openapi.json" in start.text and start.headers["content-type"].startswith(
        "text/javascript"
    )
    assert (await anon.get("/openapi.json")).status_code == 200
