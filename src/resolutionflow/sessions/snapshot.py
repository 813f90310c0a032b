"""A session and its steps as plain data, the form the pure analysis and prompt code reads."""

from __future__ import annotations

from typing import Any

from resolutionflow.models import Session, SessionStep


def session_snapshot(session: Session, steps: list[SessionStep]) -> dict[str, Any]:
    """The session as the pure analysis code sees it (plain, JSON-serialisable)."""
    return {
        "id": str(session.id),
        "problem_summary": session.problem_summary,
        "problem_domain": session.problem_domain,
        "status": session.status,
        "confidence_tier": session.confidence_tier,
        "confidence_score": float(session.confidence_score or 0.0),
        "match_score": session.match_score,
        "matched_flow_id": str(session.matched_flow_id) if session.matched_flow_id else None,
        "resolution_summary": session.resolution_summary,
        "escalation_reason": session.escalation_reason,
        "steps": [
            {
                "step_order": s.step_order,
                "step_type": s.step_type,
                "content": s.content or {},
                "context_message": s.context_message,
                "options_presented": s.options_presented,
                "selected_option": s.selected_option,
                "free_text_input": s.free_text_input,
                "was_free_text": bool(s.was_free_text),
                "was_skipped": bool(s.was_skipped),
                "action_result": s.action_result,
                "responded_at": s.responded_at.isoformat() if s.responded_at else None,
            }
            for s in steps
        ],
    }
