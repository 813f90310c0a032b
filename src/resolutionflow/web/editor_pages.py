"""The flow editor: a new flow from scratch, editing any flow, "edit & publish" of a
proposal, and live validation."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import Invalid, Problem, RateLimited, ResolutionFlowError
from resolutionflow.flows import service as flows_service
from resolutionflow.flows.schemas import FlowIn, FlowUpdate
from resolutionflow.flows.structure import validate_tree
from resolutionflow.models import PROBLEM_DOMAINS
from resolutionflow.review import service as review_service
from resolutionflow.review.schemas import ReviewIn
from resolutionflow.tenancy.auth import Principal
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.tenancy.ratelimit import limits_of
from resolutionflow.tenancy.roles import require_reviewer, require_team_review
from resolutionflow.web.common import (
    Form,
    PageRoute,
    Viewer,
    form_text,
    redirect,
    render,
    require_csrf_header,
)
from resolutionflow.web.diagram import render_flow_svg
from resolutionflow.web.templating import problem_map

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_TREE_JSON = 400_000


def safe_json(value: Any) -> str:
    """JSON to embed in a <script> element: nothing in it can close the element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def parse_tree(raw: str) -> tuple[Any, list[Problem]]:
    if len(raw) > MAX_TREE_JSON:
        return None, [Problem("tree_structure", "the flow is too large to publish")]
    try:
        return json.loads(raw), []
    except json.JSONDecodeError as exc:
        return None, [Problem("tree_structure", f"the flow is not valid JSON ({exc.msg})")]


def keywords_of(raw: str) -> list[str]:
    return [k.strip() for k in raw.replace("\n", ",").split(",") if k.strip()][:50]


async def _editor(
    request: Request,
    viewer: Principal,
    db: AsyncSession,
    *,
    fields: dict[str, Any],
    tree: Any,
    problems: list[Problem] | None = None,
    status_code: int = 200,
    flash: dict[str, Any] | None = None,
) -> Response:
    problems = validate_tree(tree) if problems is None else problems
    return await render(
        request,
        "editor.html",
        viewer=viewer,
        db=db,
        status_code=status_code,
        flash=flash,
        tree=tree,
        tree_json=json.dumps(tree, indent=2, ensure_ascii=False),
        editor_data=safe_json({"tree": tree, "problems": [p.as_dict() for p in problems]}),
        problems=problems,
        problems_by_node=problem_map(problems),
        **fields,
    )


def _failure(exc: ResolutionFlowError) -> dict[str, Any]:
    if exc.status_code == 409:
        message = f"Not published: {exc.message}. Your edits are still here."
    elif exc.status_code == 422:
        message = "Not published: the flow still has problems. Each one is shown at its node."
    else:
        message = f"Not published: {exc.message}."
    return {"kind": "error", "message": message, "problems": [], "link": None}


# Editing a flow -------------------------------------------------------------------------------


@router.get("/flows/{flow_id}/edit")
async def edit_flow(request: Request, flow_id: uuid.UUID, viewer: Viewer, db: DB) -> Response:
    require_reviewer(viewer.role)
    flow = await flows_service.get_flow(db, account=viewer.account, flow_id=flow_id)
    fields = {
        "mode": "flow",
        "heading": f"Edit flow: {flow.name}",
        "action": f"/flows/{flow.id}/edit",
        "cancel": f"/flows/{flow.id}",
        "name": flow.name,
        "description": flow.description or "",
        "keywords": ", ".join(flow.match_keywords or []),
        "base_version": flow.version,
        "note_label": "What changed (kept with the version)",
        "note": "",
        "publish_label": f"Publish version {flow.version + 1}",
    }
    return await _editor(request, viewer, db, fields=fields, tree=flow.tree_structure)


