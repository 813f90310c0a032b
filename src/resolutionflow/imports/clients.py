"""HTTP clients for each vendor's REST API: authentication, paging, rate limits, errors."""

from __future__ import annotations

import asyncio
import base64
import email.utils
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from resolutionflow.errors import BadRequest
from resolutionflow.imports.vendors.common import Lookups

MAX_RETRIES = 5
MAX_WAIT_SECONDS = 120.0


class PsaError(BadRequest):
    """The PSA refused or failed a request; the message says which and why."""


@dataclass
class Page:
    records: list[dict[str, Any]]
    lookups: Lookups
    next_page: str | None  # None: this was the last page


def retry_after(value: str | None, attempt: int) -> float:
    """Seconds to wait: the Retry-After header (seconds or an HTTP date), else backoff."""
    if value:
        value = value.strip()
        if value.isdigit():
            return min(float(value), MAX_WAIT_SECONDS)
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, min((when - datetime.now(UTC)).total_seconds(), MAX_WAIT_SECONDS))
        except (TypeError, ValueError):
            pass
    return min(0.5 * 2**attempt, MAX_WAIT_SECONDS)


class BaseClient:
    vendor = ""

    def __init__(
        self,
        base_url: str,
        credentials: dict[str, Any],
        *,
        page_size: int = 100,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.page_size = page_size
        self.sleep = sleep
        self.waits: list[float] = []
        # Redirects are not followed: credentials go to the configured address only.
        self.http = httpx.AsyncClient(timeout=30.0, transport=transport, follow_redirects=False)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> BaseClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def headers(self) -> dict[str, str]:
        return {}

    def same_site(self, url: str) -> str:
        """A next-page address the PSA gave us, refused if it points anywhere else."""
        ours, theirs = urlsplit(self.base_url), urlsplit(url)
        if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise PsaError(f"{self.vendor} answered with a next page on another site ({url})")
        return url

    async def send(self, method: str, url: str, *, auth: bool = True, **kw: Any) -> httpx.Response:
        """One call, retried on 429 (honouring Retry-After), 5xx and connection errors."""
        if not url.startswith("http"):
            url = self.base_url + url
        for attempt in range(MAX_RETRIES + 1):
            headers = await self.headers() if auth else {}
            try:
                response = await self.http.request(method, url, headers=headers, **kw)
            except httpx.HTTPError as exc:
                if attempt == MAX_RETRIES:
                    raise PsaError(f"{self.vendor} could not be reached: {exc}") from None
                await self._wait(retry_after(None, attempt))
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == MAX_RETRIES:
                    raise PsaError(
                        f"{self.vendor} answered {response.status_code} {MAX_RETRIES + 1} times "
                        f"for {method} {urlsplit(url).path}"
                    )
                await self._wait(retry_after(response.headers.get("Retry-After"), attempt))
                continue
            return response
        raise AssertionError("unreachable")

    async def request(self, method: str, url: str, **kw: Any) -> Any:
        response = await self.send(method, url, **kw)
        if response.status_code in (401, 403):
            raise PsaError(
                f"{self.vendor} refused the credentials ({response.status_code}): "
                "check the connector settings"
            )
        if response.status_code >= 400:
            raise PsaError(
                f"{self.vendor} answered {response.status_code} for {method} "
                f"{urlsplit(str(response.url)).path}: {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError:
            raise PsaError(f"{self.vendor} answered with something that is not JSON") from None

    async def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        await self.sleep(seconds)

    async def page(self, since: datetime | None, token: str | None) -> Page:
        raise NotImplementedError


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ConnectWiseClient(BaseClient):
    """Base URL: the API root, e.g. https://na.myconnectwise.net/v4_6_release/apis/3.0."""

    vendor = "connectwise"

    async def headers(self) -> dict[str, str]:
        c = self.credentials
        user = f"{c['company_id']}+{c['public_key']}:{c['private_key']}"
        return {
            "Authorization": "Basic " + base64.b64encode(user.encode()).decode(),
            "clientId": str(c["client_id"]),
            "Accept": "application/vnd.connectwise.com+json; version=2022.1",
        }

    async def _all(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            items = await self.request(
                "GET", path, params={**params, "page": page, "pageSize": 1000}
            )
            out += items if isinstance(items, list) else []
            if not isinstance(items, list) or len(items) < 1000:
                return out
            page += 1

    async def page(self, since: datetime | None, token: str | None) -> Page:
        number = int(token or 1)
        params: dict[str, Any] = {
            "orderBy": "_info/lastUpdated asc, id asc",
            "page": number,
            "pageSize": self.page_size,
        }
        if since:
            params["conditions"] = f"lastUpdated > [{_iso(since)}]"
        tickets = await self.request("GET", "/service/tickets", params=params)
        if not isinstance(tickets, list):
            raise PsaError("connectwise answered tickets with something that is not a list")
        lookups = Lookups()
        for ticket in tickets:
            tid = ticket.get("id")
            if tid is None:
                continue
            lookups.add_related(
                "notes",
                "ticketId",
                [
                    {**n, "ticketId": tid}
                    for n in await self._all(f"/service/tickets/{tid}/notes", {})
                ],
            )
            entries = await self._all(
                "/time/entries",
                {"conditions": f'chargeToType="ServiceTicket" AND chargeToId={int(tid)}'},
            )
            lookups.add_related("timeEntries", "chargeToId", entries)
        more = len(tickets) == self.page_size
        return Page(tickets, lookups, str(number + 1) if more else None)


class AutotaskClient(BaseClient):
    """Base URL: the zone's REST root, e.g. https://webservices5.autotask.net/ATServicesRest/V1.0."""

    vendor = "autotask"
    _picklists: dict[str, list[dict[str, Any]]] | None = None

    async def headers(self) -> dict[str, str]:
        c = self.credentials
        return {
            "ApiIntegrationCode": str(c["integration_code"]),
            "UserName": str(c["username"]),
            "Secret": str(c["secret"]),
            "Content-Type": "application/json",
        }

    async def _query(self, entity: str, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        answer = await self.request("POST", f"/{entity}/query", json={"filter": filters})
        while True:
            out += answer.get("items") or []
            next_url = (answer.get("pageDetails") or {}).get("nextPageUrl")
            if not next_url:
                return out
            answer = await self.request("GET", self.same_site(next_url))

    async def picklists(self) -> dict[str, list[dict[str, Any]]]:
        if self._picklists is None:
            info = await self.request("GET", "/Tickets/entityInformation/fields")
            self._picklists = {}
            for field in info.get("fields") or []:
                if field.get("isPickList") and field.get("name") in ("status", "queueID"):
                    self._picklists[field["name"]] = [
                        {"value": int(v["value"]), "label": v.get("label")}
                        for v in field.get("picklistValues") or []
                        if str(v.get("value", "")).lstrip("-").isdigit()
                    ]
        return self._picklists

    async def page(self, since: datetime | None, token: str | None) -> Page:
        from resolutionflow.imports.vendors.autotask import add_picklists

        if token:
            answer = await self.request("GET", self.same_site(token))
        else:
            condition = (
                {"op": "gt", "field": "lastActivityDate", "value": _iso(since)}
                if since
                else {"op": "gte", "field": "id", "value": 0}
            )
            answer = await self.request(
                "POST", "/Tickets/query", json={"MaxRecords": self.page_size, "filter": [condition]}
            )
        tickets = answer.get("items") or []
        lookups = Lookups()
        add_picklists(lookups, await self.picklists())
        ids = [t["id"] for t in tickets if t.get("id") is not None]
        if ids:
            where = [{"op": "in", "field": "ticketID", "value": ids}]
            lookups.add_related("ticketNotes", "ticketID", await self._query("TicketNotes", where))
            lookups.add_related("timeEntries", "ticketID", await self._query("TimeEntries", where))
        for kind, entity, key in (
            ("companies", "Companies", "companyID"),
            ("contacts", "Contacts", "contactID"),
        ):
            wanted = sorted({t[key] for t in tickets if t.get(key) is not None})
            if wanted:
                found = await self._query(entity, [{"op": "in", "field": "id", "value": wanted}])
                lookups.add_by_id(kind, found)
        next_url = (answer.get("pageDetails") or {}).get("nextPageUrl")
        return Page(tickets, lookups, self.same_site(next_url) if next_url else None)


class HaloClient(BaseClient):
    """Base URL: the Halo site, e.g. https://acme.halopsa.com (API under /api, token /auth)."""

    vendor = "halopsa"
    _token: tuple[str, float] | None = None
    _statuses: list[dict[str, Any]] | None = None

    async def headers(self) -> dict[str, str]:
        if self._token is None or self._token[1] < time.monotonic():
            c = self.credentials
            form = {
                "grant_type": "client_credentials",
                "client_id": c["client_id"],
                "client_secret": c["client_secret"],
                "scope": "all",
            }
            if c.get("tenant"):
                form["tenant"] = c["tenant"]
            response = await self.send("POST", "/auth/token", auth=False, data=form)
            if response.status_code != 200:
                raise PsaError(
                    f"halopsa refused the client credentials ({response.status_code}): "
                    "check the connector settings"
                )
            body = response.json()
            expires = float(body.get("expires_in") or 3600)
            self._token = (str(body["access_token"]), time.monotonic() + expires - 60)
        return {"Authorization": f"Bearer {self._token[0]}"}

    async def page(self, since: datetime | None, token: str | None) -> Page:
        number = int(token or 1)
        params: dict[str, Any] = {
            "pageinate": "true",
            "page_size": self.page_size,
            "page_no": number,
            "order": "last_update",
            "orderdesc": "false",
            "includeclosed": "true",
        }
        if since:
            params["lastupdatefromdate"] = _iso(since)
        answer = await self.request("GET", "/api/Tickets", params=params)
        tickets = answer.get("tickets") or []
        lookups = Lookups()
        if self._statuses is None:
            statuses = await self.request("GET", "/api/Status")
            self._statuses = statuses if isinstance(statuses, list) else []
        lookups.add_by_id("statuses", self._statuses)
        for ticket in tickets:
            if ticket.get("id") is None:
                continue
            actions = await self.request(
                "GET", "/api/Actions", params={"ticket_id": ticket["id"], "excludesys": "true"}
            )
            lookups.add_related(
                "actions",
                "ticket_id",
                [{**a, "ticket_id": ticket["id"]} for a in actions.get("actions") or []],
            )
        total = int(answer.get("record_count") or 0)
        more = number * self.page_size < total and len(tickets) > 0
        return Page(tickets, lookups, str(number + 1) if more else None)


CLIENTS: dict[str, type[BaseClient]] = {
    "connectwise": ConnectWiseClient,
    "autotask": AutotaskClient,
    "halopsa": HaloClient,
}
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "connectwise": ("company_id", "public_key", "private_key", "client_id"),
    "autotask": ("username", "secret", "integration_code"),
    "halopsa": ("client_id", "client_secret"),
}
