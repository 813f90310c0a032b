"""Incoming PSA webhooks: each vendor's signature check and its payload as a ticket record.

- ConnectWise callbacks: `x-content-signature` is base64 HMAC-SHA256 of the raw body, keyed
  with the callback's shared key; the ticket is the JSON text in `Entity`. (ConnectWise also
  names a key URL in the payload; it is never fetched: that address comes from the sender.)
- Autotask webhooks: `X-Hook-Signature` is `sha1=` + base64 HMAC-SHA1 of the raw body, keyed
  with the webhook's secret key; the ticket is `{Id, Fields}` (configure the webhook to always
  send title, status, companyID, createDate, completedDate, lastActivityDate, resolution).
- HaloPSA webhooks: Basic authentication whose password is the shared secret; the body is the
  ticket object (or `{ticket, actions}`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from resolutionflow.errors import Invalid, Problem, Unauthorized

SIGNATURE_HEADERS = {
    "connectwise": "x-content-signature",
    "autotask": "x-hook-signature",
    "halopsa": "authorization",
}


def _digest(secret: str, body: bytes, algorithm: Any) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, algorithm).digest()).decode()


def sign(vendor: str, secret: str, body: bytes) -> str:
    """The header value the vendor would send (used by tests and fake senders)."""
    if vendor == "connectwise":
        return _digest(secret, body, hashlib.sha256)
    if vendor == "autotask":
        return "sha1=" + _digest(secret, body, hashlib.sha1)
    return "Basic " + base64.b64encode(f"resolutionflow:{secret}".encode()).decode()


def verify(vendor: str, secret: str | None, header: str | None, body: bytes) -> None:
    """Raise Unauthorized unless the header proves the sender knows the shared secret."""
    if not secret or not header:
        raise Unauthorized("the webhook's signature is missing or not valid")
    if vendor == "halopsa":
        ok = False
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            ok = hmac.compare_digest(decoded.partition(":")[2].encode(), secret.encode())
    else:
        ok = hmac.compare_digest(header.strip().encode(), sign(vendor, secret, body).encode())
    if not ok:
        raise Unauthorized("the webhook's signature is missing or not valid")


def ticket_record(vendor: str, body: bytes) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """The ticket record a webhook carries (and Halo's actions, when sent with it)."""
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid(
            "the webhook body is not JSON", problems=[Problem("body", "not JSON")]
        ) from None
    if not isinstance(payload, dict):
        raise Invalid(
            "the webhook body must be a JSON object", problems=[Problem("body", "not an object")]
        )
    if vendor == "connectwise":
        if str(payload.get("Type", "ticket")).lower() != "ticket":
            raise Invalid("not a ticket callback", problems=[Problem("Type", "must be ticket")])
        entity = payload.get("Entity")
        try:
            record = json.loads(entity) if isinstance(entity, str) else entity
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            raise Invalid(
                "the callback has no ticket",
                problems=[Problem("Entity", "must be the ticket as JSON")],
            )
        return record, None
    if vendor == "autotask":
        if str(payload.get("EntityType", "Ticket")) != "Ticket":
            raise Invalid(
                "not a ticket webhook", problems=[Problem("EntityType", "must be Ticket")]
            )
        raw_fields = payload.get("Fields")
        fields: dict[str, Any] = raw_fields if isinstance(raw_fields, dict) else {}
        return {**fields, "id": payload.get("Id", fields.get("id"))}, None
    raw_ticket = payload.get("ticket")
    ticket: dict[str, Any] = raw_ticket if isinstance(raw_ticket, dict) else payload
    raw_actions = payload.get("actions")
    actions = raw_actions if isinstance(raw_actions, list) else None
    return ticket, actions
