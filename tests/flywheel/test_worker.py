"""The worker end to end on each database: paths, merges, idempotency, budget, failures, leases."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.ai.base import GenerationResult, PermanentProviderError, TransientProviderError
from resolutionflow.ai.providers.offline import OfflineProvider
from resolutionflow.flows.structure import validate_tree
from resolutionflow.flywheel import budget
from resolutionflow.flywheel.scheduler import start_periodic, stop_periodic
from resolutionflow.flywheel.worker import Worker
from resolutionflow.models import Flow, ModelUsage, Notification, Session
from tests.fixtures.desk import Desk, assert_nothing_lost, import_lines, proposals, statuses

QUESTION = {
    "step_type": "question",
    "content": {"text": "Is the printer showing online?", "type": "question"},
    "options_presented": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
}


def followed(ext: str, score: float = 0.9) -> dict[str, Any]:
    return {
        "external_id": ext,
        "problem_summary": "Printer offline on floor 2",
        "status": "resolved",
        "problem_domain": "printing",
        "matched_flow": "printer-offline",
        "match_score": score,
        "confidence_tier": "high",
        "confidence_score": 0.9,
        "resolution_summary": "Power cycled",
        "steps": [
            {**QUESTION, "selected_option": "no"},
            {"step_type": "resolution", "content": {"text": "Power cycled the printer"}},
        ],
    }


def diverged(ext: str, answer: str = "It says driver unavailable") -> dict[str, Any]:
    return {
        "external_id": ext,
        "problem_summary": "Printer shows driver unavailable",
        "status": "resolved",
        "problem_domain": "printing",
        "matched_flow": "printer-offline",
        "match_score": 0.7,
        "confidence_tier": "medium",
        "confidence_score": 0.6,
        "resolution_summary": "Reinstalled the driver",
        "steps": [
            {**QUESTION, "free_text_input": answer},
            {
                "step_type": "action",
                "content": {"text": "Reinstall the printer driver"},
                "action_result": {"success": True, "details": "driver 4.2 installed"},
            },
            {"step_type": "resolution", "content": {"text": "Driver reinstalled"}},
        ],
    }


def novel(
    ext: str,
    summary: str = "Teams camera not detected after Windows update",
    answer: str = "Camera privacy switch was off",
) -> dict[str, Any]:
    return {
        "external_id": ext,
        "problem_summary": summary,
        "status": "resolved",
        "problem_domain": "endpoint",
        "confidence_tier": "discovery",
        "confidence_score": 0.3,
        "resolution_summary": "Turned camera access back on",
        "steps": [
            {
                "step_type": "question",
                "content": {"text": "Does the camera show in Device Manager?"},
                "options_presented": [
                    {"value": "y", "label": "Yes"},
                    {"value": "n", "label": "No"},
                ],
                "selected_option": "y",
            },
            {
                "step_type": "question",
                "content": {"text": "What do the privacy settings show?"},
                "free_text_input": answer,
            },
            {
                "step_type": "action",
                "content": {"text": "Allow apps to access the camera"},
                "action_result": {"success": True, "details": "Teams sees the camera"},
            },
        ],
    }


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4))


def distinct(ext: str, seed: int) -> dict[str, Any]:
    """A session sharing no telling word with any other: it can only make a proposal of its own."""
    rng = random.Random(seed)
    w = [_word(rng) for _ in range(16)]
    return {
        "external_id": ext,
        "problem_summary": " ".join(w[:6]).capitalize(),
        "status": "resolved",
        "problem_domain": "endpoint",
        "confidence_tier": "discovery",
        "confidence_score": 0.3,
        "resolution_summary": f"{w[6]} {w[7]}",
        "steps": [
            {
                "step_type": "question",
                "content": {"text": f"{w[8]} {w[9]} {w[0]}?"},
                "free_text_input": f"{w[10]} {w[11]}",
            },
            {
                "step_type": "action",
                "content": {"text": f"{w[12]} {w[13]} {w[2]}"},
                "action_result": {"success": True, "details": f"{w[14]} {w[15]}"},
            },
        ],
    }


async def test_three_paths(db: AsyncSession, desk: Desk) -> None:
    await import_lines(
        db,
        desk.account,
        [
            followed("r1"),
            diverged("e1"),
            novel("n1"),
            {**novel("x1"), "status": "escalated", "escalation_reason": "vendor"},
        ],
    )
    stats = await desk.drain()
    assert stats.outcomes == {"reinforced": 1, "proposed": 2}
    assert await statuses(db) == {"completed": 3, "skipped": 1}
    by_type = {p.proposal_type: p for p in await proposals(db)}
    assert set(by_type) == {"auto_reinforced", "enhancement", "new_flow"}

    reinforced = by_type["auto_reinforced"]
    assert reinforced.status == "auto_reinforced"
    assert reinforced.title == "Reinforcement: Printer offline on floor 2"
    assert reinforced.proposed_flow_data == {}
    assert reinforced.target_flow_id == desk.flow_id
    flow = (await db.execute(select(Flow).where(Flow.id == desk.flow_id))).scalar_one()
    await db.refresh(flow)
    assert flow.success_rate == 0.1
    assert flow.last_matched_at is not None

    enhancement = by_type["enhancement"]
    assert enhancement.status == "pending"
    assert enhancement.target_flow_id == desk.flow_id and enhancement.target_flow_version == 1
    assert enhancement.description == enhancement.proposed_diff["diff_description"]
    assert enhancement.proposed_flow_data["new_nodes"]
    assert validate_tree(enhancement.merged_flow_data["tree_structure"]) == []

    new_flow = by_type["new_flow"]
    assert new_flow.status == "pending"
    assert validate_tree(new_flow.proposed_flow_data["tree_structure"]) == []
    assert new_flow.proposed_flow_data["match_keywords"]
    # Two reviewers, two pending proposals: four notifications; the engineer gets none.
    kinds = (await db.execute(select(Notification.kind))).scalars().all()
    assert kinds == ["proposal.pending"] * 4
    usage = (await db.execute(select(func.sum(ModelUsage.calls)))).scalar_one()
    assert usage == 2
    await assert_nothing_lost(db)


async def test_reinforcement_compounds(db: AsyncSession, desk: Desk) -> None:
    await import_lines(db, desk.account, [followed("r1"), followed("r2", 0.85)])
    await desk.drain()
    flow = await db.get(Flow, desk.flow_id)
    assert flow is not None
    await db.refresh(flow)
    assert flow.success_rate == 0.19


async def test_similar_sessions_merge_into_one_proposal(db: AsyncSession, desk: Desk) -> None:
    await import_lines(
        db,
        desk.account,
        [
            novel("m1"),
            novel("m2", "Teams webcam not detected since the Windows update", "Camera privacy off"),
            novel(
                "m3", "Camera not detected in Teams after Windows update", "Driver disabled in BIOS"
            ),
        ],
    )
    stats = await desk.drain()
    assert stats.outcomes == {"proposed": 1, "merged": 2}
    [proposal] = await proposals(db)
    assert proposal.supporting_session_count == 3
    assert len(set(proposal.supporting_session_ids)) == 3
    assert proposal.confidence_score == 0.5  # 0.3 + 0.1 + 0.1
    tree = proposal.proposed_flow_data["tree_structure"]
    assert validate_tree(tree) == []
    counts = [
        o.get("session_count") for n in [tree, *tree["children"]] for o in n.get("options") or []
    ]
    assert max(c or 0 for c in counts) == 3  # all three took the first answer
    await assert_nothing_lost(db)


async def test_two_new_problems_interleaved_in_one_batch_make_one_proposal_each(
    db: AsyncSession, desk: Desk
) -> None:
    """Sessions of a batch that match nothing pending are compared with each other too: a
    later session joins the proposal an earlier one of its problem started, whichever
    sessions came in between."""

    def vpn(ext: str, summary: str) -> dict[str, Any]:
        line = novel(ext, summary, "Power saving turns the network adapter off")
        line["resolution_summary"] = "Stopped the adapter sleeping, VPN stays up"
        line["steps"][0]["content"]["text"] = "Does the VPN client reconnect by itself?"
        line["steps"][2]["content"]["text"] = "Untick allow the computer to turn off the adapter"
        return line

    await import_lines(
        db,
        desk.account,
        [
            novel("t1"),
            vpn("v1", "VPN drops every time the laptop wakes from sleep"),
            novel("t2", "Camera not detected in Teams after Windows update", "Privacy off"),
            vpn("v2", "VPN disconnects after sleep and does not reconnect"),
        ],
    )
    stats = await desk.worker(worker_batch_size=10).drain()
    assert stats.outcomes == {"proposed": 2, "merged": 2}
    found = await proposals(db)
    by_source = {
        frozenset(p.supporting_session_ids): p.title for p in found
    }  # which sessions ended up together
    sessions = {s.external_id: str(s.id) for s in (await db.execute(select(Session))).scalars()}
    assert set(by_source) == {
        frozenset({sessions["t1"], sessions["t2"]}),
        frozenset({sessions["v1"], sessions["v2"]}),
    }
    await assert_nothing_lost(db)


async def test_pending_texts_are_read_again_only_when_a_merge_changed_them(
    db: AsyncSession, desk: Desk
) -> None:
    """Placement keeps pending proposals' texts between batches (a big queue is read once,
    not per batch): a merge makes the next batch read that proposal again; a proposal no
    longer pending leaves the pool."""
    from resolutionflow.flywheel import placement

    await import_lines(db, desk.account, [novel("k1")])
    await desk.drain()
    [proposal] = await proposals(db)
    scope = (desk.account_id, proposal.problem_domain, "new_flow", None)
    [first] = (await placement._pools(db, [scope]))[scope]
    assert first.id == str(proposal.id)
    assert first.summaries == proposal.supporting_summaries
    assert ((await placement._pools(db, [scope]))[scope])[0] is first  # unchanged: not read again
    await db.refresh(desk.account)
    await import_lines(
        db, desk.account, [novel("k2", "Camera not detected in Teams after Windows update")]
    )
    assert (await desk.drain()).outcomes == {"merged": 1}
    [again] = (await placement._pools(db, [scope]))[scope]
    assert again is not first
    assert len(again.summaries) == 2
    [proposal] = await proposals(db)
    proposal.status = "rejected"
    await db.commit()
    assert (await placement._pools(db, [scope]))[scope] == []


async def test_a_text_changed_by_a_transaction_that_rolls_back_is_not_kept(
    db: AsyncSession, desk: Desk
) -> None:
    from resolutionflow.flywheel import placement

    await import_lines(db, desk.account, [novel("r1")])
    await desk.drain()
    [proposal] = await proposals(db)
    scope = (desk.account_id, proposal.problem_domain, "new_flow", None)
    [first] = (await placement._pools(db, [scope]))[scope]
    proposal.supporting_summaries = [*proposal.supporting_summaries, "Webcam gone in Teams"]
    proposal.supporting_session_count += 1
    await db.flush()
    [during] = (await placement._pools(db, [scope], changed={proposal.id}))[scope]
    assert during.summaries[-1] == "Webcam gone in Teams"  # this transaction sees its merge
    await db.rollback()
    [after] = (await placement._pools(db, [scope]))[scope]
    assert after is first  # the rolled-back text was never kept


async def test_pools_of_several_scopes_come_from_one_read_each_with_its_own_proposals(
    db: AsyncSession, desk: Desk
) -> None:
    """A batch reads the pending proposals of all its scopes at once; each scope gets its
    own, a scope with no proposals an empty pool, and no proposal is listed twice."""
    from sqlalchemy import event

    from resolutionflow.flywheel import placement

    first = novel("p1")
    other = {**novel("p2", "Shared mailbox missing from Outlook"), "problem_domain": "email"}
    await import_lines(db, desk.account, [first, other])
    await desk.drain()
    by_domain = {p.problem_domain: p for p in await proposals(db)}
    assert set(by_domain) == {"endpoint", "email"}
    scopes = [
        (desk.account_id, "endpoint", "new_flow", None),
        (desk.account_id, "email", "new_flow", None),
        (desk.account_id, "network", "new_flow", None),
        (desk.account_id, "endpoint", "enhancement", None),
    ]
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM flow_proposals" in statement:
            statements.append(statement)

    engine = (await db.connection()).sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        pools = await placement._pools(db, scopes)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [[t.id for t in pools[scope]] for scope in scopes] == [
        [str(by_domain["endpoint"].id)],
        [str(by_domain["email"].id)],
        [],
        [],
    ]
    assert len(statements) <= 2  # the pending (id, count) pairs, then texts not yet kept


async def test_merged_proposal_text_has_no_names_and_keeps_case(
    db: AsyncSession, desk: Desk
) -> None:
    await import_lines(
        db,
        desk.account,
        [
            {
                **novel("n1", "Mia Rossi - Teams camera not detected after Windows update"),
                "customer": "Oakridge Pharmacy",
            },
            {
                **novel("n2", "Oakridge Pharmacy: Teams camera not detected since Windows update"),
                "customer": "Oakridge Pharmacy",
            },
            {
                **novel(
                    "n3",
                    "RE: Teams camera not detected #48213\n\nHi all,\n\nno camera in "
                    "Teams\n\nThanks, Lukas Becker",
                ),
                "customer": "Kestrel Logistics",
            },
        ],
    )
    stats = await desk.drain()
    assert stats.outcomes == {"proposed": 1, "merged": 2}
    [proposal] = await proposals(db)
    shown = " ".join([proposal.title, proposal.description or "", *proposal.match_keywords])
    shown += " ".join(proposal.supporting_summaries)
    for name in ("Mia", "Rossi", "Oakridge", "Pharmacy", "Lukas", "Becker", "Kestrel", "48213"):
        assert name.lower() not in shown.lower(), name
    assert proposal.title.startswith("Teams camera not detected")
    assert "Teams" in proposal.match_keywords or "teams" in proposal.match_keywords
    assert proposal.description.startswith("Reported 3 times")
    # The flow a reviewer would publish carries the keywords the proposal shows.
    assert proposal.proposed_flow_data["match_keywords"] == proposal.match_keywords


async def test_analysing_again_adds_nothing(db: AsyncSession, desk: Desk) -> None:
    await import_lines(
        db, desk.account, [novel("a1"), novel("a2", "Teams webcam missing after update")]
    )
    await desk.drain()
    before = [(p.id, p.supporting_session_count) for p in await proposals(db)]
    await db.execute(Session.__table__.update().values(analysis_status="pending"))
    await db.commit()
    stats = await desk.drain()
    assert stats.outcomes == {"done": 2}
    assert [(p.id, p.supporting_session_count) for p in await proposals(db)] == before


async def test_budget_51st_waits_for_the_next_day(db: AsyncSession, desk: Desk) -> None:
    lines = [distinct(f"b{i}", i) for i in range(51)]
    lines.append(followed("r-free"))  # reinforcements never count against the budget
    await import_lines(db, desk.account, lines)
    stats = await desk.drain()
    assert stats.outcomes.get("waiting") == 1
    assert stats.outcomes.get("reinforced") == 1
    assert await statuses(db) == {"completed": 51, "waiting": 1}
    waiting = (
        await db.execute(select(Session).where(Session.analysis_status == "waiting"))
    ).scalar_one()
    assert waiting.analysis_not_before == budget.next_budget_day(desk.clock.now)
    assert "budget" in (waiting.analysis_error or "")
    # Still the same day: nothing to do.
    assert (await desk.drain()).processed == 0
    desk.clock.advance(days=1)
    stats = await desk.drain()
    assert stats.outcomes in ({"proposed": 1}, {"merged": 1})
    assert await statuses(db) == {"completed": 52}
    await assert_nothing_lost(db)


async def test_budget_setting_and_zero_means_unlimited(db: AsyncSession, desk: Desk) -> None:
    await import_lines(
        db,
        desk.account,
        [distinct(f"z{i}", i) for i in range(4)],
    )
    stats = await desk.drain(daily_proposal_budget=2)
    assert stats.outcomes.get("waiting") == 2
    desk.clock.advance(days=1)
    stats = await desk.drain(daily_proposal_budget=0)
    assert stats.outcomes.get("waiting") is None
    assert await statuses(db) == {"completed": 4}


class Scripted:
    """A provider that fails in scripted ways, then (optionally) answers like the offline one."""

    def __init__(self, *script: Any, then_offline: bool = True) -> None:
        self.script = list(script)
        self.then_offline = then_offline
        self.offline = OfflineProvider()
        self.calls = 0

    async def generate_json(
        self,
        system_prompt: str,
        messages: list[dict[str, Any]],
        max_tokens: int,
        *,
        schema: Any = None,
    ) -> GenerationResult:
        self.calls += 1
        step = self.script.pop(0) if self.script else None
        if isinstance(step, Exception):
            raise step
        if isinstance(step, str):
            return GenerationResult(step, 10, 5, "scripted", "scripted", 0.01)
        if not self.then_offline:
            raise TransientProviderError("still down", provider="scripted")
        return await self.offline.generate_json(system_prompt, messages, max_tokens)


async def test_transient_faults_retry_then_succeed(db: AsyncSession, desk: Desk) -> None:
    await import_lines(db, desk.account, [novel("t1")])
    provider = Scripted(
        TransientProviderError("429", provider="x"), TransientProviderError("timeout", provider="x")
    )
    stats = await desk.drain(provider)
    assert stats.outcomes == {"retry": 2, "proposed": 1}
    assert await statuses(db) == {"completed": 1}
    await assert_nothing_lost(db)


async def test_persistent_faults_fail_with_the_reason(db: AsyncSession, desk: Desk) -> None:
    await import_lines(db, desk.account, [novel("f1")])
    stats = await desk.drain(Scripted(then_offline=False))
    assert stats.outcomes == {"retry": 2, "failed": 1}
    session = (await db.execute(select(Session))).scalar_one()
    assert session.analysis_status == "failed"
    assert "gave up after 3 attempts" in session.analysis_error
    assert "still down" in session.analysis_error
    assert await proposals(db) == []
    # The budget is refunded: a failed analysis costs nothing.
    assert await budget.used(db, account_id=desk.account_id, day=desk.clock.now.date()) == 0


async def test_broken_json_gets_one_repair(db: AsyncSession, desk: Desk) -> None:
    await import_lines(
        db, desk.account, [novel("j1"), novel("j2", "Completely different printer jam")]
    )
    repaired = Scripted('Sure! Here it is: {"title": "x", ')  # truncated, then the repair works
    stats = await desk.drain(repaired, ai_concurrency=1)
    assert "failed" not in stats.outcomes
    assert repaired.calls == 3  # broken, repaired, second session
    await assert_nothing_lost(db)


async def test_invalid_twice_fails_with_the_problems(db: AsyncSession, desk: Desk) -> None:
    await import_lines(db, desk.account, [novel("k1")])
    bad_tree = '{"title": "T", "tree_structure": {"id": "root", "type": "action"}}'
    stats = await desk.drain(Scripted(bad_tree, '```json\n{"title": "T"}\n```'))
    assert stats.outcomes == {"failed": 1}
    session = (await db.execute(select(Session))).scalar_one()
    assert "still invalid after one repair" in session.analysis_error
    assert "tree_structure" in session.analysis_error
    assert await proposals(db) == []


async def test_permanent_error_fails_at_once(db: AsyncSession, desk: Desk) -> None:
    await import_lines(db, desk.account, [novel("p1")])
    stats = await desk.drain(Scripted(PermanentProviderError("401 bad key", provider="x")))
    assert stats.outcomes == {"failed": 1}
    session = (await db.execute(select(Session))).scalar_one()
    assert "401 bad key" in session.analysis_error


async def test_expired_lease_is_taken_over(db: AsyncSession, desk: Desk) -> None:
    await import_lines(db, desk.account, [novel("l1"), followed("l2")])
    stalled = desk.worker()
    claimed = await stalled.claim_batch(10)
    assert len(claimed) == 2
    assert (await desk.drain()).processed == 0  # leases still held
    desk.clock.advance(seconds=desk.settings.worker_lease_seconds + 1)
    stats = await desk.drain()
    assert stats.processed == 2
    late = [await stalled.process(sid) for sid in claimed]
    assert {o.result for o in late} == {"lost_lease"}
    assert await statuses(db) == {"completed": 2}
    await assert_nothing_lost(db)


async def test_failed_sessions_can_be_retried(db: AsyncSession, desk: Desk) -> None:
    from resolutionflow.sessions import repository as sessions_repo

    await import_lines(db, desk.account, [novel("q1")])
    await desk.drain(Scripted(PermanentProviderError("nope", provider="x")))
    assert await statuses(db) == {"failed": 1}
    assert await sessions_repo.requeue_failed(db, account_id=desk.account_id) == 1
    await db.commit()
    stats = await desk.drain()
    assert stats.outcomes == {"proposed": 1}


def record_claims(worker: Worker) -> list[int]:
    """How many sessions each of the worker's claims took, filled in as it claims."""
    claims: list[int] = []
    claim_batch = worker.claim_batch

    async def recording(limit: int) -> list[uuid.UUID]:
        ids = await claim_batch(limit)
        claims.append(len(ids))
        return ids

    worker.claim_batch = recording  # type: ignore[method-assign]
    return claims


