"""Every API route with a valid request for it, so walkers can call each one meaningfully."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Account
from tests.helpers import create_flow, create_proposal, session_line, simple_tree

ALL = frozenset({"engineer", "team_admin", "admin"})
REVIEWERS = frozenset({"team_admin", "admin"})
ADMINS = frozenset({"admin"})


@dataclass
class Objects:
    """One of each kind of object of an account, to aim routes at."""

    ids: dict[str, str]
    secrets: list[str]  # strings that must never show up in another account's answers


async def seed_objects(db: AsyncSession, account: Account, people: Any) -> Objects:
    from resolutionflow.notifications.service import notify_reviewers
    from resolutionflow.sessions.schemas import SessionIn
    from resolutionflow.sessions.service import create_session

    flow = await create_flow(db, account, key="printer-offline", name="Printer offline zeta")
    proposal = await create_proposal(db, account, title="Secret proposal omega")
    session = await create_session(
        db,
        account=account,
        data=SessionIn.model_validate(
            session_line(
                external_id="secret-ext",
                status="active",
                resolved_at=None,
                problem_summary="Secret session sigma",
            )
        ),
    )
    await notify_reviewers(db, account_id=account.id, kind="proposal.pending", payload={"t": "x"})
    from resolutionflow.accounts import service as accounts

    token = await accounts.create_token(db, user=people.engineer.user, name="secret token")
    await db.commit()
    return Objects(
        ids={
            "flow_id": str(flow.id),
            "proposal_id": str(proposal.id),
            "session_id": str(session.id),
            "user_id": str(people.engineer.user.id),
            "token_id": str(token.record.id),
            "number": "1",
            "key": "printer-offline",
            "vendor": "halopsa",  # a PSA vendor: names no object of any account
        },
        secrets=[
            str(flow.id),
            str(proposal.id),
            str(session.id),
            people.engineer.user.email,
            "Printer offline zeta",
            "Secret proposal omega",
            "Secret session sigma",
            "secret-ext",
            str(token.record.id),
            account.slug,
        ],
    )


def body_for(method: str, path: str) -> tuple[dict[str, Any] | None, str | None]:
    """A valid JSON body (or raw content) for the route, so only authorisation can refuse it."""
    tree = simple_tree()
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/api/v1/auth/login"): {"email": "nobody@example.com", "password": "whatever1"},
        ("POST", "/api/v1/users"): {
            "email": f"u-{uuid.uuid4().hex[:6]}@example.com",
            "role": "engineer",
        },
        ("PATCH", "/api/v1/users/{user_id}"): {"name": "Renamed"},
        ("POST", "/api/v1/teams"): {"slug": f"t-{uuid.uuid4().hex[:6]}", "name": "Team"},
        ("POST", "/api/v1/tokens"): {"name": "ci"},
        ("PUT", "/api/v1/account/settings"): {"webhook_url": None},
        ("POST", "/api/v1/flow-proposals/{proposal_id}/review"): {"action": "dismiss"},
        ("POST", "/api/v1/flow-proposals/{proposal_id}/reopen"): {"reason": "new evidence"},
        ("POST", "/api/v1/flows"): {
            "name": f"New flow {uuid.uuid4().hex[:4]}",
            "tree_structure": tree,
        },
        ("PUT", "/api/v1/flows/{flow_id}"): {"description": "changed"},
        ("POST", "/api/v1/sessions"): session_line(external_id=None),
        ("POST", "/api/v1/sessions/{session_id}/steps"): {
            "steps": [{"step_type": "info", "content": {"text": "note"}}]
        },
        ("POST", "/api/v1/sessions/{session_id}/resolve"): {"resolution_summary": "fixed"},
        ("POST", "/api/v1/sessions/{session_id}/escalate"): {"escalation_reason": "vendor"},
        ("POST", "/api/v1/notifications/read"): {"ids": None},
        ("POST", "/api/v1/sessions/{session_id}/scripts"): {"request": "flush dns"},
        ("POST", "/api/v1/runner/sessions"): {"problem_summary": "Printer offline"},
        ("POST", "/api/v1/runner/sessions/{session_id}/walk"): {
            "node_id": "root",
            "choice": "option",
            "option_id": "o-yes",
        },
        ("POST", "/api/v1/runner/sessions/{session_id}/steps"): {"kind": "note", "text": "n"},
        ("POST", "/api/v1/runner/sessions/{session_id}/back"): {"expected_order": 0},
        ("POST", "/api/v1/runner/sessions/{session_id}/resolve"): {"resolution_summary": "ok"},
        ("POST", "/api/v1/runner/sessions/{session_id}/escalate"): {"reason": "vendor"},
        ("POST", "/api/v1/runner/sessions/{session_id}/abandon"): {},
        ("POST", "/api/v1/runner/sessions/{session_id}/feedback"): {
            "node_id": "root",
            "note": "unclear",
        },
        ("PUT", "/api/v1/flows/{key}/owner"): {"owner_email": "nobody@example.com"},
        ("POST", "/api/v1/imports/articles"): {
            "articles": [{"name": f"kb-{uuid.uuid4().hex[:6]}.md", "text": "# T\n\n1. a\n2. b\n"}]
        },
        ("PUT", "/api/v1/imports/connectors/{vendor}"): {
            "base_url": "https://acme.halopsa.example",
            "credentials": {"client_id": "a", "client_secret": "b"},
        },
    }
    if (method, path) == ("POST", "/api/v1/sessions/import"):
        import json

        return None, json.dumps(session_line(external_id=f"imp-{uuid.uuid4().hex[:6]}")) + "\n"
    return bodies.get((method, path)), None


# Which roles may call each write route (and admin-only reads). Every non-GET API route must be
# listed: the role test fails on a route missing here, so new routes get a decision.
WRITE_ROLES: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/v1/auth/logout"): ALL,
    ("POST", "/api/v1/users"): ADMINS,
    ("PATCH", "/api/v1/users/{user_id}"): ADMINS,
    ("POST", "/api/v1/teams"): ADMINS,
    ("POST", "/api/v1/tokens"): ADMINS,
    ("DELETE", "/api/v1/tokens/{token_id}"): ADMINS,
    ("PUT", "/api/v1/account/settings"): ADMINS,
    ("POST", "/api/v1/flow-proposals/{proposal_id}/review"): REVIEWERS,
    ("POST", "/api/v1/flow-proposals/{proposal_id}/reopen"): ADMINS,
    ("POST", "/api/v1/flows"): REVIEWERS,
    ("PUT", "/api/v1/flows/{flow_id}"): REVIEWERS,
    ("POST", "/api/v1/sessions"): ALL,
    ("POST", "/api/v1/sessions/{session_id}/steps"): ALL,
    ("POST", "/api/v1/sessions/{session_id}/resolve"): ALL,
    ("POST", "/api/v1/sessions/{session_id}/escalate"): ALL,
    ("POST", "/api/v1/sessions/{session_id}/retry-analysis"): REVIEWERS,
    ("POST", "/api/v1/sessions/import"): REVIEWERS,
    ("POST", "/api/v1/notifications/read"): ALL,
    ("POST", "/api/v1/sessions/{session_id}/scripts"): ALL,
    ("POST", "/api/v1/runner/sessions"): ALL,
    ("POST", "/api/v1/runner/sessions/{session_id}/walk"): ALL,
    ("POST", "/api/v1/runner/sessions/{session_id}/steps"): ALL,
    ("POST", "/api/v1/runner/sessions/{session_id}/back"): ALL,
    ("POST", "/api/v1/runner/sessions/{session_id}/resolve"): ALL,
    ("POST", "/api/v1/runner/sessions/{session_id}/escalate"): ALL,
    ("POST", "/api/v1/runner/sessions/{session_id}/abandon"): ALL,
    ("POST", "/api/v1/runner/sessions/{session_id}/feedback"): ALL,
    # The flow of seed_objects has no owner, so only admins may verify it.
    ("POST", "/api/v1/flows/{key}/verify"): ADMINS,
    ("PUT", "/api/v1/flows/{key}/owner"): ADMINS,
    ("GET", "/api/v1/users"): ADMINS,
    ("GET", "/api/v1/tokens"): ADMINS,
    ("GET", "/api/v1/account/settings"): ADMINS,
    ("POST", "/api/v1/imports/psa/{vendor}"): REVIEWERS,
    ("POST", "/api/v1/imports/articles"): REVIEWERS,
    ("GET", "/api/v1/imports/connectors"): ADMINS,
    ("PUT", "/api/v1/imports/connectors/{vendor}"): ADMINS,
    ("POST", "/api/v1/imports/connectors/{vendor}/pull"): ADMINS,
}
# Public: sign-in, and PSA webhooks (checked by the vendor's signature, not a sign-in).
PUBLIC = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/imports/webhooks/{vendor}/{account_slug}"),
}


def api_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every API route, read from the OpenAPI schema (so all are documented)."""
    out = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api/v1"):
            out += [(method.upper(), path) for method in operations if method != "parameters"]
    return sorted(out)


def fill(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path
