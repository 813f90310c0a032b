"""Nothing secret leaves for a model: the catalogue of planted secrets goes through the worker
and the script generator against a real OpenAI-compatible server on 127.0.0.1, and not one of
them reaches a captured request, a stored proposal or a notification."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from resolutionflow.devtools.fake_openai import FakeOpenAI, ThreadedServer
from resolutionflow.flywheel.worker import Worker
from resolutionflow.models import Flow, FlowProposal, Notification, ScriptRequest, Session
from resolutionflow.scriptgen import service as scripts
from tests.ai.fake_servers import FakeModelServer
from tests.fixtures.desk import Desk, import_lines, proposals
from tests.security.catalogue import CATALOGUE, KINDS, Planted

FLOW_PHONE, FLOW_EMAIL = "0161 496 0000", "printdesk@vendor.example"


class CapturingModel(FakeOpenAI):
    """The offline-backed fake model server, keeping every request body it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording() -> Any:
            message = await receive()
            chunks.append(message.get("body", b""))
            return message

        await super().__call__(scope, recording, send)
        self.bodies.append(b"".join(chunks).decode("utf-8"))


@pytest.fixture
def model_server() -> Iterator[tuple[CapturingModel, str]]:
    app = CapturingModel()
    server = ThreadedServer(app).start()
    yield app, server.base_url
    server.stop()


def _chunks(items: tuple[Planted, ...], n: int) -> list[list[Planted]]:
    return [list(items[i::n]) for i in range(n)]


def _line(planted: list[Planted], path: str, index: int) -> dict[str, Any]:
    """A resolved session with the planted sentences spread over every text field."""
    texts = [p.sentence for p in planted]
    pick: Callable[[int], str] = lambda i: texts[i % len(texts)]  # noqa: E731
    steps: list[dict[str, Any]] = [
        {
            "step_type": "question",
            "content": {"text": f"Is the printer showing online? {pick(1)}"},
            "context_message": "Is the printer showing online?",
            "options_presented": [
                {"value": "yes", "label": "Yes"},
                {"value": "no", "label": "No"},
            ],
            "selected_option": "no",
        },
        {
            "step_type": "action",
            "content": {"text": f"Restart the print spooler. {pick(2)}"},
            "action_result": {"success": True, "details": pick(3)},
        },
        {"step_type": "info", "content": {"text": " ".join(texts[4:])}},
    ]
    if path != "reinforce":  # free text is what makes an enhancement (and a new flow's branch)
        steps.insert(
            1,
            {
                "step_type": "question",
                "content": {"text": "What does the panel say?"},
                "free_text_input": f"driver unavailable; {pick(0)}",
            },
        )
    line: dict[str, Any] = {
        "external_id": f"planted-{index}",
        "problem_summary": f"Printer offline for the finance team. {pick(0)}",
        "status": "resolved",
        "problem_domain": "printing",
        "confidence_tier": "discovery" if path == "new_flow" else "high",
        "confidence_score": 0.6,
        "resolution_summary": f"Reinstalled the driver. {pick(1)} {pick(2)}",
        "created_at": "2026-11-10T09:00:00Z",
        "resolved_at": "2026-11-10T09:25:00Z",
        "steps": steps,
    }
    if path == "enhancement":
        line |= {"matched_flow": "printer-offline", "match_score": 0.7}
    elif path == "reinforce":
        line |= {"matched_flow": "printer-offline", "match_score": 0.95}
    return line


async def _drain_through(desk: Desk, base_url: str, **overrides: Any) -> Any:
    """Drain with the OpenAI-compatible provider pointed at the local fake server."""
    settings = desk.settings.model_copy(
        update={
            "ai_provider": "openai",
            "openai_base_url": base_url,
            "ai_model": "fake-model",
            **overrides,
        }
    )
    return await Worker(settings, clock=desk.clock).drain()


def _leaks(texts: list[str]) -> list[tuple[str, str]]:
    leaked = []
    for planted in CATALOGUE:
        for needle in planted.needles:
            if any(needle in text for text in texts):
                leaked.append((planted.kind, needle[:24]))
    return leaked


async def _everything_stored(db: AsyncSession) -> list[str]:
    await db.commit()
    db.expire_all()
    # Every column, the fold record (routes kept to fold again) included.
    everything = select(FlowProposal).options(undefer(FlowProposal.fold_record))
    rows = (await db.execute(everything)).scalars().all()
    stored = [
        json.dumps({c.key: getattr(p, c.key) for c in FlowProposal.__table__.columns}, default=str)
        for p in rows
    ]
    notes = (await db.execute(select(Notification))).scalars().all()
    return stored + [json.dumps(n.payload) for n in notes]