async def test_a_drain_claims_batches_of_the_configured_size_until_empty(
    db: AsyncSession, desk: Desk
) -> None:
    await import_lines(db, desk.account, [followed(f"b{i}") for i in range(7)])
    worker = desk.worker(worker_batch_size=3)
    claims = record_claims(worker)
    stats = await worker.drain()
    assert stats.processed == 7  # one tick clears the whole backlog
    assert max(claims) == 3 and sum(claims) == 7
    assert await statuses(db) == {"completed": 7}


class Counting(OfflineProvider):
    """The offline provider, slowed down, counting how many calls are in flight at once."""

    in_flight = 0
    most = 0

    async def generate_json(self, *args: Any, **kwargs: Any) -> GenerationResult:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await asyncio.sleep(0.02)
            return await super().generate_json(*args, **kwargs)
        finally:
            self.in_flight -= 1


async def test_a_claim_fills_the_batch_and_model_calls_stay_within_the_concurrency(
    db: AsyncSession, desk: Desk
) -> None:
    """A worker holds up to a batch of sessions at once whatever its model concurrency (what
    a batch costs is then shared by more sessions); the model still sees at most
    `ai_concurrency` calls at a time."""
    topics = ["printer jam", "VPN drops", "Outlook crash", "disk full", "Teams echo", "MFA loop"]
    lines = [novel(f"c{i}", f"{topic} on floor {i}") for i, topic in enumerate(topics)]
    await import_lines(db, desk.account, lines)
    provider = Counting()
    worker = desk.worker(worker_batch_size=6, ai_concurrency=1, provider=provider)
    claims = record_claims(worker)
    stats = await worker.drain()
    assert stats.processed == 6 and "failed" not in stats.outcomes
    assert claims[0] == 6
    assert provider.most == 1
    await assert_nothing_lost(db)


