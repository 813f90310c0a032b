"""The article upload page: reviewers only, CSRF checked, results listed, queue filled once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import FlowProposal
from tests.fixtures.web import WebWorld

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"


def _files(*names: str) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("articles", (n, (ARTICLES / n).read_bytes(), "text/markdown")) for n in names]


async def _count(db: AsyncSession) -> int:
    await db.rollback()
    return int((await db.execute(select(func.count()).select_from(FlowProposal))).scalar_one())


async def test_upload_articles(web: WebWorld, db: AsyncSession) -> None:
    lead = web.team_admin
    page = await lead.client.get("/imports/articles")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    engineer = await web.engineer.client.get("/imports/articles")
    assert engineer.status_code == 403

    files = [
        *_files("printer-troubleshooting.md", "vpn-checks.html"),
        ("articles", ("notes.txt", b"hello", "text/plain")),
    ]
    no_csrf = await lead.client.post("/imports/articles", files=files)
    assert no_csrf.status_code == 403
    assert await _count(db) == 0

    done = await lead.client.post("/imports/articles", files=files, data={"csrf_token": lead.csrf})
    assert done.status_code == 200, done.text[:500]
    assert "Printer troubleshooting" in done.text and "VPN client will not connect" in done.text
    assert "notes.txt: only .md and .html articles can be imported" in done.text
    assert "<script>alert" not in done.text
    assert await _count(db) == 2

    again = await lead.client.post("/imports/articles", files=files, data={"csrf_token": lead.csrf})
    assert again.text.count("Already imported") == 2
    assert await _count(db) == 2
    empty = await lead.client.post("/imports/articles", data={"csrf_token": lead.csrf})
    assert empty.status_code == 422 and "Choose one or more" in empty.text
