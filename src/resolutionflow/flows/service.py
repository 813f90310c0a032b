"""Creating flows, publishing new versions, and importing and exporting them by key."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import get_settings
from resolutionflow.errors import Conflict, Invalid, NotFound, Problem, format_location
from resolutionflow.flows import repository as repo
from resolutionflow.flows.schemas import FlowIn, FlowUpdate
from resolutionflow.flows.structure import validate_tree
from resolutionflow.flows.success import Success
from resolutionflow.models import Account, Flow, FlowVersion, User
from resolutionflow.models.base import utcnow
from resolutionflow.tenancy.scope import get_scoped

ReadModel = TypeVar("ReadModel", bound=BaseModel)


def check_tree(tree: Any, *, prefix: str = "") -> None:
    """Raise Invalid with every problem the validator finds; location is the node id."""
    problems = validate_tree(tree)
    if problems:
        if prefix:
            problems = [Problem(f"{prefix}{p.location}", p.message) for p in problems]
        raise Invalid(f"the flow has {len(problems)} problem(s)", problems=problems)


def clean_keywords(keywords: list[str]) -> list[str]:
    out: list[str] = []
    for word in keywords:
        word = str(word).strip()
        if word and word.lower() not in {w.lower() for w in out}:
            out.append(word[:100])
    return out


async def create_flow(
    db: AsyncSession,
    *,
    account: Account,
    data: FlowIn,
    author: User | None = None,
    origin: str = "manual",
    team_id: uuid.UUID | None = None,
    source_session_id: uuid.UUID | None = None,
    proposal_id: uuid.UUID | None = None,
    change_note: str | None = None,
) -> Flow:
    check_tree(data.tree_structure)
    if data.key and (await repo.flows_by_keys(db, account.id, [data.key])):
        raise Conflict(f"a flow with key '{data.key}' already exists")
    key = data.key or await _free_key(db, account, data.name)
    now = utcnow()
    flow = Flow(
        id=uuid.uuid4(),
        account_id=account.id,
        team_id=team_id,
        key=key,
        name=data.name.strip(),
        description=data.description,
        tree_type="troubleshooting",
        tree_structure=data.tree_structure,
        match_keywords=clean_keywords(data.match_keywords),
        problem_domain=data.problem_domain,
        origin=origin,
        source_session_id=source_session_id,
        author_id=author.id if author else None,
        success_rate=None,
        usage_count=0,
        version=1,
        created_at=now,
        updated_at=now,
        owner_id=author.id if author else None,
        verified_at=now,
        review_by=review_due(now),
    )
    await repo.add(db, flow)
    await repo.add(
        db, _snapshot(flow, author=author, note=change_note or "created", proposal_id=proposal_id)
    )
    return flow


def review_due(verified_at: datetime) -> datetime:
    """The review-by date of a flow verified at `verified_at` (RESOLUTIONFLOW_FLOW_REVIEW_DAYS)."""
    return verified_at + timedelta(days=get_settings().flow_review_days)


async def _free_key(db: AsyncSession, account: Account, name: str) -> str:
    """A key derived from the name, unique in the account, so every flow can be exported."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "flow"
    taken = {f.key for f in await repo.flows_with_key_prefix(db, account.id, base)}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _snapshot(
    flow: Flow, *, author: User | None, note: str | None, proposal_id: uuid.UUID | None
) -> FlowVersion:
    return FlowVersion(
        id=uuid.uuid4(),
        flow_id=flow.id,
        account_id=flow.account_id,
        version=flow.version,
        name=flow.name,
        description=flow.description,
        tree_structure=flow.tree_structure,
        match_keywords=list(flow.match_keywords or []),
        problem_domain=flow.problem_domain,
        change_note=note,
        created_by=author.id if author else None,
        proposal_id=proposal_id,
        created_at=utcnow(),
    )


async def get_flow(db: AsyncSession, *, account: Account, flow_id: uuid.UUID | str) -> Flow:
    return await get_scoped(db, Flow, flow_id, account.id, what="flow")