async def test_a_stopped_worker_finishes_what_it_holds_and_claims_nothing_more(
    db: AsyncSession, desk: Desk
) -> None:
    await import_lines(db, desk.account, [followed(f"s{i}") for i in range(9)])
    worker = desk.worker(worker_batch_size=3, ai_concurrency=1)
    claim_batch = worker.claim_batch
    claims: list[int] = []

    async def stop_after_first(limit: int) -> list[uuid.UUID]:
        ids = await claim_batch(limit)
        claims.append(len(ids))
        worker.stop()  # as a SIGTERM would, right after the first claim
        return ids

    worker.claim_batch = stop_after_first  # type: ignore[method-assign]
    stats = await worker.drain()
    assert claims == [3] and stats.processed == 3
    assert await worker.wait_idle(1)
    # What it claimed is finished, the rest still queued for the next worker; no lease held.
    assert await statuses(db) == {"completed": 3, "pending": 6}
    held = await db.scalar(
        select(func.count()).select_from(Session).where(Session.lease_owner.is_not(None))
    )
    assert held == 0


async def test_stopping_the_periodic_worker_lets_the_running_drain_finish(
    db: AsyncSession, desk: Desk
) -> None:
    await import_lines(db, desk.account, [followed(f"p{i}") for i in range(9)])
    worker = desk.worker(worker_batch_size=3, ai_concurrency=1)
    claimed = asyncio.Event()
    claim_batch = worker.claim_batch

    async def signal_first(limit: int) -> list[uuid.UUID]:
        ids = await claim_batch(limit)
        claimed.set()
        await asyncio.sleep(0.05)  # the stop arrives while this batch is in hand
        return ids

    worker.claim_batch = signal_first  # type: ignore[method-assign]
    scheduler = start_periodic(worker, interval_seconds=3600)
    await asyncio.wait_for(claimed.wait(), 10)
    await stop_periodic(scheduler, worker, grace_seconds=10)
    # The batch in hand was recorded, not cancelled half-way; nothing is left leased.
    status = await statuses(db)
    assert status.get("completed", 0) >= 3 and set(status) <= {"completed", "pending"}
    held = await db.scalar(
        select(func.count()).select_from(Session).where(Session.lease_owner.is_not(None))
    )
    assert held == 0


