"""Notifying the people who can act: one row per recipient, plus the account's webhook."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.accounts import service as accounts_service
from resolutionflow.models import Notification, User
from resolutionflow.notifications import repository as repo
from resolutionflow.notifications.webhooks import queue_for_account
from resolutionflow.redaction import Redactor
from resolutionflow.tenancy.roles import may_review_team

PROPOSAL_PENDING = "proposal.pending"
# Payload fields that are ids, kinds and links rather than text.
_STRUCTURE = frozenset({"proposal_id", "proposal_type", "problem_domain", "link", "kind"})


async def notify_reviewers(
    db: AsyncSession,
    *,
    account_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any],
    team_id: uuid.UUID | None = None,
    redaction: str = "standard",
) -> int:
    """Notify every active user of the account who may review it: the admins, and the team
    admins of `team_id` (all team admins when it is account-wide, `team_id` None).

    The account's webhook (if any) is queued too; it goes out only once `db` commits. The
    payload's text is redacted first: it may come from a session or a model's answer, and a
    webhook takes it outside.
    """
    payload = Redactor(redaction).value(payload, keep=_STRUCTURE)
    await queue_for_account(db, account_id=account_id, kind=kind, payload=payload)
    recipients = [
        user
        for user in await accounts_service.reviewers(db, account_id=account_id)
        if may_review_team(user.role, user.team_id, team_id)
    ]
    if not recipients:
        return 0
    await repo.add_for_users(
        db, account_id=account_id, user_ids=[u.id for u in recipients], kind=kind, payload=payload
    )
    return len(recipients)


def proposal_pending_payload(proposal: Any) -> dict[str, Any]:
    return {
        "proposal_id": str(proposal.id),
        "title": proposal.title,
        "proposal_type": proposal.proposal_type,
        "problem_domain": proposal.problem_domain or "General",
        "link": f"/review?proposal={proposal.id}",
    }


async def list_mine(
    db: AsyncSession, *, user: User, unread_only: bool = False, skip: int = 0, limit: int = 50
) -> list[Notification]:
    return await repo.for_user(db, user.id, unread_only=unread_only, skip=skip, limit=limit)


async def unread_count(db: AsyncSession, *, user: User) -> int:
    return await repo.unread_count(db, user.id)


async def mark_read(db: AsyncSession, *, user: User, ids: list[uuid.UUID] | None = None) -> int:
    return await repo.mark_read(db, user.id, ids)


async def settle_proposal(
    db: AsyncSession, *, account_id: uuid.UUID, proposal_id: uuid.UUID
) -> int:
    """A decided proposal no longer waits: its pending notifications count as read for
    everyone (the badge counts work still to do)."""
    return await repo.settle_proposal(db, account_id, proposal_id)