async def publish_version(
    db: AsyncSession,
    *,
    account: Account,
    flow: Flow,
    changes: FlowUpdate,
    author: User | None = None,
    proposal_id: uuid.UUID | None = None,
    origin: str | None = None,
    source_session_id: uuid.UUID | None = None,
) -> Flow:
    """Publish `changes` as the flow's next version; older versions stay readable.

    A version published from an enhancement proposal passes origin `ai_enhanced` and the
    proposal's source session, which the flow then records.

    The version bump is a compare-and-set on the row, so two publishers racing on one flow
    cannot both win: the loser gets Conflict and nothing of theirs is written.
    """
    tree = changes.tree_structure if changes.tree_structure is not None else flow.tree_structure
    check_tree(tree)
    expected = changes.base_version or flow.version
    now = utcnow()
    # Publishing is a person confirming the flow, so it counts as verifying it.
    values: dict[str, Any] = {
        "version": expected + 1,
        "updated_at": now,
        "tree_structure": tree,
        "verified_at": now,
        "review_by": review_due(now),
    }
    if changes.name is not None:
        values["name"] = changes.name.strip()
    if changes.description is not None:
        values["description"] = changes.description
    if changes.problem_domain is not None:
        values["problem_domain"] = changes.problem_domain
    if changes.match_keywords is not None:
        values["match_keywords"] = clean_keywords(changes.match_keywords)
    if origin is not None:
        values["origin"] = origin
    if source_session_id is not None:
        values["source_session_id"] = source_session_id
    if not await repo.update_if_version(
        db, account_id=account.id, flow_id=flow.id, version=expected, values=values
    ):
        raise Conflict(
            f"flow '{flow.name}' changed since version {expected}; reload it and try again"
        )
    await db.refresh(flow)
    await repo.add(
        db, _snapshot(flow, author=author, note=changes.change_note, proposal_id=proposal_id)
    )
    return flow


async def update_flow(
    db: AsyncSession,
    *,
    account: Account,
    flow_id: uuid.UUID | str,
    changes: FlowUpdate,
    author: User | None = None,
) -> Flow:
    flow = await get_flow(db, account=account, flow_id=flow_id)
    return await publish_version(db, account=account, flow=flow, changes=changes, author=author)


async def list_versions(
    db: AsyncSession, *, account: Account, flow_id: uuid.UUID | str
) -> list[FlowVersion]:
    flow = await get_flow(db, account=account, flow_id=flow_id)
    return await repo.versions(db, account.id, flow.id)


async def get_version(
    db: AsyncSession, *, account: Account, flow_id: uuid.UUID | str, number: int
) -> FlowVersion:
    flow = await get_flow(db, account=account, flow_id=flow_id)
    found = await repo.version(db, account.id, flow.id, number)
    if found is None:
        raise NotFound(f"flow {flow.id} has no version {number}")
    return found


@dataclass
class FlowImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def parse_flow_items(items: Any) -> list[FlowIn]:
    """Check a whole flows file; Invalid lists every problem of every flow."""
    if not isinstance(items, list):
        raise Invalid("a flows file must be a JSON array of flow objects")
    problems: list[Problem] = []
    parsed: list[FlowIn] = []
    keys: dict[str, int] = {}
    for index, item in enumerate(items):
        where = f"flows[{index}]"
        try:
            flow = FlowIn.model_validate(item)
        except ValidationError as exc:
            problems += [
                Problem(f"{where}.{format_location(e['loc'])}", e["msg"]) for e in exc.errors()
            ]
            continue
        if not flow.key:
            problems.append(Problem(f"{where}.key", "is required to import a flow"))
        elif flow.key in keys:
            problems.append(
                Problem(f"{where}.key", f"'{flow.key}' repeats flows[{keys[flow.key]}]")
            )
        else:
            keys[flow.key] = index
        problems += [
            Problem(f"{where} ({flow.key}) node {p.location}", p.message)
            for p in validate_tree(flow.tree_structure)
        ]
        parsed.append(flow)
    if problems:
        raise Invalid(f"{len(problems)} problem(s) in the flows file", problems=problems)
    return parsed


