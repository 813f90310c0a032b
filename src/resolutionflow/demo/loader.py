"""Loads the demo data set into a database through the same services as any import."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from resolutionflow.accounts import service as accounts
from resolutionflow.config import Settings
from resolutionflow.db import unit_of_work
from resolutionflow.demo.dataset import (
    DEMO_ACCOUNT,
    DEMO_PASSWORD,
    demo_sessions,
    demo_users,
    load_demo_flows,
)
from resolutionflow.errors import Invalid, Problem
from resolutionflow.flows import service as flows
from resolutionflow.models import Session
from resolutionflow.sessions import importer


async def load_demo(settings: Settings, *, now: datetime) -> dict[str, Any]:
    """Create the demo account, its people, flows and sessions; return a summary to print."""
    async with unit_of_work(settings) as db:
        account = await accounts.create_account(
            db, slug=DEMO_ACCOUNT["slug"], name=DEMO_ACCOUNT["name"]
        )
        teams = {}
        for user in demo_users():
            slug = user.get("team")
            if slug and slug not in teams:
                teams[slug] = await accounts.create_team(
                    db, account=account, slug=slug, name=slug.replace("-", " ").title()
                )
            await accounts.create_user(
                db,
                account=account,
                email=user["email"],
                role=user["role"],
                password=DEMO_PASSWORD,
                name=user.get("name"),
                team=teams.get(slug) if slug else None,
            )
        flow_summary = await flows.import_flows(db, account=account, items=load_demo_flows())
        lines = [json.dumps(s) for s in demo_sessions(now)]
        summary = await importer.import_sessions(db, account=account, lines=lines, strict=True)
        if summary.errors:
            raise Invalid(
                "the demo data set has bad sessions",
                problems=[Problem(f"line {e.line}: {e.field}", e.message) for e in summary.errors],
            )
        rows = (
            await db.execute(
                select(Session.status, Session.analysis_status, func.count())
                .where(Session.account_id == account.id)
                .group_by(Session.status, Session.analysis_status)
            )
        ).all()
    by_status: Counter[str] = Counter()
    by_analysis: Counter[str] = Counter()
    for status, analysis, count in rows:
        by_status[status] += count
        by_analysis[analysis or "not queued (active)"] += count
    return {
        "counts": {
            "account": DEMO_ACCOUNT["slug"],
            "users": len(demo_users()),
            "flows": len(flow_summary.created),
            "sessions": summary.stored,
            **{f"sessions {k}": v for k, v in sorted(by_status.items())},
            **{f"analysis {k}": v for k, v in sorted(by_analysis.items())},
        },
        "tables": {},
        "sign_in": [u["email"] for u in demo_users() if u["role"] != "engineer"][:2],
        "password": DEMO_PASSWORD,
    }


async def run_flywheel(settings: Settings) -> dict[str, Any]:
    """Drain the demo's queue with the offline provider and describe what it made."""
    from resolutionflow.flywheel.worker import Worker
    from resolutionflow.models import Flow, FlowProposal

    stats = await Worker(settings.model_copy(update={"ai_provider": "offline"})).drain()
    async with unit_of_work(settings, write=False) as db:
        proposals = list((await db.execute(select(FlowProposal))).scalars())
        flows = {f.id: f for f in (await db.execute(select(Flow))).scalars()}
    by_type: Counter[str] = Counter(p.proposal_type for p in proposals)
    merged = sorted(
        (p for p in proposals if p.supporting_session_count > 1),
        key=lambda p: (-p.supporting_session_count, p.title),
    )
    reinforced: Counter[Any] = Counter(
        p.target_flow_id for p in proposals if p.proposal_type == "auto_reinforced"
    )
    return {
        "outcomes": dict(sorted(stats.outcomes.items())),
        "by_type": dict(sorted(by_type.items())),
        "merged": [
            {"proposal": p.title, "type": p.proposal_type, "sessions": p.supporting_session_count}
            for p in merged
        ],
        "reinforced": [
            {
                "flow": flows[fid].name,
                "sessions": n,
                "success_rate": round(flows[fid].success_rate or 0.0, 4),
            }
            for fid, n in sorted(reinforced.items(), key=lambda kv: -kv[1])
            if fid in flows
        ],
    }
