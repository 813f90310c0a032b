"""Objects of one account for page tests, and the pages to aim at them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Account
from resolutionflow.notifications.service import notify_reviewers, proposal_pending_payload
from resolutionflow.sessions.schemas import SessionIn
from resolutionflow.sessions.service import create_session
from tests.helpers import branch_diff, create_flow, create_proposal, session_line


@dataclass
class Seeded:
    flow: Any
    new_flow: Any
    enhancement: Any
    session: Any
    secrets: list[str]

    def pages(self) -> list[str]:
        return [
            "/review",
            f"/review/{self.new_flow.id}",
            f"/review/{self.enhancement.id}",
            f"/review?proposal={self.new_flow.id}&status=all&sort=confidence",
            "/flows",
            f"/flows/{self.flow.id}",
            f"/flows/{self.flow.id}?version=1",
            "/sessions",
            f"/sessions/{self.session.id}",
            f"/sessions?ids={self.session.id}",
            "/notifications",
            "/analytics",
            "/analytics?period=7",
            "/start",
            "/start?q=printer+offline",
        ]


async def seed(db: AsyncSession, account: Account, tag: str = "zeta") -> Seeded:
    flow = await create_flow(db, account, key=f"printer-{tag}", name=f"Printer offline {tag}")
    new_flow = await create_proposal(db, account, title=f"Scanner jams {tag}", confidence=0.8)
    enhancement = await create_proposal(
        db,
        account,
        proposal_type="enhancement",
        title=f"Printer driver {tag}",
        target=flow,
        diff=branch_diff(),
    )
    session = await create_session(
        db,
        account=account,
        data=SessionIn.model_validate(session_line(problem_summary=f"Label printer {tag}")),
    )
    await notify_reviewers(
        db,
        account_id=account.id,
        kind="proposal.pending",
        payload=proposal_pending_payload(new_flow),
    )
    await db.commit()
    secrets = [
        str(flow.id),
        str(new_flow.id),
        str(enhancement.id),
        str(session.id),
        f"Printer offline {tag}",
        f"Scanner jams {tag}",
        f"Label printer {tag}",
    ]
    return Seeded(flow, new_flow, enhancement, session, secrets)
