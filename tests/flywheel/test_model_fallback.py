"""No session lost to a weak model: against real local servers, every session ends with a valid
proposal (the model's, or the offline draft marked as such) and the reason recorded."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.ai.base import close_provider
from resolutionflow.flows.structure import validate_tree
from resolutionflow.flywheel.analysis import OFFLINE_FALLBACK
from resolutionflow.flywheel.worker import Worker
from resolutionflow.models import Session
from tests.ai.fake_servers import (
    FakeModelServer,
    Reply,
    answers_in_prose,
    honours_json_schema,
    rejects_json_schema,
)
from tests.fixtures.desk import Desk, assert_nothing_lost, import_lines, proposals, statuses

SECRET_MAIL = "jane.doe@contoso-payroll.com"


def ticket(ext: str) -> dict[str, Any]:
    return {
        "external_id": ext,
        "problem_summary": "Scanner to e-mail stopped working",
        "status": "resolved",
        "problem_domain": "printing",
        "confidence_tier": "discovery",
        "confidence_score": 0.3,
        "resolution_summary": "Re-entered the SMTP app password",
        "steps": [
            {
                "step_type": "question",
                "content": {"text": "Does the scan reach any mailbox?"},
                "options_presented": [
                    {"value": "y", "label": "Yes"},
                    {"value": "n", "label": "No"},
                ],
                "selected_option": "n",
            },
            {
                "step_type": "question",
                "content": {"text": "What does the device log say?"},
                "free_text_input": f"SMTP auth failed for {SECRET_MAIL}",
                "was_free_text": True,
            },
            {
                "step_type": "action",
                "content": {"text": "Create a new app password"},
                "action_result": {"success": True, "details": "test scan delivered"},
            },
        ],
    }


async def run(desk: Desk, server: FakeModelServer, **overrides: Any) -> Any:
    settings = desk.settings.model_copy(
        update={
            "ai_provider": "openai",
            "ai_model": "tiny-local",
            "openai_base_url": server.url + "/v1",
            "openai_api_key": "",
            "ai_offline_fallback": True,
            "ai_timeout_seconds": 5.0,
            **overrides,
        }
    )
    # The worker builds its provider from the settings, as in production.
    worker = Worker(settings, clock=desk.clock)
    try:
        return await worker.drain()
    finally:
        await close_provider(worker.provider)


async def session_row(db: AsyncSession) -> Session:
    await db.commit()
    return (await db.execute(select(Session))).scalar_one()


def assert_redacted(server: FakeModelServer) -> None:
    assert server.requests
    for seen in server.requests:
        assert SECRET_MAIL not in json.dumps(seen.body)


async def test_a_server_honouring_the_schema_gives_the_models_proposal(
    db: AsyncSession, desk: Desk, openai_server: FakeModelServer
) -> None:
    await import_lines(db, desk.account, [ticket("m1")])
    openai_server.respond = honours_json_schema
    stats = await run(desk, openai_server)
    assert stats.outcomes == {"proposed": 1}
    [proposal] = await proposals(db)
    assert proposal.generated_by == "openai" and proposal.model_error is None
    assert validate_tree(proposal.proposed_flow_data["tree_structure"]) == []
    assert openai_server.requests[0].body["response_format"]["type"] == "json_schema"
    assert (await session_row(db)).analysis_error is None
    assert_redacted(openai_server)


async def test_a_server_rejecting_the_schema_still_gives_the_models_proposal(
    db: AsyncSession, desk: Desk, openai_server: FakeModelServer
) -> None:
    openai_server.respond = rejects_json_schema
    await import_lines(db, desk.account, [ticket("m2")])
    assert (await run(desk, openai_server)).outcomes == {"proposed": 1}
    # A later worker (a new provider) goes straight to what the server accepted.
    await import_lines(db, desk.account, [ticket("m3")])
    stats = await run(desk, openai_server)
    assert stats.outcomes.get("proposed", 0) + stats.outcomes.get("merged", 0) == 1
    assert {p.generated_by for p in await proposals(db)} == {"openai"}
    formats = [s.body["response_format"]["type"] for s in openai_server.requests]
    assert formats == ["json_schema", "json_object", "json_object"]
    assert_redacted(openai_server)
    await assert_nothing_lost(db)


async def test_a_model_answering_in_prose_gives_the_offline_draft_with_its_error(
    db: AsyncSession, desk: Desk, openai_server: FakeModelServer
) -> None:
    await import_lines(db, desk.account, [ticket("m4")])
    openai_server.respond = answers_in_prose
    stats = await run(desk, openai_server)
    assert stats.outcomes == {"proposed": 1}
    assert len(openai_server.requests) == 2  # the answer and the repair request
    [proposal] = await proposals(db)
    assert proposal.generated_by == OFFLINE_FALLBACK
    assert "still invalid after one repair request" in proposal.model_error
    assert "no JSON object" in proposal.model_error
    assert validate_tree(proposal.proposed_flow_data["tree_structure"]) == []
    session = await session_row(db)
    assert session.analysis_status == "completed" and session.proposal_id == proposal.id
    assert session.analysis_error.startswith("offline draft used: the model's flow")
    assert SECRET_MAIL not in json.dumps(proposal.proposed_flow_data)
    assert_redacted(openai_server)


async def test_a_model_that_times_out_gets_its_attempts_then_the_offline_draft(
    db: AsyncSession, desk: Desk, openai_server: FakeModelServer
) -> None:
    await import_lines(db, desk.account, [ticket("m5")])
    openai_server.respond = lambda body: Reply(delay=1.0)
    stats = await run(desk, openai_server, ai_timeout_seconds=0.2)
    # worker_max_attempts is 3: two returns to the queue, then the draft.
    assert stats.outcomes == {"retry": 2, "proposed": 1}
    assert len(openai_server.requests) == 3  # no retries inside a call: the queue backs off
    [proposal] = await proposals(db)
    assert proposal.generated_by == OFFLINE_FALLBACK
    assert "unavailable on all 3 attempts" in proposal.model_error
    assert "no answer within" in proposal.model_error
    await assert_nothing_lost(db)


async def test_retry_after_sets_the_sessions_not_before_time(
    db: AsyncSession, desk: Desk, openai_server: FakeModelServer
) -> None:
    await import_lines(db, desk.account, [ticket("m6")])
    openai_server.respond = lambda body: Reply(
        status=429, body={"error": {"message": "busy"}}, headers={"retry-after": "120"}
    )
    stats = await run(desk, openai_server)
    assert stats.outcomes == {"retry": 1}
    session = await session_row(db)
    assert session.analysis_status == "pending"
    waited = session.analysis_not_before.replace(tzinfo=None) - desk.clock().replace(tzinfo=None)
    assert waited.total_seconds() >= 120


async def test_with_the_fallback_off_an_unusable_answer_fails_as_before(
    db: AsyncSession, desk: Desk, openai_server: FakeModelServer
) -> None:
    await import_lines(db, desk.account, [ticket("m7")])
    openai_server.respond = answers_in_prose
    stats = await run(desk, openai_server, ai_offline_fallback=False)
    assert stats.outcomes == {"failed": 1}
    assert await proposals(db) == []
    session = await session_row(db)
    assert "still invalid after one repair request" in session.analysis_error
    assert await statuses(db) == {"failed": 1}


async def test_an_empty_answer_gets_the_draft_but_a_bad_key_still_fails(
    db: AsyncSession, desk: Desk, openai_server: FakeModelServer
) -> None:
    await import_lines(db, desk.account, [ticket("m8")])
    openai_server.respond = lambda body: Reply(
        body={
            "model": "tiny",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "length",
                    "message": {"role": "assistant", "content": ""},
                }
            ],
        }
    )
    assert (await run(desk, openai_server)).outcomes == {"proposed": 1}
    # Wrong settings are not the model's fault: they fail, to be fixed and requeued.
    await import_lines(db, desk.account, [ticket("m9")])
    openai_server.respond = lambda body: Reply(
        status=401, body={"error": {"message": "invalid api key"}}
    )
    assert (await run(desk, openai_server)).outcomes == {"failed": 1}
    [proposal] = await proposals(db)
    assert proposal.generated_by == OFFLINE_FALLBACK and "no text" in proposal.model_error
