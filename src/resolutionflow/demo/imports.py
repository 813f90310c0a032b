"""The demo's look at existing knowledge coming in: a few HaloPSA tickets and two articles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from resolutionflow.accounts.service import get_account
from resolutionflow.config import Settings
from resolutionflow.db import unit_of_work
from resolutionflow.imports import article_service, psa
from resolutionflow.imports.files import load_export
from resolutionflow.imports.vendors import vendor_module

DATA = Path(__file__).parent / "data"


async def load_demo_imports(settings: Settings, *, account_slug: str) -> dict[str, Any]:
    """Import the sample PSA export and articles; return what was stored."""
    module = vendor_module("halopsa")
    records, lookups = load_export(module, (DATA / "psa_halopsa.json").read_text("utf-8"))
    articles = [
        (path.name.removeprefix("article_"), path.read_text("utf-8"))
        for path in sorted(DATA.glob("article_*"))
    ]
    async with unit_of_work(settings) as db:
        account = await get_account(db, slug=account_slug)
        tickets = await psa.import_records(
            db, account=account, vendor=module, records=records, lookups=lookups
        )
        results = await article_service.import_articles(db, account=account, articles=articles)
    return {
        "tickets": tickets.as_dict(),
        "articles": [r.as_dict() for r in results],
    }
