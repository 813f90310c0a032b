"""The flow library: search, a flow's page with its diagram and versions, compare, export."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from resolutionflow.errors import NotFound
from resolutionflow.flows import service as flows_service
from resolutionflow.flows.diff import added_node_ids, changed_node_ids, compare_trees
from resolutionflow.flows.export import to_mermaid
from resolutionflow.models import FLOW_ORIGINS, PROBLEM_DOMAINS
from resolutionflow.runner import service as runner_service
from resolutionflow.tenancy.deps import DB, AppSettings
from resolutionflow.web.common import Form, PageRoute, Viewer, form_text, redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


@router.get("/flows")
async def flow_library(
    request: Request,
    viewer: Viewer,
    db: DB,
    q: str | None = None,
    domain: str | None = None,
    origin: str | None = None,
    page: str | None = None,
) -> Response:
    state: dict[str, Any] = {
        "q": (q or "").strip()[:200],
        "domain": domain if domain in PROBLEM_DOMAINS else "",
        "origin": origin if origin in FLOW_ORIGINS else "",
        "page": max(1, _int(page, 1) or 1),
    }
    rows, total = await flows_service.search_flows(
        db,
        account=viewer.account,
        q=state["q"] or None,
        domain=state["domain"] or None,
        origin=state["origin"] or None,
        skip=(state["page"] - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    url_state = {**state, "page": state["page"] if state["page"] > 1 else ""}
    success = await flows_service.success_of(
        db, account_id=viewer.account.id, flow_ids=[f.id for f in rows]
    )
    return await render(
        request,
        "flows.html",
        viewer=viewer,
        db=db,
        rows=rows,
        total=total,
        state=state,
        success=success,
        url_state=url_state,
        pages=max(1, -(-total // PAGE_SIZE)),
        domains=PROBLEM_DOMAINS,
        origins=FLOW_ORIGINS,
    )


@router.get("/flows/{flow_id}")
async def flow_page(
    request: Request,
    flow_id: uuid.UUID,
    viewer: Viewer,
    db: DB,
    version: str | None = None,
    compare_from: str | None = None,
    compare_to: str | None = None,
) -> Response:
    flow = await flows_service.get_flow(db, account=viewer.account, flow_id=flow_id)
    versions = await flows_service.list_versions(db, account=viewer.account, flow_id=flow.id)
    by_number = {v.version: v for v in versions}
    shown_number = _int(version, flow.version) or flow.version
    shown = by_number.get(shown_number)
    tree = shown.tree_structure if shown is not None else flow.tree_structure
    comparison = None
    added: set[str] = set()
    changed: set[str] = set()
    older = _int(compare_from)
    newer = _int(compare_to)
    if older is None and newer is None and len(versions) > 1 and version is None:
        # By default show what the latest version changed.
        older, newer = versions[1].version, versions[0].version
    if older in by_number and newer in by_number:
        before, after = by_number[older].tree_structure, by_number[newer].tree_structure
        comparison = compare_trees(before, after)
        if version is None:
            tree, shown_number = after, newer  # type: ignore[assignment]
            added = set(added_node_ids(before, after))
            changed = changed_node_ids(comparison) - added
    success = (
        await flows_service.success_of(db, account_id=viewer.account.id, flow_ids=[flow.id])
    )[flow.id]
    health = await _health(db, viewer, flow, shown_number)
    flagged = await runner_service.flagged_nodes(db, account=viewer.account, flow=flow)
    return await render(
        request,
        "flow.html",
        viewer=viewer,
        db=db,
        flow=flow,
        versions=versions,
        tree=tree,
        shown_number=shown_number,
        comparison=comparison,
        older=older,
        newer=newer,
        added=added,
        changed=changed,
        success=success,
        flagged=flagged,
        **health,
    )


async def _health(db: DB, viewer: Viewer, flow: Any, number: int) -> dict[str, Any]:
    """The flow page's per-node figures of the shown version, and its ownership."""
    from resolutionflow.accounts import service as accounts_service
    from resolutionflow.flowhealth import service as health
    from resolutionflow.models.base import utcnow
    from resolutionflow.web.diagram import NodeOverlay

    try:
        stats = await health.flow_stats(
            db, account=viewer.account, key=str(flow.id), version=number
        )
    except NotFound:
        stats = None
    overlay = {
        n.node_id: NodeOverlay(
            n.reached,
            n.ended.resolved + n.ended.escalated + n.ended.abandoned + n.ended.active,
            n.reached_outcomes.success_rate,
        )
        for n in (stats.nodes if stats else [])
    }
    users = await accounts_service.list_users(db, account=viewer.account)
    owner = next((u for u in users if u.id == flow.owner_id), None)
    return {
        "stats": stats,
        "overlay": overlay if stats else None,
        "owner": owner,
        "may_verify": health.may_verify(viewer.user, flow),
        "owner_choices": users if viewer.role == "admin" else [],
        "overdue": flow.review_by is not None and flow.review_by < utcnow(),
    }


@router.post("/flows/{flow_id}/verify")
async def verify(
    flow_id: uuid.UUID, viewer: Viewer, form: Form, db: DB, settings: AppSettings
) -> Response:
    from resolutionflow.flowhealth import service as health

    flow = await health.verify_flow(db, account=viewer.account, user=viewer.user, key=str(flow_id))
    due = flow.review_by.date().isoformat() if flow.review_by else "-"
    await db.commit()
    return redirect(
        f"/flows/{flow_id}", settings, message=f"Verified; next review by {due}.", kind="info"
    )


@router.post("/flows/{flow_id}/owner")
async def change_owner(
    flow_id: uuid.UUID, viewer: Viewer, form: Form, db: DB, settings: AppSettings
) -> Response:
    from resolutionflow.flowhealth import service as health

    raw = form_text(form, "owner_id")
    try:
        owner_id = uuid.UUID(raw or "")
    except ValueError:
        return redirect(
            f"/flows/{flow_id}", settings, message="Choose the new owner.", kind="error"
        )
    await health.set_owner(
        db, account=viewer.account, actor=viewer.user, key=str(flow_id), owner_id=owner_id
    )
    await db.commit()
    return redirect(f"/flows/{flow_id}", settings, message="Owner changed.", kind="info")


def _download(content: str, filename: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/flows/{flow_id}/export.json")
async def export_json(flow_id: uuid.UUID, viewer: Viewer, db: DB) -> Response:
    flow = await flows_service.get_flow(db, account=viewer.account, flow_id=flow_id)
    body = json.dumps(flows_service.export_flow(flow), indent=2, ensure_ascii=False)
    return _download(body + "\n", f"{flow.key or flow.id}.json", "application/json")


@router.get("/flows/{flow_id}/export.mmd")
async def export_mermaid(flow_id: uuid.UUID, viewer: Viewer, db: DB) -> Response:
    flow = await flows_service.get_flow(db, account=viewer.account, flow_id=flow_id)
    return _download(
        to_mermaid(flow.tree_structure), f"{flow.key or flow.id}.mmd", "text/plain; charset=utf-8"
    )