async def test_the_catalogue_covers_every_kind() -> None:
    assert len(CATALOGUE) >= 50
    assert {
        "password",
        "api_key",
        "cloud_key",
        "private_key",
        "connection",
        "jwt",
        "card",
        "email",
        "phone",
    } <= set(KINDS)


async def test_no_planted_secret_reaches_the_model_or_a_proposal(
    desk: Desk, db: AsyncSession, model_server: tuple[CapturingModel, str]
) -> None:
    app, base_url = model_server
    # The flow an enhancement is written against holds a phone number and an address too.
    flow = await db.get(Flow, desk.flow_id)
    assert flow is not None
    tree = json.loads(json.dumps(flow.tree_structure))
    tree["help_text"] = f"Escalate to the print vendor on {FLOW_PHONE} or {FLOW_EMAIL}"
    await db.execute(update(Flow).where(Flow.id == flow.id).values(tree_structure=tree))
    await db.commit()
    paths = ["new_flow", "enhancement", "reinforce"] * 2
    lines = [_line(chunk, paths[i], i) for i, chunk in enumerate(_chunks(CATALOGUE, len(paths)))]
    await import_lines(db, desk.account, lines)
    stats = await _drain_through(desk, base_url, worker_max_attempts=1)
    assert stats.outcomes.get("failed", 0) == 0, stats.outcomes
    made = await proposals(db)
    kinds = {p.proposal_type for p in made}
    assert {"new_flow", "enhancement", "auto_reinforced"} <= kinds, kinds
    assert len(app.bodies) >= 4  # every new flow and enhancement went to the model
    assert _leaks(app.bodies) == []
    assert not any(v in body for body in app.bodies for v in (FLOW_PHONE, FLOW_EMAIL))
    stored = await _everything_stored(db)
    assert _leaks(stored) == []
    # A merge kept the routes it folded (to fold them again): they were read above too.
    assert any('"fold_record": {' in row for row in stored)
    # The placeholders did go, typed and numbered.
    sent = "\n".join(app.bodies)
    for placeholder in ("{{SECRET_1}}", "{{EMAIL_1}}", "{{PHONE_1}}", "{{CARD_1}}"):
        assert placeholder in sent
    # The enhancement still lands on the real flow: its own text is kept as it was.
    enhancement = next(p for p in made if p.proposal_type == "enhancement")
    merged = (enhancement.merged_flow_data or {}).get("tree_structure") or {}
    assert FLOW_PHONE in json.dumps(merged) and FLOW_EMAIL in json.dumps(merged)


async def test_redaction_off_sends_text_as_typed(
    desk: Desk, db: AsyncSession, model_server: tuple[CapturingModel, str]
) -> None:
    app, base_url = model_server
    planted = [p for p in CATALOGUE if p.kind in ("email", "password")][:3]
    await import_lines(db, desk.account, [_line(planted, "new_flow", 0)])
    await _drain_through(desk, base_url, redaction="off")
    assert _leaks(app.bodies), "with redaction off the text goes as typed"


async def test_script_requests_are_redacted(
    desk: Desk, db: AsyncSession, openai_server: FakeModelServer
) -> None:
    base_url = openai_server.url + "/v1"
    await import_lines(db, desk.account, [_line(list(CATALOGUE[:20]), "new_flow", 0)])
    session_id = (await db.execute(select(Session.id))).scalar_one()
    settings = desk.settings.model_copy(
        update={
            "ai_provider": "openai",
            "openai_base_url": base_url,
            "ai_model": "fake-model",
        }
    )
    context = await scripts.script_context(
        db, account=desk.account, session_id=session_id, step_order=None
    )
    await db.commit()
    request = f"reset the password for {CATALOGUE[48].needles[0]} to {CATALOGUE[0].needles[0]}"
    answer = await scripts.produce(settings, context, request=request, language="powershell")
    row = await scripts.record(
        db, context=context, user=None, request=request, language="powershell", answer=answer
    )
    await db.commit()
    bodies = [json.dumps(seen.body) for seen in openai_server.requests]
    assert bodies and _leaks(bodies) == []
    assert "{{EMAIL_1}}" in bodies[0] and "{{SECRET_1}}" in bodies[0]
    stored = json.dumps(
        {"explanation": row.explanation, "parameters": row.parameters, "script": row.script}
    )
    assert _leaks([stored]) == []
    assert isinstance(row.id, uuid.UUID)
    assert (await db.execute(select(ScriptRequest))).scalars().all()
