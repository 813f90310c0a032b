"""Knowledge-base article upload: Markdown and HTML files become proposals in the review queue."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from resolutionflow.imports import article_service
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.tenancy.roles import require_reviewer
from resolutionflow.web.common import Form, PageRoute, Viewer, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SUFFIXES = (".md", ".markdown", ".html", ".htm")
MAX_FILES = 50


@router.get("/imports/articles")
async def articles_page(request: Request, viewer: Viewer, db: DB) -> Response:
    require_reviewer(viewer.role)
    return await render(
        request, "import_articles.html", viewer=viewer, db=db, results=None, problems=[]
    )


@router.post("/imports/articles")
async def upload_articles(
    request: Request, viewer: Viewer, form: Form, db: DB, settings: AppSettings
) -> Response:
    require_reviewer(viewer.role)
    files = [f for f in form.getlist("articles") if isinstance(f, UploadFile) and f.filename]
    problems: list[str] = []
    articles: list[tuple[str, str]] = []
    if not files:
        problems.append("Choose one or more .md or .html files.")
    for upload in files[:MAX_FILES]:
        name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        if not name.lower().endswith(SUFFIXES):
            problems.append(f"{name}: only .md and .html articles can be imported")
            continue
        raw = await upload.read(article_service.MAX_ARTICLE_BYTES + 1)
        try:
            articles.append((name, raw.decode("utf-8-sig")))
        except UnicodeDecodeError:
            problems.append(f"{name}: not UTF-8 text")
    if len(files) > MAX_FILES:
        problems.append(f"At most {MAX_FILES} files at a time; the rest were not read.")
    results = []
    if articles:
        provider = None
        if settings.ai_provider != "offline":
            from resolutionflow.ai.registry import get_provider

            provider = get_provider(settings)
        try:
            results = await article_service.import_articles(
                db, account=viewer.account, articles=articles, provider=provider
            )
        finally:
            if provider is not None:
                from resolutionflow.ai.base import close_provider

                await close_provider(provider)
        await db.commit()
    status = 200 if results or not problems else 422
    return await render(
        request,
        "import_articles.html",
        viewer=viewer,
        db=db,
        results=results,
        problems=problems,
        status_code=status,
    )
