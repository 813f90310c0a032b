"""The account's outgoing webhook: Slack or Teams JSON, sent after commit, retried with backoff.

Messages are queued on the database session (`db.info["webhook_outbox"]`) while the
transaction that creates the notifications runs. A listener on SQLAlchemy's session events
hands them to background asyncio tasks once the outermost transaction commits, and drops them
when the transaction (or the savepoint they were queued in) rolls back. So no caller has to
remember anything: a notification that was never committed is never announced, and neither the
request nor the worker ever waits for the receiving end.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from resolutionflow.models import Account
from resolutionflow.notifications.egress import EgressRefused, target_for

log = logging.getLogger(__name__)

OUTBOX_KEY = "webhook_outbox"
FORMATS = ("slack", "teams")
TITLES = {"proposal.pending": "New flow proposal to review"}


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard to try: `attempts` sends, waiting base_delay * 2**n between them."""

    attempts: int = 5
    base_delay: float = 1.0
    timeout: float = 10.0

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before attempt number `attempt` (1-based; the first waits 0)."""
        return 0.0 if attempt <= 1 else self.base_delay * 2 ** (attempt - 2)


# Module-wide so tests (and a future setting) can shorten the waits without plumbing.
POLICY = DeliveryPolicy()


@dataclass
class WebhookMessage:
    url: str
    body: dict[str, Any]
    account_id: uuid.UUID
    kind: str
    txn: SessionTransaction | None = field(default=None, repr=False, compare=False)
    allow_http_loopback: bool = False  # the development setting, as it was when queued


@dataclass
class DeliveryResult:
    delivered: bool
    attempts: int
    last_error: str | None = None


def _absolute(link: str | None, base_url: str | None) -> str | None:
    if not link:
        return None
    if link.startswith(("http://", "https://")):
        return link
    return base_url.rstrip("/") + link if base_url else None


def slack_body(title: str, payload: dict[str, Any], link: str | None) -> dict[str, Any]:
    """A Slack incoming-webhook message: `text` for notifications, `blocks` for the channel."""
    name = str(payload.get("title") or "")
    facts = [
        f"*{k.replace('_', ' ').capitalize()}:* {payload[k]}"
        for k in ("proposal_type", "problem_domain")
        if payload.get(k)
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{name}*" if name else title}},
    ]
    if facts:
        elements = [{"type": "mrkdwn", "text": fact} for fact in facts]
        blocks.append({"type": "context", "elements": elements})
    if link:
        button = {"type": "button", "text": {"type": "plain_text", "text": "Review"}, "url": link}
        blocks.append({"type": "actions", "elements": [button]})
    text = f"{title}: {name}" if name else title
    return {"text": text + (f" <{link}|Review>" if link else ""), "blocks": blocks}


def teams_body(title: str, payload: dict[str, Any], link: str | None) -> dict[str, Any]:
    """A Teams connector MessageCard."""
    name = str(payload.get("title") or "")
    facts = [
        {"name": k.replace("_", " ").capitalize(), "value": str(payload[k])}
        for k in ("proposal_type", "problem_domain")
        if payload.get(k)
    ]
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": f"{title}: {name}" if name else title,
        "themeColor": "2F6FDB",
        "title": title,
        "sections": [{"activityTitle": name or title, "facts": facts, "markdown": True}],
    }
    if link:
        card["potentialAction"] = [
            {"@type": "OpenUri", "name": "Review", "targets": [{"os": "default", "uri": link}]}
        ]
    return card


def build_body(
    fmt: str, kind: str, payload: dict[str, Any], *, base_url: str | None = None
) -> dict[str, Any]:
    """The JSON to post for one notification in the account's format ("slack" or "teams")."""
    title = TITLES.get(kind, kind.replace(".", " ").replace("_", " ").capitalize())
    link = _absolute(payload.get("link"), base_url)
    return (teams_body if fmt == "teams" else slack_body)(title, payload, link)


def webhook_of(account: Account) -> tuple[str, str] | None:
    """(url, format) if the account has a webhook configured."""
    stored = account.settings or {}
    url = stored.get("webhook_url")
    if not url:
        return None
    fmt = stored.get("webhook_format") or "slack"
    return str(url), fmt if fmt in FORMATS else "slack"


