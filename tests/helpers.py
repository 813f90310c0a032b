"""Plain helpers that create test data through the real services."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.accounts import service as accounts
from resolutionflow.models import Account, Flow, Team, User
from resolutionflow.models.base import utcnow


async def create_account(db: AsyncSession, slug: str | None = None, name: str = "Acme") -> Account:
    return await accounts.create_account(db, slug=slug or f"acc-{uuid.uuid4().hex[:8]}", name=name)


async def create_team(db: AsyncSession, account: Account, slug: str = "desk") -> Team:
    return await accounts.create_team(db, account=account, slug=slug, name=slug.title())


async def create_user(
    db: AsyncSession,
    account: Account,
    *,
    role: str = "engineer",
    email: str | None = None,
    password: str | None = "correct-horse",
) -> User:
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    return await accounts.create_user(
        db, account=account, email=email, role=role, password=password
    )


def simple_tree(prefix: str = "") -> dict[str, Any]:
    """A small valid flow: one question, an action on one branch, solutions at the ends."""
    p = prefix
    return {
        "id": f"{p}root",
        "type": "decision",
        "title": "Printer state",
        "question": "Is the printer showing online?",
        "help_text": "Check the printer's own panel.",
        "options": [
            {"id": f"{p}o-yes", "label": "Yes", "next_node_id": f"{p}restart"},
            {"id": f"{p}o-no", "label": "No", "next_node_id": f"{p}power"},
        ],
        "children": [
            {
                "id": f"{p}restart",
                "type": "action",
                "title": "Restart the spooler",
                "description": "Restart the Print Spooler service on the server.",
                "options": [],
                "next_node_id": f"{p}done",
            },
            {
                "id": f"{p}power",
                "type": "solution",
                "title": "Power cycle",
                "description": "Power the printer off and on.",
                "options": [],
                "next_node_id": None,
            },
            {
                "id": f"{p}done",
                "type": "solution",
                "title": "Jobs print",
                "description": "The queue drains.",
                "options": [],
                "next_node_id": None,
            },
        ],
    }


async def create_flow(
    db: AsyncSession,
    account: Account,
    *,
    key: str | None = None,
    name: str = "Printer offline",
    domain: str | None = "printing",
    tree: dict[str, Any] | None = None,
) -> Flow:
    """A flow at version 1, created through the flow service (validated, with its version)."""
    from resolutionflow.flows.schemas import FlowIn
    from resolutionflow.flows.service import create_flow as create

    data = FlowIn(
        key=key or f"flow-{uuid.uuid4().hex[:6]}",
        name=name,
        description="Printer shows offline",
        problem_domain=domain,
        match_keywords=["printer", "offline"],
        tree_structure=tree or simple_tree(),
    )
    return await create(db, account=account, data=data)


def session_line(**overrides: Any) -> dict[str, Any]:
    """One valid import line; override any field."""
    line: dict[str, Any] = {
        "external_id": f"ext-{uuid.uuid4().hex[:8]}",
        "problem_summary": "Printer on floor 2 shows offline",
        "status": "resolved",
        "problem_domain": "printing",
        "confidence_tier": "discovery",
        "confidence_score": 0.4,
        "resolution_summary": "Restarted the spooler",
        "created_at": "2026-11-10T09:00:00Z",
        "resolved_at": "2026-11-10T09:25:00Z",
        "steps": [
            {
                "step_type": "question",
                "content": {"text": "Is the printer showing online?", "type": "question"},
                "options_presented": [
                    {"value": "yes", "label": "Yes"},
                    {"value": "no", "label": "No"},
                ],
                "selected_option": "no",
            },
            {
                "step_type": "question",
                "content": {"text": "What does the panel say?"},
                "free_text_input": "driver unavailable",
            },
            {
                "step_type": "action",
                "content": {"text": "Restart the print spooler"},
                "action_result": {"success": True, "details": "queue cleared"},
            },
        ],
    }
    line.update(overrides)
    return line


def jsonl(*lines: dict[str, Any] | str) -> list[str]:
    return [x if isinstance(x, str) else json.dumps(x) for x in lines]


async def create_proposal(
    db: AsyncSession,
    account: Account,
    *,
    proposal_type: str = "new_flow",
    status: str = "pending",
    title: str = "Printer offline after driver update",
    domain: str | None = "printing",
    tree: dict[str, Any] | None = None,
    target: Flow | None = None,
    diff: dict[str, Any] | None = None,
    merged_tree: dict[str, Any] | None = None,
    confidence: float = 0.5,
    sessions: int = 1,
    created_at: Any = None,
    reviewed_at: Any = None,
) -> Any:
    """A proposal with its source session, written directly (the worker is tested elsewhere)."""
    from resolutionflow.models import FlowProposal, Session

    session = Session(
        account_id=account.id,
        problem_summary=title,
        problem_domain=domain,
        status="resolved",
        confidence_tier="discovery",
        confidence_score=confidence,
        created_at=utcnow(),
        resolved_at=utcnow(),
        analysis_status="completed",
        analysis_attempts=1,
    )
    db.add(session)
    await db.flush()
    if proposal_type == "new_flow":
        data: dict[str, Any] = {
            "tree_structure": tree or simple_tree(),
            "match_keywords": ["printer"],
        }
    elif proposal_type == "auto_reinforced":
        data = {}
    else:
        data = diff or {"new_nodes": [], "modified_options": []}
    proposal = FlowProposal(
        account_id=account.id,
        source_session_id=session.id,
        proposal_type=proposal_type,
        status=status,
        title=title,
        description=f"About {title}",
        proposed_flow_data=data,
        proposed_diff={"diff_description": "adds a branch", **data} if target else None,
        merged_flow_data={"tree_structure": merged_tree} if merged_tree else None,
        target_flow_id=target.id if target else None,
        target_flow_version=target.version if target else None,
        match_keywords=["printer"],
        confidence_score=confidence,
        supporting_session_count=sessions,
        supporting_session_ids=[str(session.id)],
        supporting_summaries=[title],
        problem_domain=domain,
        created_at=created_at or utcnow(),
        reviewed_at=reviewed_at,
    )
    db.add(proposal)
    await db.flush()
    return proposal


def branch_diff(parent: str = "root", new_id: str = "n-reseat") -> dict[str, Any]:
    """An enhancement diff adding a third answer to `parent` of simple_tree()."""
    return {
        "new_nodes": [
            {
                "id": new_id,
                "type": "solution",
                "title": "Reseat the cable",
                "description": "Reseat the USB cable.",
                "options": [],
                "attach_after_node_id": parent,
                "new_option_label": "Shows 'driver unavailable'",
            }
        ],
        "modified_options": [],
    }
