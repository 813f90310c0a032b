"""The offline provider's flows pass the validator for every demo session."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from resolutionflow.ai.providers.offline import OfflineProvider
from resolutionflow.demo.dataset import demo_sessions, load_demo_flows
from resolutionflow.flows.structure import validate_tree
from resolutionflow.flywheel.analysis import generate_enhancement, generate_new_flow
from resolutionflow.sessions.ingest import step_values
from resolutionflow.sessions.schemas import SessionIn


def _snapshot(line: dict[str, Any]) -> dict[str, Any]:
    data = SessionIn.model_validate(line)
    steps = [step_values(step, order) for order, step in enumerate(data.steps)]
    for step in steps:
        step["responded_at"] = None
    return {
        "id": line["external_id"],
        "problem_summary": data.problem_summary,
        "problem_domain": data.problem_domain,
        "status": data.status,
        "confidence_tier": data.confidence_tier or "discovery",
        "confidence_score": data.confidence_score or 0.0,
        "match_score": data.match_score,
        "matched_flow_id": data.matched_flow,
        "resolution_summary": data.resolution_summary,
        "escalation_reason": data.escalation_reason,
        "steps": steps,
    }


def test_every_demo_session_gives_a_valid_flow_and_enhancement() -> None:
    flows = {f["key"]: f for f in load_demo_flows()}
    provider = OfflineProvider()
    sessions = demo_sessions(datetime(2026, 11, 21, 12, tzinfo=UTC))
    enhanced = 0

    async def check() -> None:
        nonlocal enhanced
        for line in sessions:
            snapshot = _snapshot(line)
            made = await generate_new_flow(provider, snapshot)
            assert not made.repaired, line["external_id"]
            assert validate_tree(made.data["tree_structure"]) == [], line["external_id"]
            flow = flows.get(line.get("matched_flow") or "")
            if flow and any(s["was_free_text"] for s in snapshot["steps"]):
                result = await generate_enhancement(
                    provider, snapshot, flow_name=flow["name"], tree=flow["tree_structure"]
                )
                assert validate_tree(result.data["merged_tree"]) == [], line["external_id"]
                enhanced += 1

    asyncio.run(check())
    assert len(sessions) >= 80
    assert enhanced >= 10