async def queue_for_account(
    db: AsyncSession, *, account_id: uuid.UUID, kind: str, payload: dict[str, Any]
) -> bool:
    """Queue the account's webhook for this notification; it is sent when `db` commits."""
    account = await db.get(Account, account_id)
    target = webhook_of(account) if account is not None else None
    if target is None:
        return False
    url, fmt = target
    base_url = (account.settings or {}).get("public_url") if account else None
    sync = db.sync_session
    from resolutionflow.config import get_settings

    message = WebhookMessage(
        url=url,
        body=build_body(fmt, kind, payload, base_url=base_url),
        account_id=account_id,
        kind=kind,
        txn=sync.get_nested_transaction() or sync.get_transaction(),
        allow_http_loopback=get_settings().webhook_allow_http_loopback,
    )
    db.info.setdefault(OUTBOX_KEY, []).append(message)
    return True


def outbox(db: AsyncSession | Session) -> list[WebhookMessage]:
    """The messages waiting for `db` to commit."""
    return list(db.info.get(OUTBOX_KEY, []))


# --- delivery -------------------------------------------------------------------------------

_tasks: set[asyncio.Task[DeliveryResult]] = set()


def _host(url: str) -> str:
    # The path of a Slack or Teams webhook URL is its secret: log only where it points.
    return urlsplit(url).netloc or "?"


async def deliver(
    message: WebhookMessage,
    *,
    policy: DeliveryPolicy | None = None,
    client: httpx.AsyncClient | None = None,
) -> DeliveryResult:
    """POST the message, retrying network errors, 429 and 5xx with exponential backoff.

    Each attempt resolves the address again, refuses it unless it is public, and connects to
    the address it checked; a redirect is an answer, never followed."""
    policy = policy or POLICY
    own = client is None
    # No proxies from the environment: the request must go to the address checked here.
    http = client or httpx.AsyncClient(
        timeout=policy.timeout, follow_redirects=False, trust_env=False
    )
    error: str | None = None
    attempt = 0
    try:
        for attempt in range(1, policy.attempts + 1):
            await asyncio.sleep(policy.delay_before(attempt))
            try:
                target = await target_for(
                    message.url, allow_http_loopback=message.allow_http_loopback
                )
            except EgressRefused as exc:
                error = f"refused: {exc}"
                break  # the address is not one a webhook may reach; retrying will not change it
            extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
            try:
                response = await http.post(
                    target.connect_url,
                    json=message.body,
                    headers={"Host": target.host_header},
                    extensions=extensions,
                )
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code < 300:
                return DeliveryResult(True, attempt)
            error = f"HTTP {response.status_code}"
            if 300 <= response.status_code < 400:
                error += " (a redirect; webhooks never follow them)"
                break
            if response.status_code < 500 and response.status_code != 429:
                break  # the receiver refuses this message; sending it again will not help
    finally:
        if own:
            await http.aclose()
    log.error(
        "webhook to %s for account %s gave up after %d attempt(s): %s",
        _host(message.url),
        message.account_id,
        attempt,
        error,
    )
    return DeliveryResult(False, attempt, error)


def send_in_background(messages: list[WebhookMessage]) -> None:
    """Start delivering each message without waiting for it."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    for message in messages:
        if loop is not None:
            task = loop.create_task(deliver(message))
            _tasks.add(task)  # a strong reference, or the task may be collected mid-flight
            task.add_done_callback(_tasks.discard)
        else:
            threading.Thread(target=asyncio.run, args=(deliver(message),), daemon=True).start()


def pending() -> int:
    """How many deliveries are still running in this process."""
    return sum(1 for t in _tasks if not t.done())


async def drain(wait_seconds: float | None = None) -> list[DeliveryResult]:
    """Wait for the running deliveries (tests, and a clean shutdown)."""
    running = list(_tasks)
    if not running:
        return []
    done, _ = await asyncio.wait(running, timeout=wait_seconds)
    return [t.result() for t in done if not t.cancelled() and t.exception() is None]


# --- transaction hooks ----------------------------------------------------------------------


def _within(txn: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while txn is not None:
        if txn is ended:
            return True
        txn = txn.parent
    return False


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    queued = session.info.get(OUTBOX_KEY)
    # A savepoint's release fires after_commit too; only the outermost commit is final.
    if not queued or session.in_nested_transaction():
        return
    session.info[OUTBOX_KEY] = []
    root = session.get_transaction()
    # Messages left from a transaction that ended without commit (a closed session reused)
    # were never made true, so they are dropped rather than sent.
    send_in_background([m for m in queued if m.txn is None or root is None or _within(m.txn, root)])


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    queued = session.info.get(OUTBOX_KEY)
    if queued:
        root_ended = previous_transaction.parent is None
        session.info[OUTBOX_KEY] = [
            m
            for m in queued
            if not (root_ended if m.txn is None else _within(m.txn, previous_transaction))
        ]
