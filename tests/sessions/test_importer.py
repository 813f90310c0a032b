"""Session import: good lines stored, bad ones reported by line and field, idempotent, strict."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.models import Session, SessionStep, Team, User
from resolutionflow.sessions import importer
from tests.helpers import create_account, create_flow, jsonl, session_line


async def _count(db: AsyncSession, model: type, **where: object) -> int:
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return int((await db.execute(stmt)).scalar_one())


def _mixed_file() -> list[str]:
    return jsonl(
        session_line(external_id="a-1"),
        "{not json",
        session_line(external_id="a-2", status="closed"),
        session_line(external_id="a-3", problem_summary="   "),
        session_line(external_id="a-4"),
        session_line(external_id="a-5", matched_flow="no-such-flow"),
        "",
        session_line(
            external_id="a-6",
            steps=[
                {
                    "step_type": "question",
                    "options_presented": [{"value": "y", "label": "Y"}],
                    "selected_option": "n",
                }
            ],
        ),
        session_line(external_id="a-7", surprise_field=1),
    )


async def test_good_lines_stored_bad_lines_reported(db: AsyncSession) -> None:
    account = await create_account(db)
    summary = await importer.import_sessions(db, account=account, lines=_mixed_file())
    await db.commit()

    assert summary.stored == 2
    assert summary.already_present == 0
    by_line = {(e.line, e.field) for e in summary.errors}
    assert (2, "line") in by_line
    assert (3, "status") in by_line
    assert (4, "problem_summary") in by_line
    assert (6, "matched_flow") in by_line
    assert (8, "steps[0].selected_option") in by_line
    assert (9, "surprise_field") in by_line
    assert sorted({e.line for e in summary.errors}) == [2, 3, 4, 6, 8, 9]
    stored = set((await db.execute(select(Session.external_id))).scalars())
    assert stored == {"a-1", "a-4"}

    again = await importer.import_sessions(db, account=account, lines=_mixed_file())
    await db.commit()
    assert again.stored == 0
    assert again.already_present == 2
    assert await _count(db, Session) == 2


async def test_strict_reports_but_signals_rejection(db: AsyncSession) -> None:
    account = await create_account(db)
    await db.commit()
    summary = await importer.import_sessions(db, account=account, lines=_mixed_file(), strict=True)
    assert summary.strict_rejected
    await db.rollback()  # the edge (CLI or API) rolls back a rejected strict import
    assert await _count(db, Session) == 0
    assert await _count(db, SessionStep) == 0


async def test_defaults_and_analysis_status(db: AsyncSession) -> None:
    account = await create_account(db)
    lines = jsonl(
        session_line(external_id="r"),
        session_line(external_id="e", status="escalated", escalation_reason="vendor"),
        session_line(external_id="q", status="requesting_escalation"),
        session_line(external_id="x", status="abandoned"),
        session_line(external_id="act", status="active", resolved_at=None),
    )
    summary = await importer.import_sessions(db, account=account, lines=lines)
    assert summary.errors == []
    rows = {s.external_id: s for s in (await db.execute(select(Session))).scalars()}
    assert rows["r"].analysis_status == "pending"
    assert rows["e"].analysis_status == "skipped"
    assert rows["q"].analysis_status == "skipped"
    assert rows["x"].analysis_status == "skipped"
    assert rows["act"].analysis_status is None
    steps = list(
        (
            await db.execute(
                select(SessionStep)
                .where(SessionStep.session_id == rows["r"].id)
                .order_by(SessionStep.step_order)
            )
        ).scalars()
    )
    assert [s.step_order for s in steps] == [0, 1, 2]
    assert steps[0].context_message == "Is the printer showing online?"
    assert steps[0].was_free_text is False
    assert steps[1].was_free_text is True
    assert steps[1].content == {"text": "What does the panel say?", "type": "question"}
    assert steps[2].action_result == {"success": True, "details": "queue cleared"}
    assert steps[0].account_id == account.id


async def test_unknown_team_and_engineer_created_without_password(db: AsyncSession) -> None:
    account = await create_account(db)
    lines = jsonl(
        session_line(team="night-shift", engineer="New.Person@example.com"),
        session_line(team="night-shift", engineer="new.person@example.com"),
        session_line(team="day", engineer="other@example.com"),
    )
    summary = await importer.import_sessions(db, account=account, lines=lines)
    assert summary.errors == []
    assert summary.stored == 3
    assert summary.teams_created == 2
    assert summary.engineers_created == 2
    user = (
        await db.execute(select(User).where(User.email == "New.Person@example.com"))
    ).scalar_one()
    assert user.password_hash is None
    assert user.role == "engineer"
    assert await _count(db, Team, account_id=account.id) == 2


async def test_matched_flow_by_key_and_other_accounts_invisible(db: AsyncSession) -> None:
    account = await create_account(db)
    other = await create_account(db)
    flow = await create_flow(db, account, key="printer-offline")
    await create_flow(db, other, key="vpn")
    lines = jsonl(
        session_line(external_id="m", matched_flow="printer-offline", match_score=0.9),
        session_line(external_id="n", matched_flow="vpn", match_score=0.9),
    )
    summary = await importer.import_sessions(db, account=account, lines=lines)
    assert summary.stored == 1
    assert [(e.line, e.field) for e in summary.errors] == [(2, "matched_flow")]
    session = (await db.execute(select(Session).where(Session.external_id == "m"))).scalar_one()
    assert session.matched_flow_id == flow.id
    assert session.confidence_tier == "discovery"  # as given in the line


async def test_external_ids_are_per_account(db: AsyncSession) -> None:
    first = await create_account(db)
    second = await create_account(db)
    line = jsonl(session_line(external_id="same"))
    assert (await importer.import_sessions(db, account=first, lines=line)).stored == 1
    assert (await importer.import_sessions(db, account=second, lines=line)).stored == 1
    # The same id twice in one file is stored once.
    twice = jsonl(session_line(external_id="dup"), session_line(external_id="dup"))
    result = await importer.import_sessions(db, account=first, lines=twice)
    assert (result.stored, result.already_present) == (1, 1)


async def test_timestamps_and_resolved_before_created(db: AsyncSession) -> None:
    account = await create_account(db)
    lines = jsonl(
        session_line(created_at="2026-11-10T10:00:00Z", resolved_at="2026-11-10T09:00:00Z"),
        session_line(
            created_at="2026-11-10T10:00:00+02:00", resolved_at=None, time_spent_minutes=30
        ),
    )
    summary = await importer.import_sessions(db, account=account, lines=lines)
    assert [(e.line, e.field) for e in summary.errors] == [(1, "resolved_at")]
    session = (await db.execute(select(Session))).scalar_one()
    assert session.created_at.isoformat() == "2026-11-10T08:00:00+00:00"
    assert session.resolved_at is not None
    assert session.resolved_at.isoformat() == "2026-11-10T08:30:00+00:00"
