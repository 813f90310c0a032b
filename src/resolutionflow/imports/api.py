"""Import routes: PSA files, connectors and their pulls, webhooks, knowledge-base articles."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Request

from resolutionflow.accounts import service as accounts_service
from resolutionflow.errors import BadRequest, Invalid, Problem, Unauthorized
from resolutionflow.imports import article_service, connectors, psa, webhooks
from resolutionflow.imports.schemas import ArticlesIn, ConnectorIn, PsaSummaryRead
from resolutionflow.imports.vendors import VENDORS, vendor_module
from resolutionflow.imports.vendors.common import Lookups
from resolutionflow.models import Account
from resolutionflow.tenancy.deps import DB, Admin, AppSettings, Reviewer

router = APIRouter(prefix="/imports", tags=["imports"])


def _module(vendor: str) -> Any:
    try:
        return vendor_module(vendor)
    except ValueError as exc:
        raise Invalid("unknown vendor", problems=[Problem("vendor", str(exc))]) from None


@router.post(
    "/psa/{vendor}",
    response_model=PsaSummaryRead,
    summary="Import a PSA export: a JSON array of tickets or a bundle (team admin, admin)",
)
async def import_psa(vendor: str, request: Request, principal: Reviewer, db: DB) -> Any:
    module = _module(vendor)
    try:
        data = json.loads(await request.body())
        records, lookups = module.bundle(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("the body is not JSON", problems=[Problem("body", "not JSON")]) from None
    except ValueError as exc:
        raise Invalid("the body is not an export", problems=[Problem("body", str(exc))]) from None
    summary = await psa.import_records(
        db, account=principal.account, vendor=module, records=records, lookups=lookups
    )
    await db.commit()
    return summary.as_dict()


@router.get("/connectors", summary="Connectors and where their pulls stand (admin)")
async def list_connectors(principal: Admin, db: DB) -> list[dict[str, Any]]:
    out = []
    for vendor in VENDORS:
        try:
            shown = connectors.describe(principal.account, vendor)
        except BadRequest:
            continue
        mark = await connectors.cursor(db, account=principal.account, vendor=vendor)
        out.append({**shown, "cursor": connectors.cursor_dict(mark)})
    await db.commit()
    return out


@router.put("/connectors/{vendor}", summary="Set up a pull connector (admin)")
async def put_connector(vendor: str, body: ConnectorIn, principal: Admin, db: DB) -> Any:
    account = await db.get(Account, principal.account.id)
    if account is None:
        raise BadRequest("the account is gone")
    shown = connectors.configure(
        account,
        vendor=vendor,
        base_url=body.base_url,
        credentials=body.credentials,
        webhook_secret=body.webhook_secret,
    )
    await db.commit()
    return shown


@router.post("/connectors/{vendor}/pull", summary="Pull updated tickets, a few pages (admin)")
async def pull(
    vendor: str,
    principal: Admin,
    db: DB,
    max_pages: int = Query(default=10, ge=1, le=100),
    page_size: int = Query(default=100, ge=1, le=1000),
) -> Any:
    _module(vendor)
    account = principal.account
    total = psa.PsaSummary(vendor=vendor)
    done = False
    async with connectors.client_for(account, vendor, page_size=page_size) as client:
        for _ in range(max_pages):
            try:
                result = await connectors.pull_page(
                    db, account=account, vendor=vendor, client=client
                )
            except BadRequest as exc:
                await db.rollback()
                await connectors.record_failure(
                    db, account=account, vendor=vendor, error=exc.message
                )
                await db.commit()
                raise
            await db.commit()  # each page stays imported; the cursor says where to go on
            total.add(result.summary)
            if result.done:
                done = True
                break
    return {**total.as_dict(), "done": done}


@router.post(
    "/webhooks/{vendor}/{account_slug}",
    include_in_schema=True,
    summary="A PSA's ticket webhook, checked by the vendor's signature",
)
async def webhook(
    vendor: str, account_slug: str, request: Request, db: DB, settings: AppSettings
) -> Any:
    module = _module(vendor)
    body = await request.body()
    account = await accounts_service.find_account(db, slug=account_slug)
    # An unknown account gets the same answer as a bad signature: slugs are not revealed.
    secret = connectors.webhook_secret(account, vendor) if account is not None else None
    header = request.headers.get(webhooks.SIGNATURE_HEADERS[vendor])
    webhooks.verify(vendor, secret, header, body)
    if account is None:
        raise Unauthorized("the webhook's signature is missing or not valid")
    record, actions = webhooks.ticket_record(vendor, body)
    lookups = Lookups()
    if actions:
        lookups.add_related(
            "actions", "ticket_id", [{**a, "ticket_id": record.get("id")} for a in actions]
        )
    summary = await psa.import_records(
        db, account=account, vendor=module, records=[record], lookups=lookups
    )
    if summary.errors:
        await db.rollback()
        raise Invalid(
            "the ticket in the webhook cannot be imported",
            problems=[Problem(e.field, e.message) for e in summary.errors],
        )
    await db.commit()
    return summary.as_dict()


@router.post("/articles", summary="Propose flows from knowledge-base articles (team admin, admin)")
async def import_articles(
    body: ArticlesIn, principal: Reviewer, db: DB, settings: AppSettings
) -> list[dict[str, Any]]:
    provider = None
    if settings.ai_provider != "offline":
        from resolutionflow.ai.registry import get_provider

        provider = get_provider(settings)
    try:
        results = await article_service.import_articles(
            db,
            account=principal.account,
            articles=[(a.name, a.text) for a in body.articles],
            provider=provider,
        )
    finally:
        if provider is not None:
            from resolutionflow.ai.base import close_provider

            await close_provider(provider)
    await db.commit()
    return [r.as_dict() for r in results]
