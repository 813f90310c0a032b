"""PSA file import: records become sessions, idempotent by ticket id, bad records reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.imports import psa
from resolutionflow.imports.files import load_export
from resolutionflow.imports.vendors import vendor_module
from resolutionflow.models import FlowProposal, Session, SessionStep
from tests.fixtures.desk import Desk
from tests.helpers import create_account

DATA = Path(__file__).resolve().parents[1] / "data" / "psa"


async def _import(
    db: AsyncSession, account: Any, vendor: str, text: str | None = None, **kw: Any
) -> psa.PsaSummary:
    module = vendor_module(vendor)
    text = text if text is not None else (DATA / f"{vendor}_tickets.json").read_text()
    records, lookups = load_export(module, text)
    summary = await psa.import_records(
        db, account=account, vendor=module, records=records, lookups=lookups, **kw
    )
    await db.commit()
    return summary


async def _snapshot(db: AsyncSession) -> list[tuple[Any, ...]]:
    sessions = (
        await db.execute(
            select(
                Session.id,
                Session.external_id,
                Session.status,
                Session.analysis_status,
                Session.resolution_summary,
                Session.customer,
                Session.resolved_at,
            ).order_by(Session.external_id)
        )
    ).all()
    steps = (
        await db.execute(
            select(SessionStep.id, SessionStep.session_id, SessionStep.step_order).order_by(
                SessionStep.session_id, SessionStep.step_order
            )
        )
    ).all()
    return [tuple(r) for r in sessions] + [tuple(r) for r in steps]


async def _session(db: AsyncSession, external_id: str) -> Session:
    return (
        await db.execute(select(Session).where(Session.external_id == external_id))
    ).scalar_one()


async def _steps(db: AsyncSession, session: Session) -> list[SessionStep]:
    stmt = select(SessionStep).where(SessionStep.session_id == session.id)
    return list((await db.execute(stmt.order_by(SessionStep.step_order))).scalars())


async def test_connectwise_tickets_become_sessions(db: AsyncSession) -> None:
    account = await create_account(db)
    summary = await _import(db, account, "connectwise")
    assert (summary.stored, summary.errors) == (4, [])

    closed = await _session(db, "connectwise:48213")
    assert closed.status == "resolved"
    assert closed.analysis_status == "pending"
    assert closed.customer == "Northwind Traders"
    assert closed.psa_provider == "connectwise" and closed.psa_ticket_id == "48213"
    assert closed.time_spent_minutes == 45
    assert closed.resolution_summary.startswith("Cleared stale Office credentials")
    steps = await _steps(db, closed)
    assert steps[0].step_type == "info"
    assert steps[0].content["text"].startswith("Since this morning Outlook")
    assert steps[0].content["board"] == "Service Desk"
    notes = [s for s in steps if s.step_type == "action"]
    # Internal analysis notes and time entry internal notes are free-text steps, in time order.
    assert [s.free_text_input[:20] for s in notes] == [
        "Profile was fine; is",
        "Remote session with ",
        "Checked Entra sign-i",
        "Cleared cached crede",
    ]
    assert all(s.was_free_text for s in notes)
    assert steps[-1].step_type == "resolution"

    escalated = await _session(db, "connectwise:48241")
    assert escalated.status == "escalated" and escalated.analysis_status == "skipped"
    assert "Escalated" in escalated.escalation_reason
    active = await _session(db, "connectwise:48255")
    assert active.status == "active" and active.analysis_status is None


async def test_autotask_bundle_resolves_picklists_companies_and_contacts(db: AsyncSession) -> None:
    account = await create_account(db)
    summary = await _import(db, account, "autotask")
    assert (summary.stored, summary.errors) == (4, [])
    dhcp = await _session(db, "autotask:7411")
    assert dhcp.status == "resolved"
    assert dhcp.customer == "Contoso Dental Group"
    assert "DHCP scope was full" in dhcp.resolution_summary
    texts = [s.free_text_input for s in await _steps(db, dhcp) if s.step_type == "action"]
    # The note published to the customer (publish 3) is not an engineer's step.
    assert not any("call you back" in t for t in texts)
    assert any("169.254.12.7" in t for t in texts)
    escalated = await _session(db, "autotask:7413")
    assert escalated.status == "escalated"
    assert "Escalated to Tier 2" in escalated.escalation_reason


async def test_halopsa_actions_private_notes_and_resolution(db: AsyncSession) -> None:
    account = await create_account(db)
    summary = await _import(db, account, "halopsa")
    assert (summary.stored, summary.errors) == (3, [])
    locked = await _session(db, "halopsa:1021")
    assert locked.status == "resolved"
    assert locked.customer == "Tailspin Toys"
    assert locked.resolution_summary.startswith("Account unlocked")
    steps = await _steps(db, locked)
    assert steps[0].content["text"] == "Sam cannot log in, says account is locked."
    texts = [s.free_text_input for s in steps if s.step_type == "action"]
    assert len(texts) == 2 and "WS-0142" in texts[0]  # the e-mail to the user is not a step
    reassigned = await _session(db, "halopsa:1023")
    assert reassigned.status == "escalated"
    assert "reassigned to 2nd Line" in reassigned.escalation_reason


async def test_reimport_changes_nothing(db: AsyncSession) -> None:
    account = await create_account(db)
    for vendor in ("connectwise", "autotask", "halopsa"):
        await _import(db, account, vendor)
    before = await _snapshot(db)
    for vendor in ("connectwise", "autotask", "halopsa"):
        again = await _import(db, account, vendor)
        assert (again.stored, again.updated, again.errors) == (0, 0, [])
        assert again.already_present > 0
    assert await _snapshot(db) == before


async def test_an_open_ticket_closed_later_is_updated_once(db: AsyncSession) -> None:
    account = await create_account(db)
    ticket = {
        "id": 9,
        "summary": "Mapped drive missing",
        "status": {"name": "New"},
        "_info": {"dateEntered": "2026-10-01T09:00:00Z"},
    }
    await _import(db, account, "connectwise", json.dumps([ticket]))
    session = await _session(db, "connectwise:9")
    assert session.status == "active"
    notes = [
        {"text": "Re-ran the drive mapping GPO.", "internalAnalysisFlag": True},
        {"text": "GPO re-applied with gpupdate /force.", "resolutionFlag": True},
    ]
    closed = {
        **ticket,
        "closedFlag": True,
        "closedDate": "2026-10-01T10:00:00Z",
        "status": {"name": "Closed"},
        "notes": notes,
    }
    first = await _import(db, account, "connectwise", json.dumps([closed]))
    assert (first.stored, first.updated) == (0, 1)
    await db.refresh(session)
    assert session.status == "resolved" and session.analysis_status == "pending"
    assert session.resolution_summary == "GPO re-applied with gpupdate /force."
    assert len(await _steps(db, session)) == 3
    before = await _snapshot(db)
    second = await _import(db, account, "connectwise", json.dumps([closed]))
    assert (second.stored, second.updated, second.already_present) == (0, 0, 1)
    assert await _snapshot(db) == before


async def test_bad_records_are_reported_and_nothing_of_them_written(db: AsyncSession) -> None:
    account = await create_account(db)
    lines = [
        json.dumps({"id": 1, "summary": "Good ticket", "status": {"name": "New"}}),
        "{not json",
        json.dumps({"summary": "no id"}),
        json.dumps({"id": 4, "summary": "  "}),
        json.dumps({"id": 5, "summary": "Bad time", "_info": {"dateEntered": "yesterday"}}),
        json.dumps({"id": 6, "summary": "Bad notes", "notes": "not a list"}),
        json.dumps({"id": 7, "summary": "Bad hours", "actualHours": -2}),
        json.dumps([1, 2]),
        json.dumps({"id": 9, "summary": "Another good one", "closedFlag": True}),
    ]
    summary = await _import(db, account, "connectwise", "\n".join(lines))
    assert summary.stored == 2
    found = {(e.record, e.field) for e in summary.errors}
    assert found == {
        (2, "record"),
        (3, "id"),
        (4, "summary"),
        (5, "_info.dateEntered"),
        (6, "notes"),
        (7, "actualHours"),
        (8, "record"),
    }
    assert "yesterday" in next(e.message for e in summary.errors if e.record == 5)
    stored = set((await db.execute(select(Session.external_id))).scalars())
    assert stored == {"connectwise:1", "connectwise:9"}
    orphan_steps = await db.execute(
        select(func.count())
        .select_from(SessionStep)
        .where(SessionStep.session_id.not_in(select(Session.id)))
    )
    assert orphan_steps.scalar_one() == 0


async def test_imports_stay_in_their_account(db: AsyncSession) -> None:
    one = await create_account(db, slug="one")
    two = await create_account(db, slug="two")
    await _import(db, one, "halopsa")
    summary = await _import(db, two, "halopsa")
    assert summary.stored == 3  # the same ticket ids are new to another account
    counts = dict(
        (
            await db.execute(select(Session.account_id, func.count()).group_by(Session.account_id))
        ).all()
    )
    assert counts == {one.id: 3, two.id: 3}


async def test_chunks_and_progress(db: AsyncSession) -> None:
    account = await create_account(db)
    records = [{"id": n, "summary": f"Ticket {n}", "closedFlag": True} for n in range(25)]
    seen: list[int] = []
    summary = await _import(
        db, account, "connectwise", json.dumps(records), chunk_size=10, progress=seen.append
    )
    assert summary.stored == 25 and seen == [10, 10, 5]


async def test_imported_tickets_feed_the_flywheel(db: AsyncSession, desk: Desk) -> None:
    await _import(db, desk.account, "connectwise")
    await _import(db, desk.account, "halopsa")
    stats = await desk.drain()
    assert sum(stats.outcomes.values()) == 4  # the four resolved tickets, unmatched
    proposals = list((await db.execute(select(FlowProposal))).scalars())
    assert proposals and {p.proposal_type for p in proposals} == {"new_flow"}
    supported = {s for p in proposals for s in p.supporting_session_ids}
    resolved = set(
        (await db.execute(select(Session.id).where(Session.status == "resolved"))).scalars()
    )
    assert supported == {str(s) for s in resolved}


async def test_an_escalated_ticket_closed_later_becomes_resolved(db: AsyncSession) -> None:
    account = await create_account(db)
    ticket = {
        "id": 77,
        "summary": "Backups failing",
        "status": {"name": "Escalated"},
        "_info": {"dateEntered": "2026-10-01T09:00:00Z", "lastUpdated": "2026-10-01T11:00:00Z"},
    }
    await _import(db, account, "connectwise", json.dumps([ticket]))
    session = await _session(db, "connectwise:77")
    assert (session.status, session.analysis_status) == ("escalated", "skipped")
    again = await _import(db, account, "connectwise", json.dumps([ticket]))
    assert (again.updated, again.already_present) == (0, 1)
    closed = {
        **ticket,
        "status": {"name": "Closed"},
        "closedFlag": True,
        "closedDate": "2026-10-02T10:00:00Z",
        "notes": [{"text": "Re-seated the tape drive.", "resolutionFlag": True}],
    }
    result = await _import(db, account, "connectwise", json.dumps([closed]))
    assert result.updated == 1
    await db.refresh(session)
    assert (session.status, session.analysis_status) == ("resolved", "pending")
    assert session.resolution_summary == "Re-seated the tape drive."
