"""The engineer's pages: start a session (find a flow for the problem), and run it node by node.

Plain forms throughout, so everything works without JavaScript; every form carries the CSRF
token and the number of steps the page showed, so a second tab on the same session is told
to reload instead of recording a step against what it no longer shows.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from resolutionflow.errors import Invalid, NotFound, Problem, ResolutionFlowError, format_location
from resolutionflow.flows.structure import iter_nodes
from resolutionflow.runner import service
from resolutionflow.runner.schemas import (
    FeedbackIn,
    FreeStepIn,
    RunAbandonIn,
    RunEscalateIn,
    RunResolveIn,
    StartIn,
    WalkStepIn,
)
from resolutionflow.runner.steps import NONE_OF_THESE
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.web.common import Form, PageRoute, Viewer, form_text, redirect, render
from resolutionflow.web.session_pages import step_view

router = APIRouter(route_class=PageRoute, include_in_schema=False)

NONE_VALUE = "__none__"


def _problems(exc: ValidationError) -> list[Problem]:
    return [Problem(format_location(tuple(e["loc"])), e["msg"]) for e in exc.errors()]


def _parse(model: Any, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid("the form is not complete", problems=_problems(exc)) from None


def _expected(form: Any) -> int | None:
    try:
        return int(form_text(form, "expected_order"))
    except ValueError:
        return None


@router.get("/start")
async def start_page(
    request: Request,
    viewer: Viewer,
    db: DB,
    q: str | None = None,
    ticket: str | None = None,
    customer: str | None = None,
) -> Response:
    problem = (q or "").strip()[:5000]
    matches = (
        await service.search_flows(db, account=viewer.account, problem=problem) if problem else []
    )
    open_runs = await service.recent_runs(db, account=viewer.account, user=viewer.user)
    return await render(
        request,
        "runner_start.html",
        viewer=viewer,
        db=db,
        problem=problem,
        ticket=(ticket or "").strip()[:100],
        customer=(customer or "").strip()[:255],
        matches=matches,
        searched=bool(problem),
        open_runs=open_runs,
    )


@router.post("/start")
async def start_submit(form: Form, viewer: Viewer, db: DB, settings: AppSettings) -> Response:
    flow_id = form_text(form, "flow_id") or None
    data = {
        "problem_summary": form_text(form, "problem"),
        "psa_ticket_id": form_text(form, "ticket") or None,
        "customer": form_text(form, "customer") or None,
        "flow_id": flow_id,
    }
    try:
        started = await service.start_session(
            db, account=viewer.account, user=viewer.user, data=_parse(StartIn, data)
        )
    except Invalid as exc:
        await db.rollback()
        return redirect(
            "/start", settings, message=exc.message, kind="error", problems=exc.problems
        )
    await db.commit()
    return redirect(f"/run/{started.id}", settings)


def _path_view(run: service.Run) -> list[dict[str, Any]]:
    return [{**step_view(step), "order": step.step_order} for step in run.steps]


def _flag_default(run: service.Run) -> str | None:
    """The step to offer for flagging: where the walk is, else the last flow node it passed."""
    if run.node is not None:
        return str(run.node.get("id"))
    for step in reversed(run.steps):
        node_id = (step.content or {}).get("node_id")
        if node_id:
            return str(node_id)
    return None


@router.get("/run/{session_id}")
async def run_page(request: Request, session_id: uuid.UUID, viewer: Viewer, db: DB) -> Response:
    run = await service.get_run(db, account=viewer.account, session_id=session_id)
    flagged = (
        await service.flagged_nodes(db, account=viewer.account, flow=run.flow) if run.flow else []
    )
    nodes = []
    if run.tree is not None:
        nodes = [
            (str(n.get("id")), str(n.get("title") or n.get("question") or n.get("id")))
            for n in iter_nodes(run.tree)
        ]
    return await render(
        request,
        "runner_run.html",
        viewer=viewer,
        db=db,
        run=run,
        s=run.session,
        node=run.node,
        trail=_path_view(run),
        score=run.score(),
        none_value=NONE_VALUE,
        none_label=NONE_OF_THESE,
        nodes=nodes,
        flagged={f.node_id: f.count for f in flagged},
        flag_default=_flag_default(run),
    )


async def _act(
    db: DB, settings: AppSettings, session_id: uuid.UUID, action: Any, done: str | None = None
) -> Response:
    """Run one change; on a refusal go back to the run page with the reason, nothing written."""
    back = f"/run/{session_id}"
    try:
        run = await action()
    except NotFound:
        raise  # another account's session, or none: the plain 404 page, no hint
    except ResolutionFlowError as exc:
        await db.rollback()
        return redirect(back, settings, message=exc.message, kind="error", problems=exc.problems)
    await db.commit()
    if done:
        return redirect(back, settings, message=done)
    session = getattr(run, "session", None)
    if session is not None and session.status != "active":
        return redirect(back, settings, message=f"Session {session.status}.")
    return redirect(back + "#current", settings)


@router.post("/run/{session_id}/walk")
async def walk_submit(
    session_id: uuid.UUID, form: Form, viewer: Viewer, db: DB, settings: AppSettings
) -> Response:
    answer = form_text(form, "answer")
    choice = form_text(form, "choice")
    data: dict[str, Any] = {
        "node_id": form_text(form, "node_id"),
        "text": form_text(form, "text") or None,
        "expected_order": _expected(form),
    }
    if answer == NONE_VALUE:
        data["choice"] = "none_of_these"
    elif answer:
        data.update(choice="option", option_id=answer)
    else:
        data["choice"] = choice or "option"

    async def action() -> Any:
        return await service.record_walk_step(
            db, account=viewer.account, session_id=session_id, data=_parse(WalkStepIn, data)
        )

    return await _act(db, settings, session_id, action)


@router.post("/run/{session_id}/steps")
async def free_step_submit(
    session_id: uuid.UUID, form: Form, viewer: Viewer, db: DB, settings: AppSettings
) -> Response:
    worked = form_text(form, "worked")
    data = {
        "kind": form_text(form, "kind"),
        "text": form_text(form, "text"),
        "detail": form_text(form, "detail") or None,
        "worked": {"yes": True, "no": False}.get(worked),
        "expected_order": _expected(form),
    }

    async def action() -> Any:
        return await service.record_free_step(
            db, account=viewer.account, session_id=session_id, data=_parse(FreeStepIn, data)
        )

    return await _act(db, settings, session_id, action)


@router.post("/run/{session_id}/back")
async def back_submit(
    session_id: uuid.UUID, form: Form, viewer: Viewer, db: DB, settings: AppSettings
) -> Response:
    async def action() -> Any:
        expected = _expected(form)
        if expected is None:
            raise Invalid("the form is not complete", problems=[Problem("expected_order", "")])
        return await service.step_back(
            db, account=viewer.account, session_id=session_id, expected_order=expected
        )

    return await _act(db, settings, session_id, action)


@router.post("/run/{session_id}/finish")
async def finish_submit(
    session_id: uuid.UUID, form: Form, viewer: Viewer, db: DB, settings: AppSettings
) -> Response:
    outcome = form_text(form, "outcome")
    text = form_text(form, "text") or None

    async def action() -> Any:
        account = viewer.account
        if outcome == "resolve":
            data = _parse(RunResolveIn, {"resolution_summary": text})
            return await service.resolve(db, account=account, session_id=session_id, data=data)
        if outcome == "escalate":
            data = _parse(RunEscalateIn, {"reason": text or ""})
            return await service.escalate(db, account=account, session_id=session_id, data=data)
        if outcome == "abandon":
            data = _parse(RunAbandonIn, {"reason": text})
            return await service.abandon(db, account=account, session_id=session_id, data=data)
        raise Invalid("choose resolve, escalate or abandon", problems=[Problem("outcome", "")])

    return await _act(db, settings, session_id, action)


@router.post("/run/{session_id}/feedback")
async def feedback_submit(
    session_id: uuid.UUID, form: Form, viewer: Viewer, db: DB, settings: AppSettings
) -> Response:
    data = {"node_id": form_text(form, "node_id"), "note": form_text(form, "note")}

    async def action() -> Any:
        return await service.flag_node(
            db,
            account=viewer.account,
            user=viewer.user,
            session_id=session_id,
            data=_parse(FeedbackIn, data),
        )

    return await _act(
        db,
        settings,
        session_id,
        action,
        done="Thanks: the step is flagged for the flow's reviewers.",
    )