async def import_flows(
    db: AsyncSession, *, account: Account, items: Any, author: User | None = None
) -> FlowImportSummary:
    """Create flows by key, or publish a new version where an existing flow's content changed."""
    parsed = parse_flow_items(items)
    existing = await repo.flows_by_keys(db, account.id, [f.key for f in parsed if f.key])
    summary = FlowImportSummary()
    for item in parsed:
        assert item.key is not None
        flow = existing.get(item.key)
        if flow is None:
            await create_flow(
                db,
                account=account,
                data=item,
                author=author,
                origin="imported",
                change_note="imported",
            )
            summary.created.append(item.key)
            continue
        if export_flow(flow) == item.model_dump():
            summary.unchanged.append(item.key)
            continue
        await publish_version(
            db,
            account=account,
            flow=flow,
            changes=FlowUpdate(
                name=item.name,
                description=item.description,
                problem_domain=item.problem_domain,
                match_keywords=item.match_keywords,
                tree_structure=item.tree_structure,
                change_note="imported",
            ),
            author=author,
        )
        summary.updated.append(item.key)
    return summary


def export_flow(flow: Flow) -> dict[str, Any]:
    return {
        "key": flow.key,
        "name": flow.name,
        "description": flow.description,
        "problem_domain": flow.problem_domain,
        "match_keywords": list(flow.match_keywords or []),
        "tree_structure": flow.tree_structure,
    }


async def export_flows(db: AsyncSession, *, account: Account) -> list[dict[str, Any]]:
    return [export_flow(f) for f in await repo.all_flows(db, account.id)]


# -- lookups other areas need (the importer resolves flow keys and ids through these) --------


async def flows_by_keys(
    db: AsyncSession, *, account_id: uuid.UUID, keys: Iterable[str]
) -> dict[str, Flow]:
    return await repo.flows_by_keys(db, account_id, keys)


async def flows_by_ids(
    db: AsyncSession, *, account_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Flow]:
    return await repo.flows_by_ids(db, account_id, ids)


async def search_flows(
    db: AsyncSession,
    *,
    account: Account,
    q: str | None = None,
    domain: str | None = None,
    origin: str | None = None,
    skip: int = 0,
    limit: int = 100,
) -> tuple[list[Flow], int]:
    """One page of the account's flows by text in name, description or key, domain and
    origin, by name; and how many match in all."""
    return await repo.list_flows(
        db, account.id, q=q, domain=domain, origin=origin, skip=skip, limit=limit
    )


async def all_flows(db: AsyncSession, *, account_id: uuid.UUID) -> list[Flow]:
    return await repo.all_flows(db, account_id)


async def success_of(
    db: AsyncSession, *, account_id: uuid.UUID, flow_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Success]:
    """Each flow's success figure, counted from its sessions."""
    return await repo.success_of(db, account_id, flow_ids)


async def versions_of(
    db: AsyncSession, *, account_id: uuid.UUID, flow_id: uuid.UUID
) -> list[FlowVersion]:
    """A flow's versions, newest first."""
    return await repo.versions(db, account_id, flow_id)


async def read_models(
    db: AsyncSession, account: Account, flows: list[Flow], model: type[ReadModel]
) -> list[ReadModel]:
    """Flows as API models, each with its success figure (successes / uses, counted from
    its sessions) and the reinforcement moving average as the trend it is."""
    figures = await repo.success_of(db, account.id, [f.id for f in flows])
    out: list[ReadModel] = []
    for flow in flows:
        figure = figures.get(flow.id) or Success(0, 0)
        fields = {
            "success_rate": figure.rate,
            "successes": figure.successes,
            "uses": figure.uses,
            "success_text": figure.text,
            "reinforcement_trend": flow.success_rate,
        }
        out.append(model.model_validate(flow).model_copy(update=fields))
    return out