async def test_a_drain_longer_than_the_interval_logs_no_skipped_tick_warnings(
    db: AsyncSession, desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    await import_lines(db, desk.account, [followed(f"w{i}") for i in range(3)])
    worker = desk.worker()
    claim_batch = worker.claim_batch

    async def slow(limit: int) -> list[uuid.UUID]:
        await asyncio.sleep(2.5)  # two ticks of a 1 s interval pass meanwhile
        return await claim_batch(limit)

    worker.claim_batch = slow  # type: ignore[method-assign]
    with caplog.at_level(logging.INFO):
        scheduler = start_periodic(worker, interval_seconds=1)
        await asyncio.sleep(3)
        await stop_periodic(scheduler, worker, grace_seconds=10)
    assert await statuses(db) == {"completed": 3}
    said = [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler")]
    assert not [m for m in said if "maximum number of running instances" in m], said
    assert not [m for m in said if m.startswith("Running job")], said


async def test_budget_counts_proposals_not_analyses(db: AsyncSession, desk: Desk) -> None:
    """Twelve sessions about one problem make one proposal: with a budget of 2 none is parked,
    since every answer that merges gives its unit back (and wakes a parked session)."""
    phrasings = [
        "Teams camera not detected after Windows update",
        "Teams webcam not detected since the Windows update",
        "Camera not detected in Teams after Windows update",
    ]
    lines = [novel(f"sim{i}", phrasings[i % 3]) for i in range(12)]
    await import_lines(db, desk.account, lines)
    stats = await desk.drain(daily_proposal_budget=2)
    assert await statuses(db) == {"completed": 12}
    made = await proposals(db)
    assert sum(p.supporting_session_count for p in made) == 12
    assert stats.outcomes.get("proposed") == len(made) <= 2
    used = await budget.used(db, account_id=desk.account_id, day=desk.clock.now.date())
    assert used == len(made)


async def test_distinct_sessions_still_park_past_the_budget(db: AsyncSession, desk: Desk) -> None:
    await import_lines(
        db,
        desk.account,
        [
            novel("d1"),
            novel("d2"),
            distinct("d3", 3),
            distinct("d4", 4),
        ],
    )
    stats = await desk.drain(daily_proposal_budget=2)
    # Three problems, two units: one problem waits. Which one depends on which analyses took
    # the units first (d1 and d2 together cost one unit only when d1's proposal came first).
    made = await proposals(db)
    assert stats.outcomes.get("proposed") == len(made) == 2
    assert await budget.used(db, account_id=desk.account_id, day=desk.clock.now.date()) == 2
    counts = await statuses(db)
    assert counts["completed"] == sum(p.supporting_session_count for p in made)
    assert counts["waiting"] in (1, 2) and counts["completed"] + counts["waiting"] == 4
    desk.clock.advance(days=1)
    await desk.drain(daily_proposal_budget=2)
    assert await statuses(db) == {"completed": 4}
    assert len(await proposals(db)) == 3


async def test_wake_parked_backfills(db: AsyncSession, desk: Desk) -> None:
    await import_lines(db, desk.account, [distinct(f"w{i}", i) for i in range(4)])
    await desk.drain(daily_proposal_budget=1)
    assert await statuses(db) == {"completed": 1, "waiting": 3}
    assert await budget.wake_parked(db, account_id=desk.account_id) == 3
    await db.commit()
    stats = await desk.drain(daily_proposal_budget=0)  # a one-off drain without a limit
    assert stats.outcomes == {"proposed": 3}
    assert await statuses(db) == {"completed": 4}


async def test_spent_budget_still_merges_into_pending_proposals(
    db: AsyncSession, desk: Desk
) -> None:
    """Once the day's budget is spent, a session whose problem already has a pending proposal
    is still analysed and merged (that costs nothing); one that would need a new proposal
    waits for the next day."""
    await import_lines(db, desk.account, [novel("first")])
    assert (await desk.drain(daily_proposal_budget=1)).outcomes == {"proposed": 1}
    await import_lines(
        db, desk.account, [*(novel(f"again{i}") for i in range(5)), distinct("other", 99)]
    )
    stats = await desk.drain(daily_proposal_budget=1)
    assert stats.outcomes == {"merged": 5, "waiting": 1}
    [proposal] = await proposals(db)
    assert proposal.supporting_session_count == 6
    assert await budget.used(db, account_id=desk.account_id, day=desk.clock.now.date()) == 1
    waiting = (
        await db.execute(select(Session).where(Session.analysis_status == "waiting"))
    ).scalar_one()
    assert waiting.external_id == "other" and "budget" in (waiting.analysis_error or "")
    desk.clock.advance(days=1)
    assert (await desk.drain(daily_proposal_budget=1)).outcomes == {"proposed": 1}
    await assert_nothing_lost(db)


class _Deadlock(Exception):
    sqlstate = "40P01"


async def test_a_deadlock_runs_the_transaction_again(
    db: AsyncSession, desk: Desk, monkeypatch: Any
) -> None:
    """Two workers locking the same rows: PostgreSQL rolls one back ("deadlock detected") and
    that worker runs the transaction again at once; nothing waits for a retry or is lost."""
    from sqlalchemy.exc import DBAPIError

    from resolutionflow.flywheel import reinforcement

    real = reinforcement.apply_reinforcements
    faults = [DBAPIError("UPDATE flows", {}, _Deadlock("deadlock detected"))]

    async def deadlocked_once(*args: Any, **kwargs: Any) -> None:
        if faults:
            raise faults.pop()
        await real(*args, **kwargs)

    monkeypatch.setattr(reinforcement, "apply_reinforcements", deadlocked_once)
    await import_lines(db, desk.account, [followed("r1"), followed("r2", 0.85)])
    stats = await desk.drain()
    assert stats.outcomes == {"reinforced": 2}
    assert await statuses(db) == {"completed": 2}
    flow = await db.get(Flow, desk.flow_id)
    assert flow is not None
    await db.refresh(flow)
    assert flow.success_rate == 0.19  # moved once per session, not again for the failed try
    assert len([p for p in await proposals(db) if p.proposal_type == "auto_reinforced"]) == 2


async def test_other_database_errors_send_the_session_back_to_the_queue(
    db: AsyncSession, desk: Desk, monkeypatch: Any
) -> None:
    from sqlalchemy.exc import OperationalError

    from resolutionflow.flywheel import reinforcement

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("UPDATE flows", {}, Exception("server closed the connection"))

    monkeypatch.setattr(reinforcement, "apply_reinforcements", broken)
    await import_lines(db, desk.account, [followed("r1")])
    stats = await desk.drain()  # retries come at once here (no backoff in these tests)
    assert stats.outcomes == {"retry": 2, "failed": 1}
    assert await statuses(db) == {"failed": 1}
    failed = (await db.execute(select(Session))).scalar_one()
    assert "server closed the connection" in (failed.analysis_error or "")
