"""The review queue page: stats, filters, the list, the detail panel and the review actions."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import NotFound, RateLimited, ResolutionFlowError
from resolutionflow.flows import service as flows_service
from resolutionflow.flows.diff import changed_node_ids, compare_trees
from resolutionflow.flows.structure import validate_tree
from resolutionflow.models import PROBLEM_DOMAINS, PROPOSAL_STATUSES, PROPOSAL_TYPES
from resolutionflow.review import service as review_service
from resolutionflow.review.schemas import ProposalDetail, ReviewIn
from resolutionflow.sessions import service as sessions_service
from resolutionflow.tenancy.auth import Principal
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.tenancy.ratelimit import limits_of
from resolutionflow.tenancy.roles import ADMIN, can_review, may_review_team, require_reviewer
from resolutionflow.web.common import Form, PageRoute, Viewer, form_text, redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 20
SORTS = {"newest": "Newest first", "confidence": "Highest confidence", "sessions": "Most sessions"}
ACTIONS = {"approve": "Approved", "reject": "Rejected", "dismiss": "Dismissed"}
MAX_SUPPORTING = 25


def queue_state(
    status: str | None, type: str | None, domain: str | None, sort: str | None, page: str | None
) -> dict[str, Any]:
    """The queue's filters from the address, unknown values dropped. Status defaults to
    pending (the work waiting); 'all' shows every status."""
    state: dict[str, Any] = {
        "status": status if status in (*PROPOSAL_STATUSES, "all") else "pending",
        "type": type if type in PROPOSAL_TYPES else "",
        "domain": domain if domain in PROBLEM_DOMAINS else "",
        "sort": sort if sort in SORTS else "newest",
    }
    try:
        state["page"] = max(1, min(int(page or 1), 100_000))
    except ValueError:
        state["page"] = 1
    return state


def _url_state(state: dict[str, Any]) -> dict[str, Any]:
    """The state as it goes in links: defaults left out, so addresses stay short."""
    return {
        "status": state["status"] if state["status"] != "pending" else "",
        "type": state["type"],
        "domain": state["domain"],
        "sort": state["sort"] if state["sort"] != "newest" else "",
        "page": state["page"] if state["page"] > 1 else "",
    }


async def _supporting(db: AsyncSession, viewer: Principal, ids: list[str]) -> list[dict[str, Any]]:
    out = []
    for raw in ids[:MAX_SUPPORTING]:
        try:
            session = await sessions_service.get_session(db, account=viewer.account, session_id=raw)
        except NotFound:
            continue
        out.append(
            {
                "id": str(session.id),
                "summary": session.problem_summary,
                "status": session.status,
                "tier": session.confidence_tier,
                "created_at": session.created_at,
            }
        )
    return out


async def detail_view(db: AsyncSession, viewer: Principal, proposal_id: str) -> dict[str, Any]:
    """Everything the detail panel shows, with what the viewer may do to the proposal."""
    detail: ProposalDetail = await review_service.detail(
        db, account=viewer.account, proposal_id=proposal_id
    )
    view: dict[str, Any] = {"d": detail, "flow_problems": [], "target": None}
    if detail.proposal_type == "new_flow" and detail.flow is not None:
        view["flow_problems"] = validate_tree(detail.flow)
    if detail.target_flow_id:
        try:
            view["target"] = await flows_service.get_flow(
                db, account=viewer.account, flow_id=detail.target_flow_id
            )
        except NotFound:
            view["target"] = None
    if detail.before is not None and detail.after is not None:
        comparison = (detail.change or {}).get("comparison") or compare_trees(
            detail.before, detail.after
        )
        # One count for the page: the comparison's added nodes (its summary says the same).
        added = {str(entry["id"]) for entry in comparison.get("added_nodes") or []}
        view["comparison"] = comparison
        view["added"] = added
        view["changed"] = changed_node_ids(comparison) - added
    view["supporting"] = await _supporting(db, viewer, list(detail.supporting_session_ids or []))
    in_scope = can_review(viewer.role) and may_review_team(
        viewer.role, viewer.user.team_id, detail.team_id
    )
    view["other_team"] = can_review(viewer.role) and not in_scope
    view["high_risks"] = [r for r in detail.risks if r["severity"] == "high"]
    open_for_review = in_scope and detail.status in review_service.REVIEWABLE
    has_tree = detail.flow is not None or detail.before is not None
    view["can_act"] = open_for_review
    view["can_reopen"] = viewer.role == ADMIN and detail.status in review_service.REOPENABLE
    view["can_edit"] = open_for_review and detail.proposal_type != "auto_reinforced" and has_tree
    view["can_approve"] = (
        open_for_review
        and detail.proposal_type != "auto_reinforced"
        and not detail.conflict
        and (detail.flow is not None or detail.after is not None)
        and not view["flow_problems"]
    )
    return view


async def _queue_page(
    request: Request,
    viewer: Principal,
    db: AsyncSession,
    state: dict[str, Any],
    proposal_id: str | None,
) -> Response:
    stats = await review_service.stats(db, account=viewer.account)
    rows, total = await review_service.list_page(
        db,
        account=viewer.account,
        status=None if state["status"] == "all" else state["status"],
        proposal_type=state["type"] or None,
        domain=state["domain"] or None,
        sort_by=state["sort"],
        skip=(state["page"] - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    detail = await detail_view(db, viewer, proposal_id) if proposal_id else None
    pages = max(1, -(-total // PAGE_SIZE))
    return await render(
        request,
        "review.html",
        viewer=viewer,
        db=db,
        stats=stats,
        rows=rows,
        total=total,
        state=state,
        url_state=_url_state(state),
        pages=pages,
        detail=detail,
        statuses=PROPOSAL_STATUSES,
        types=PROPOSAL_TYPES,
        domains=PROBLEM_DOMAINS,
        sorts=SORTS,
        selected=proposal_id,
    )


@router.get("/review")
async def review_queue(
    request: Request,
    viewer: Viewer,
    db: DB,
    status: str | None = None,
    type: str | None = None,
    domain: str | None = None,
    sort: str | None = None,
    page: str | None = None,
    proposal: str | None = None,
) -> Response:
    state = queue_state(status, type, domain, sort, page)
    return await _queue_page(request, viewer, db, state, proposal or None)


@router.get("/review/{proposal_id}")
async def review_detail(
    request: Request,
    proposal_id: uuid.UUID,
    viewer: Viewer,
    db: DB,
    status: str | None = None,
    type: str | None = None,
    domain: str | None = None,
    sort: str | None = None,
    page: str | None = None,
) -> Response:
    state = queue_state(status, type, domain, sort, page)
    return await _queue_page(request, viewer, db, state, str(proposal_id))


@router.post("/review/{proposal_id}/decide")
async def review_decide(
    request: Request,
    proposal_id: uuid.UUID,
    viewer: Viewer,
    form: Form,
    db: DB,
    settings: AppSettings,
) -> Response:
    require_reviewer(viewer.role)
    back = form_text(form, "back")
    here = f"/review/{proposal_id}" + (f"?{back}" if back and "//" not in back else "")
    action = form_text(form, "action")
    if action not in ACTIONS:
        return redirect(here, settings, message="Choose approve, reject or dismiss.", kind="error")
    notes = form_text(form, "reviewer_notes") or None
    if action == "reject" and not notes:
        return redirect(
            here, settings, message="Say why you reject it: a reason is required.", kind="error"
        )
    try:
        limits = limits_of(request)
        await limits.hit(limits.reviews, "reviews", viewer)
        proposal = await review_service.review(
            db,
            account=viewer.account,
            proposal_id=proposal_id,
            reviewer=viewer.user,
            body=ReviewIn(
                action=action,  # type: ignore[arg-type]
                reviewer_notes=notes,
                acknowledge_risks=form_text(form, "acknowledge_risks") == "yes",
            ),
        )
        await db.commit()
    except RateLimited as exc:
        return redirect(here, settings, message=exc.message, kind="error")
    except ResolutionFlowError as exc:
        await db.rollback()
        return redirect(here, settings, **failure_message(exc, action))
    link = None
    message = f"{ACTIONS[action]}: “{proposal.title}”."
    if proposal.published_flow_id and action == "approve":
        message = f"Approved and published: “{proposal.title}”."
        link = (f"/flows/{proposal.published_flow_id}", "Open the published flow")
    return redirect(here, settings, message=message, link=link)


@router.post("/review/{proposal_id}/reopen")
async def review_reopen(
    request: Request,
    proposal_id: uuid.UUID,
    viewer: Viewer,
    form: Form,
    db: DB,
    settings: AppSettings,
) -> Response:
    back = form_text(form, "back")
    here = f"/review/{proposal_id}" + (f"?{back}" if back and "//" not in back else "")
    try:
        limits = limits_of(request)
        await limits.hit(limits.reviews, "reviews", viewer)
        proposal = await review_service.reopen(
            db,
            account=viewer.account,
            proposal_id=proposal_id,
            reviewer=viewer.user,
            reason=form_text(form, "reason")[:2000] or None,
        )
        await db.commit()
    except RateLimited as exc:
        return redirect(here, settings, message=exc.message, kind="error")
    except ResolutionFlowError as exc:
        await db.rollback()
        if exc.status_code == 403:
            raise
        return redirect(here, settings, message=f"Could not reopen: {exc.message}.", kind="error")
    return redirect(here, settings, message=f"Reopened: “{proposal.title}” is pending again.")


def failure_message(exc: ResolutionFlowError, action: str) -> dict[str, Any]:
    """A flash for a failed review, worded for the reason (400, 409 or 422)."""
    verb = {"approve": "approve", "reject": "reject", "dismiss": "dismiss", "modify": "publish"}
    text = f"Could not {verb.get(action, action)} this proposal: {exc.message}."
    if exc.status_code == 409:
        text = f"Not saved: {exc.message}. Reload to see the current state."
    elif exc.status_code == 422:
        text = (
            f"The flow cannot be published as it is ({exc.message}). "
            "Use Edit & publish to fix these problems:"
        )
    return {"message": text, "kind": "error", "problems": exc.problems}
