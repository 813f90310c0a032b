"""Pull connectors: PSA address and sealed credentials in account settings, a cursor per vendor.

A pull takes one page at a time (`pull_page`), each page a unit the caller commits, so a pull
that stops (an error, a restart) goes on from the page it had reached. Tickets are asked for
by updated time after the last completed run; re-pulling the same tickets changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import BadRequest, Invalid, Problem
from resolutionflow.imports import psa
from resolutionflow.imports import repository as repo
from resolutionflow.imports.clients import CLIENTS, REQUIRED_CREDENTIALS, BaseClient
from resolutionflow.imports.credentials import seal, unseal
from resolutionflow.imports.ticket import parse_time
from resolutionflow.imports.vendors import vendor_module
from resolutionflow.models import Account, ImportCursor
from resolutionflow.models.base import utcnow

SETTINGS_KEY = "psa_connectors"


def _check_vendor(vendor: str) -> None:
    if vendor not in CLIENTS:
        raise Invalid(
            "unknown vendor",
            problems=[Problem("vendor", f"'{vendor}' is not one of {', '.join(sorted(CLIENTS))}")],
        )


def base_url_problems(url: str) -> list[Problem]:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [Problem("base_url", "must be an http(s) address such as https://psa.example.com")]
    if parts.username or parts.password:
        return [Problem("base_url", "must not carry credentials; give them as credentials")]
    if parts.query or parts.fragment:
        return [Problem("base_url", "must not have a query or fragment")]
    return []


def configure(
    account: Account,
    *,
    vendor: str,
    base_url: str,
    credentials: dict[str, Any],
    webhook_secret: str | None = None,
) -> dict[str, Any]:
    """Store (replace) a vendor's connector; credentials are sealed before they are kept."""
    _check_vendor(vendor)
    problems = base_url_problems(base_url)
    for key in REQUIRED_CREDENTIALS[vendor]:
        value = credentials.get(key)
        if not isinstance(value, str | int) or not str(value).strip():
            problems.append(Problem(f"credentials.{key}", "is required"))
    extra = set(credentials) - set(REQUIRED_CREDENTIALS[vendor]) - {"tenant"}
    problems += [Problem(f"credentials.{k}", "is not used by this vendor") for k in sorted(extra)]
    if problems:
        raise Invalid(f"the {vendor} connector is not valid", problems=problems)
    entry: dict[str, Any] = {
        "base_url": base_url.strip().rstrip("/"),
        "credentials": seal({k: str(v).strip() for k, v in credentials.items()}),
    }
    if webhook_secret:
        entry["webhook_secret"] = seal({"secret": webhook_secret})
    connectors = dict((account.settings or {}).get(SETTINGS_KEY) or {})
    connectors[vendor] = entry
    # A new dict, so the JSON column is seen as changed.
    account.settings = {**(account.settings or {}), SETTINGS_KEY: connectors}
    return describe(account, vendor)


def _entry(account: Account, vendor: str) -> dict[str, Any]:
    _check_vendor(vendor)
    entry = ((account.settings or {}).get(SETTINGS_KEY) or {}).get(vendor)
    if not entry:
        raise BadRequest(f"no {vendor} connector is set up for this account")
    return dict(entry)


def describe(account: Account, vendor: str) -> dict[str, Any]:
    """What an admin may see of a connector: never the credentials themselves."""
    entry = _entry(account, vendor)
    return {
        "vendor": vendor,
        "base_url": entry["base_url"],
        "credentials": sorted(unseal(entry["credentials"])),
        "webhook_secret_set": bool(entry.get("webhook_secret")),
    }


def webhook_secret(account: Account, vendor: str) -> str | None:
    entry = ((account.settings or {}).get(SETTINGS_KEY) or {}).get(vendor) or {}
    sealed = entry.get("webhook_secret")
    return str(unseal(sealed)["secret"]) if sealed else None


def client_for(
    account: Account,
    vendor: str,
    *,
    page_size: int = 100,
    transport: httpx.AsyncBaseTransport | None = None,
    **kw: Any,
) -> BaseClient:
    entry = _entry(account, vendor)
    return CLIENTS[vendor](
        entry["base_url"],
        unseal(entry["credentials"]),
        page_size=page_size,
        transport=transport,
        **kw,
    )


@dataclass
class PageResult:
    summary: psa.PsaSummary
    done: bool
    cursor: ImportCursor


async def cursor(db: AsyncSession, *, account: Account, vendor: str) -> ImportCursor:
    found = await repo.cursor_for(db, account.id, vendor)
    if found is None:
        found = await repo.add_cursor(
            db,
            ImportCursor(account_id=account.id, vendor=vendor, tickets_seen=0, updated_at=utcnow()),
        )
    return found


async def pull_page(
    db: AsyncSession, *, account: Account, vendor: str, client: BaseClient
) -> PageResult:
    """Fetch and import the next page of updated tickets, and move the cursor past it."""
    module = vendor_module(vendor)
    mark = await cursor(db, account=account, vendor=vendor)
    page = await client.page(mark.updated_since, mark.next_page)
    summary = await psa.import_records(
        db,
        account=account,
        vendor=module,
        records=page.records,
        lookups=page.lookups,
        first_number=mark.tickets_seen + 1,
    )
    high = mark.run_high_mark
    for record in page.records:
        stamp = parse_time(
            module.updated_at(record) if isinstance(record, dict) else None, "updated", []
        )
        if stamp and (high is None or stamp > high):
            high = stamp
    mark.run_high_mark = high
    mark.tickets_seen += len(page.records)
    mark.last_error = None
    mark.updated_at = utcnow()
    if page.next_page is None:
        # The run is complete: the next one asks only for what changed after it.
        mark.updated_since = high or mark.updated_since
        mark.run_high_mark = None
        mark.next_page = None
        mark.tickets_seen = 0
    else:
        mark.next_page = page.next_page
    await db.flush()
    return PageResult(summary, page.next_page is None, mark)


async def record_failure(db: AsyncSession, *, account: Account, vendor: str, error: str) -> None:
    mark = await cursor(db, account=account, vendor=vendor)
    mark.last_error = error[:2000]
    mark.updated_at = utcnow()
    await db.flush()


def cursor_dict(mark: ImportCursor) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "vendor": mark.vendor,
        "updated_since": iso(mark.updated_since),
        "in_progress": mark.next_page is not None,
        "next_page": mark.next_page,
        "tickets_seen": mark.tickets_seen,
        "last_error": mark.last_error,
        "updated_at": iso(mark.updated_at),
    }