@router.post("/flows/{flow_id}/edit")
async def publish_flow(
    request: Request,
    flow_id: uuid.UUID,
    viewer: Viewer,
    form: Form,
    db: DB,
    settings: AppSettings,
) -> Response:
    require_reviewer(viewer.role)
    flow = await flows_service.get_flow(db, account=viewer.account, flow_id=flow_id)
    tree, problems = parse_tree(form_text(form, "tree_json"))
    try:
        base_version = int(form_text(form, "base_version") or flow.version)
    except ValueError:
        base_version = flow.version
    fields: dict[str, Any] = {
        "mode": "flow",
        "heading": f"Edit flow: {flow.name}",
        "action": f"/flows/{flow.id}/edit",
        "cancel": f"/flows/{flow.id}",
        "name": form_text(form, "name") or flow.name,
        "description": form_text(form, "description"),
        "keywords": form_text(form, "keywords"),
        "base_version": base_version,
        "note_label": "What changed (kept with the version)",
        "note": form_text(form, "note"),
        "publish_label": f"Publish version {base_version + 1}",
    }
    if problems:
        return await _editor(
            request, viewer, db, fields=fields, tree=tree, problems=problems, status_code=422
        )
    try:
        changes = FlowUpdate(
            name=fields["name"],
            description=fields["description"] or None,
            match_keywords=keywords_of(fields["keywords"]),
            tree_structure=tree,
            change_note=fields["note"] or "edited in the flow editor",
            base_version=base_version,
        )
        published = await flows_service.update_flow(
            db, account=viewer.account, flow_id=flow.id, changes=changes, author=viewer.user
        )
        await db.commit()
    except ValidationError as exc:
        problems = [Problem(str(e["loc"][0]), e["msg"]) for e in exc.errors()]
        return await _editor(
            request, viewer, db, fields=fields, tree=tree, problems=problems, status_code=422
        )
    except ResolutionFlowError as exc:
        await db.rollback()
        return await _editor(
            request,
            viewer,
            db,
            fields=fields,
            tree=tree,
            problems=exc.problems if isinstance(exc, Invalid) else None,
            status_code=exc.status_code,
            flash=_failure(exc),
        )
    return redirect(
        f"/flows/{published.id}", settings, message=f"Published version {published.version}."
    )


# A new flow from scratch ----------------------------------------------------------------------


def starter_tree() -> dict[str, Any]:
    """Where a new flow starts: one question with two answers still to fill in."""
    return {
        "id": "start",
        "type": "decision",
        "title": "",
        "question": "",
        "options": [
            {"id": "start-opt-1", "label": "", "next_node_id": None},
            {"id": "start-opt-2", "label": "", "next_node_id": None},
        ],
        "children": [],
    }


def _new_fields(form: Any = None) -> dict[str, Any]:
    def value(name: str) -> str:
        return form_text(form, name) if form is not None else ""

    domain = value("problem_domain")
    return {
        "mode": "new",
        "heading": "New flow",
        "action": "/flows/new",
        "cancel": "/flows",
        "name": value("name"),
        "description": value("description"),
        "keywords": value("keywords"),
        "base_version": "",
        "note_label": "Note for the first version",
        "note": value("note"),
        "publish_label": "Publish the new flow",
        "domains": PROBLEM_DOMAINS,
        "problem_domain": domain if domain in PROBLEM_DOMAINS else "",
    }


@router.get("/flows/new")
async def new_flow(request: Request, viewer: Viewer, db: DB) -> Response:
    require_reviewer(viewer.role)
    return await _editor(request, viewer, db, fields=_new_fields(), tree=starter_tree())


@router.post("/flows/new")
async def create_new_flow(
    request: Request, viewer: Viewer, form: Form, db: DB, settings: AppSettings
) -> Response:
    require_reviewer(viewer.role)
    fields = _new_fields(form)
    tree, problems = parse_tree(form_text(form, "tree_json"))
    if not problems and not fields["name"]:
        problems = [Problem("name", "give the flow a name")]
    if problems:
        return await _editor(
            request,
            viewer,
            db,
            fields=fields,
            tree=tree,
            problems=problems,
            status_code=422,
            flash={
                "kind": "error",
                "message": f"Not published: {problems[0]}.",
                "problems": [],
                "link": None,
            },
        )
    try:
        data = FlowIn(
            name=fields["name"][:255],
            description=fields["description"] or None,
            problem_domain=fields["problem_domain"] or None,
            match_keywords=keywords_of(fields["keywords"]),
            tree_structure=tree,
        )
        flow = await flows_service.create_flow(
            db,
            account=viewer.account,
            data=data,
            author=viewer.user,
            origin="manual",
            team_id=viewer.user.team_id,
            change_note=fields["note"] or "written in the editor",
        )
        await db.commit()
    except ValidationError as exc:
        problems = [Problem(str(e["loc"][0]), e["msg"]) for e in exc.errors()]
        return await _editor(
            request, viewer, db, fields=fields, tree=tree, problems=problems, status_code=422
        )
    except ResolutionFlowError as exc:
        await db.rollback()
        return await _editor(
            request,
            viewer,
            db,
            fields=fields,
            tree=tree,
            problems=exc.problems if isinstance(exc, Invalid) else None,
            status_code=exc.status_code,
            flash=_failure(exc),
        )
    return redirect(f"/flows/{flow.id}", settings, message=f"Published the new flow “{flow.name}”.")


# Edit & publish a proposal --------------------------------------------------------------------


