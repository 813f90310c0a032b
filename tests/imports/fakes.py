"""Local fake PSA servers speaking each vendor's documented REST shapes over real HTTP.

Each serves the sample export of its vendor (tests/data/psa/), checks the vendor's
authentication, pages as the vendor does, filters by updated time, and can be told to answer
429 (with Retry-After), 500 or 400 for the next requests.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import deque
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parents[1] / "data" / "psa"


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")[:19] + "+00:00")


class FakePsa:
    vendor = ""

    def __init__(self) -> None:
        self.data = json.loads((DATA / f"{self.vendor}_tickets.json").read_text())
        self.faults: deque[tuple[int, dict[str, str]]] = deque()
        self.calls: list[str] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(
                self, status: int, body: Any, headers: dict[str, str] | None = None
            ) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.calls.append(f"{method} {self.path}")
                    fault = fake.faults.popleft() if fake.faults else None
                if fault:
                    self._answer(fault[0], {"message": "injected"}, fault[1])
                    return
                status, answer = fake.route(method, self.path, dict(self.headers), body)
                self._answer(status, answer)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakePsa:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        raise NotImplementedError


class FakeConnectWise(FakePsa):
    vendor = "connectwise"
    api = "/v4_6_release/apis/3.0"
    credentials = {
        "company_id": "acme",
        "public_key": "pub",
        "private_key": "priv-secret",
        "client_id": "c0ffee",
    }

    @property
    def base_url(self) -> str:
        return self.root + self.api

    def route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        expected = "Basic " + base64.b64encode(b"acme+pub:priv-secret").decode()
        if headers.get("Authorization") != expected or headers.get("clientId") != "c0ffee":
            return 401, {"code": "Unauthorized", "message": "Invalid credentials"}
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        page, size = int(query.get("page", 1)), int(query.get("pageSize", 25))
        tickets = [
            {k: v for k, v in t.items() if k not in ("notes", "timeEntries")} for t in self.data
        ]
        if parts.path == self.api + "/service/tickets":
            found = re.search(r"lastUpdated > \[(.+?)\]", query.get("conditions", ""))
            if found:
                since = _time(found.group(1))
                tickets = [t for t in tickets if _time(t["_info"]["lastUpdated"]) > since]
            tickets.sort(key=lambda t: (t["_info"]["lastUpdated"], t["id"]))
            return 200, tickets[(page - 1) * size : page * size]
        notes = re.fullmatch(self.api + r"/service/tickets/(\d+)/notes", parts.path)
        if notes:
            ticket = next((t for t in self.data if t["id"] == int(notes.group(1))), None)
            if ticket is None:
                return 404, {"code": "NotFound"}
            return 200, ticket.get("notes", [])[(page - 1) * size : page * size]
        if parts.path == self.api + "/time/entries":
            charge = re.search(r"chargeToId=(\d+)", query.get("conditions", ""))
            ticket = next((t for t in self.data if charge and t["id"] == int(charge.group(1))), {})
            return 200, ticket.get("timeEntries", [])[(page - 1) * size : page * size]
        return 404, {"code": "NotFound"}


class FakeAutotask(FakePsa):
    vendor = "autotask"
    api = "/ATServicesRest/V1.0"
    credentials = {
        "username": "api@acme.example",
        "secret": "at-secret",
        "integration_code": "TRACKER1",
    }

    @property
    def base_url(self) -> str:
        return self.root + self.api

    def _match(self, record: dict[str, Any], filters: list[dict[str, Any]]) -> bool:
        for f in filters:
            value = record.get(f["field"])
            if f["op"] == "in" and value not in f["value"]:
                return False
            if f["op"] == "gte" and not (value is not None and value >= f["value"]):
                return False
            if f["op"] == "gt" and not (value is not None and _time(value) > _time(f["value"])):
                return False
        return True

    def _page(self, entity: str, filters: list[dict[str, Any]], size: int, offset: int) -> Any:
        key = {
            "Tickets": "tickets",
            "TicketNotes": "ticketNotes",
            "TimeEntries": "timeEntries",
            "Companies": "companies",
            "Contacts": "contacts",
        }[entity]
        rows = sorted((r for r in self.data[key] if self._match(r, filters)), key=lambda r: r["id"])
        chunk = rows[offset : offset + size]
        more = offset + size < len(rows)
        token = base64.urlsafe_b64encode(
            json.dumps({"e": entity, "f": filters, "s": size, "o": offset + size}).encode()
        ).decode()
        next_url = f"{self.base_url}/{entity}/query/next?paging={token}" if more else None
        return {
            "items": chunk,
            "pageDetails": {
                "count": len(chunk),
                "requestCount": size,
                "prevPageUrl": None,
                "nextPageUrl": next_url,
            },
        }

    def route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        c = self.credentials
        if (headers.get("UserName"), headers.get("Secret"), headers.get("ApiIntegrationCode")) != (
            c["username"],
            c["secret"],
            c["integration_code"],
        ):
            return 401, {"errors": ["User is not authorized"]}
        parts = urlsplit(path)
        if parts.path == self.api + "/Tickets/entityInformation/fields":
            fields = [
                {
                    "name": name,
                    "isPickList": True,
                    "picklistValues": [
                        {"value": str(v["value"]), "label": v["label"], "isActive": True}
                        for v in values
                    ],
                }
                for name, values in self.data["picklists"].items()
            ]
            return 200, {"fields": fields}
        query = re.fullmatch(self.api + r"/(\w+)/query", parts.path)
        if method == "POST" and query:
            payload = json.loads(body or b"{}")
            filters = payload.get("filter") or []
            if not filters:
                return 500, {"errors": ["filter is required"]}
            return 200, self._page(query.group(1), filters, int(payload.get("MaxRecords", 500)), 0)
        if method == "GET" and re.fullmatch(self.api + r"/\w+/query/next", parts.path):
            token = json.loads(base64.urlsafe_b64decode(parse_qs(parts.query)["paging"][0]))
            return 200, self._page(token["e"], token["f"], token["s"], token["o"])
        return 404, {"errors": ["not found"]}


class FakeHalo(FakePsa):
    vendor = "halopsa"
    credentials = {"client_id": "halo-client", "client_secret": "halo-secret"}
    token = "halo-access-token"

    @property
    def base_url(self) -> str:
        return self.root

    def route(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        parts = urlsplit(path)
        if parts.path == "/auth/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
                "client_credentials",
                "halo-client",
                "halo-secret",
            ):
                return 401, {"error": "invalid_client"}
            return 200, {"access_token": self.token, "token_type": "Bearer", "expires_in": 3600}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"message": "unauthorized"}
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/api/Tickets":
            rows = list(self.data["tickets"])
            if query.get("lastupdatefromdate"):
                since = _time(query["lastupdatefromdate"])
                rows = [t for t in rows if _time(t["last_update"]) > since]
            rows.sort(key=lambda t: (t["last_update"], t["id"]))
            size, number = int(query.get("page_size", 50)), int(query.get("page_no", 1))
            return 200, {
                "page_no": number,
                "page_size": size,
                "record_count": len(rows),
                "tickets": rows[(number - 1) * size : number * size],
            }
        if parts.path == "/api/Actions":
            wanted = int(query["ticket_id"])
            rows = [a for a in self.data["actions"] if a["ticket_id"] == wanted]
            return 200, {"record_count": len(rows), "actions": rows}
        if parts.path == "/api/Status":
            return 200, self.data["statuses"]
        return 404, {"message": "not found"}


FAKES: dict[str, type[FakePsa]] = {
    "connectwise": FakeConnectWise,
    "autotask": FakeAutotask,
    "halopsa": FakeHalo,
}
