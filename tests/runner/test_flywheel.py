"""Sessions run in the runner go through the flywheel like imported ones: a walk straight to a
solution reinforces the flow, a walk that leaves it with a typed answer proposes an
enhancement, and a session recorded without a flow proposes a new flow."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Session
from resolutionflow.runner import service
from resolutionflow.runner.schemas import FreeStepIn, RunResolveIn, StartIn, WalkStepIn
from tests.fixtures.desk import Desk, proposals
from tests.helpers import create_user


async def _walk(db: AsyncSession, desk: Desk, sid: object, *answers: tuple[str, str]) -> None:
    for node_id, choice in answers:
        option = "o-yes" if choice == "option" else None
        await service.record_walk_step(
            db,
            account=desk.account,
            session_id=sid,  # type: ignore[arg-type]
            data=WalkStepIn(
                node_id=node_id,
                choice=choice,  # type: ignore[arg-type]
                option_id=option,
            ),
        )


async def test_runner_sessions_take_the_three_analysis_paths(db: AsyncSession, desk: Desk) -> None:
    engineer = await create_user(db, desk.account, role="engineer")
    start = StartIn(problem_summary="Printer on floor 2 offline", flow_id=desk.flow_id)
    straight = await service.start_session(db, account=desk.account, user=engineer, data=start)
    await _walk(
        db, desk, straight.id, ("root", "option"), ("restart", "worked"), ("done", "resolved")
    )

    diverged = await service.start_session(
        db,
        account=desk.account,
        user=engineer,
        data=StartIn(
            problem_summary="Floor 2 printer still offline after the fix", flow_id=desk.flow_id
        ),
    )
    await _walk(
        db,
        desk,
        diverged.id,
        ("root", "option"),
        ("restart", "did_not_fix"),
        ("done", "not_resolved"),
    )
    await service.record_free_step(
        db,
        account=desk.account,
        session_id=diverged.id,
        data=(
            FreeStepIn(
                kind="question",
                text="What does the printer's panel say?",
                detail="It joined the guest Wi-Fi",
            )
        ),
    )
    await service.resolve(
        db,
        account=desk.account,
        session_id=diverged.id,
        data=RunResolveIn(resolution_summary="Moved it back to the office SSID"),
    )

    novel = await service.start_session(
        db,
        account=desk.account,
        user=engineer,
        data=StartIn(problem_summary="Teams camera not detected after update"),
    )
    await service.record_free_step(
        db,
        account=desk.account,
        session_id=novel.id,
        data=(FreeStepIn(kind="question", text="Is the privacy switch on?", detail="Yes, it was")),
    )
    await service.record_free_step(
        db,
        account=desk.account,
        session_id=novel.id,
        data=(FreeStepIn(kind="action", text="Turned the privacy switch off", worked=True)),
    )
    await service.resolve(
        db,
        account=desk.account,
        session_id=novel.id,
        data=RunResolveIn(resolution_summary="Privacy switch was on"),
    )
    ids = straight.id, diverged.id, novel.id
    await db.commit()

    scores = []
    for session_id in ids:
        row = await db.get(Session, session_id)
        assert row is not None
        await db.refresh(row)
        assert row.status == "resolved" and row.analysis_status == "pending"
        scores.append((row.match_score, row.confidence_tier))
    assert scores == [(1.0, "high"), (0.75, "medium"), (None, "discovery")]

    stats = await desk.drain()
    assert stats.outcomes == {"reinforced": 1, "proposed": 2}
    by_session = {p.supporting_session_ids[0]: p for p in await proposals(db)}
    assert by_session[str(ids[0])].proposal_type == "auto_reinforced"
    enhancement = by_session[str(ids[1])]
    assert enhancement.proposal_type == "enhancement"
    assert enhancement.target_flow_id == desk.flow_id
    assert "guest Wi-Fi" in str(enhancement.proposed_flow_data).replace("wi-fi", "Wi-Fi")
    assert by_session[str(ids[2])].proposal_type == "new_flow"