async def _proposal_fields(
    db: AsyncSession, viewer: Principal, proposal_id: uuid.UUID
) -> tuple[dict[str, Any], Any, str | None]:
    detail = await review_service.detail(db, account=viewer.account, proposal_id=proposal_id)
    require_team_review(viewer.role, viewer.user.team_id, detail.team_id)
    if detail.proposal_type == "auto_reinforced" or detail.status not in review_service.REVIEWABLE:
        raise Invalid(f"this proposal is {detail.status} and cannot be edited and published")
    if detail.proposal_type == "new_flow":
        tree, publish = detail.flow, "Publish new flow"
    else:
        tree = detail.after if detail.after is not None else detail.before
        publish = f"Publish version {(detail.current_target_version or 0) + 1}"
    fields = {
        "mode": "proposal",
        "heading": f"Edit & publish: {detail.title}",
        "action": f"/review/{detail.id}/edit",
        "cancel": f"/review/{detail.id}",
        "name": detail.title,
        "description": detail.description or "",
        "keywords": ", ".join(detail.match_keywords or []),
        "base_version": "",
        "note_label": "Reviewer notes (kept with the decision)",
        "note": "",
        "publish_label": publish,
        "proposal": detail,
        "name_editable": detail.proposal_type == "new_flow",
    }
    return fields, tree or {}, detail.conflict


@router.get("/review/{proposal_id}/edit")
async def edit_proposal(
    request: Request, proposal_id: uuid.UUID, viewer: Viewer, db: DB
) -> Response:
    require_reviewer(viewer.role)
    fields, tree, conflict = await _proposal_fields(db, viewer, proposal_id)
    flash: dict[str, Any] | None = None
    if conflict:
        flash = {
            "kind": "warning",
            "problems": [],
            "link": None,
            "message": f"The proposed change no longer applies ({conflict}). You are "
            "editing the flow as it is now; add the change by hand.",
        }
    return await _editor(request, viewer, db, fields=fields, tree=tree, flash=flash)


@router.post("/review/{proposal_id}/edit")
async def publish_proposal(
    request: Request,
    proposal_id: uuid.UUID,
    viewer: Viewer,
    form: Form,
    db: DB,
    settings: AppSettings,
) -> Response:
    require_reviewer(viewer.role)
    fields, _, _ = await _proposal_fields(db, viewer, proposal_id)
    tree, problems = parse_tree(form_text(form, "tree_json"))
    fields.update(
        name=form_text(form, "name") or fields["name"],
        description=form_text(form, "description"),
        keywords=form_text(form, "keywords"),
        note=form_text(form, "note"),
    )
    if problems:
        return await _editor(
            request, viewer, db, fields=fields, tree=tree, problems=problems, status_code=422
        )
    data = {
        "tree_structure": tree,
        "name": fields["name"][:255],
        "description": fields["description"] or None,
        "match_keywords": keywords_of(fields["keywords"]),
    }
    try:
        limits = limits_of(request)
        await limits.hit(limits.reviews, "reviews", viewer)
        proposal = await review_service.review(
            db,
            account=viewer.account,
            proposal_id=proposal_id,
            reviewer=viewer.user,
            body=ReviewIn(
                action="modify",
                reviewer_notes=fields["note"] or None,
                modified_flow_data=data,
                acknowledge_risks=form_text(form, "acknowledge_risks") == "yes",
            ),
        )
        await db.commit()
    except (ResolutionFlowError, RateLimited) as exc:
        await db.rollback()
        return await _editor(
            request,
            viewer,
            db,
            fields=fields,
            tree=tree,
            problems=exc.problems if isinstance(exc, Invalid) else None,
            status_code=exc.status_code,
            flash=_failure(exc),
        )
    link = (f"/flows/{proposal.published_flow_id}", "Open the published flow")
    return redirect(
        f"/review/{proposal_id}",
        settings,
        message=f"Edited and published: “{proposal.title}”.",
        link=link,
    )


# Live validation ------------------------------------------------------------------------------


@router.post("/flows/validate")
async def validate(request: Request, viewer: Viewer, settings: AppSettings) -> JSONResponse:
    """The editor's check as it types: every problem, and the diagram with them marked."""
    require_csrf_header(request, viewer, settings)
    body = await request.body()
    tree, problems = parse_tree(body.decode("utf-8", errors="replace"))
    if isinstance(tree, dict) and "tree" in tree:
        tree = tree["tree"]
    problems = problems or validate_tree(tree)
    svg = render_flow_svg(
        tree, problems=problem_map(problems), label="The flow being edited", dom_id="editor-flow"
    )
    return JSONResponse(
        {"valid": not problems, "problems": [p.as_dict() for p in problems], "svg": svg}
    )
