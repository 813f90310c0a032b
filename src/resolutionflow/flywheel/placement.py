"""Placing analysed sessions: each joins the most similar pending proposal or starts one.

Called inside the worker's short write transaction, after the lease is confirmed; never
commits (the worker does).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.flows.diff import compare_trees, describe_addition
from resolutionflow.flows.fold import refold
from resolutionflow.flows.merge import diff_between
from resolutionflow.flows.structure import validate_tree
from resolutionflow.flywheel import repository as repo
from resolutionflow.flywheel.similarity import (
    MAX_SUMMARIES,
    ProposalText,
    best_candidate,
    find_most_similar_many,
    kept_summaries,
    scores,
)
from resolutionflow.models import Flow, FlowProposal, Session
from resolutionflow.notifications.service import (
    PROPOSAL_PENDING,
    notify_reviewers,
    proposal_pending_payload,
)
from resolutionflow.text.clean import (
    one_line,
    person_names,
    shared_keywords,
    shared_reports,
    shared_title,
    without_names,
)

Scope = repo.Scope  # account, problem domain, proposal type, target flow


def clip_title(text: str) -> str:
    """The text cut to fit a proposal title (255 characters)."""
    return text if len(text) <= 255 else text[:252].rstrip() + "..."


# Pending proposals' texts as similarity reads them, kept between batches: a worker compares
# every batch with every pending proposal of its scopes, and a desk that has not reviewed for
# a while holds thousands. Keyed by id, with the supporting session count the text was read
# at (a merge, the only change to a pending proposal's text, raises it). Least recently used
# entries go past `_CACHED`.
_CACHED = 100_000
_texts: OrderedDict[uuid.UUID, tuple[int, ProposalText]] = OrderedDict()


def _text(
    id: uuid.UUID,
    title: str,
    description: str | None,
    keywords: list[str] | None,
    summaries: list[str] | None,
) -> ProposalText:
    return ProposalText(
        id=str(id),
        title=title,
        description=description or "",
        keywords=list(keywords or []),
        summaries=list(summaries or []),
    )


async def _pools(
    db: AsyncSession,
    scopes: Iterable[Scope],
    changed: set[uuid.UUID] | frozenset[uuid.UUID] = frozenset(),
) -> dict[Scope, list[ProposalText]]:
    """The texts of each scope's pending proposals, oldest first, read from the database only
    where they are new or changed since they were last read. `changed`: proposals this
    transaction has merged into; their texts are read but not kept, since the transaction may
    yet roll back."""
    versions = await repo.pending_versions(db, scopes)
    stale = list(
        dict.fromkeys(
            pid
            for found in versions.values()
            for pid, count in found
            if pid in changed or _texts.get(pid, (None,))[0] != count
        )
    )
    unsaved: dict[uuid.UUID, ProposalText] = {}
    for pid, count, title, description, keywords, summaries in await repo.proposal_texts(db, stale):
        text = _text(pid, title, description, keywords, summaries)
        if pid in changed:
            unsaved[pid] = text
        else:
            _texts[pid] = (count, text)
    pools: dict[Scope, list[ProposalText]] = {}
    for scope, found in versions.items():
        pool = pools[scope] = []
        for pid, _count in found:
            if pid in unsaved:
                pool.append(unsaved[pid])
                continue
            cached = _texts.get(pid)
            if cached is None:
                continue  # no longer pending by the time its text was read
            _texts.move_to_end(pid)
            pool.append(cached[1])
    while len(_texts) > _CACHED:
        _texts.popitem(last=False)
    return pools


def _count_session(proposal: FlowProposal, session: Session, summary: str) -> bool:
    """Add the session to the proposal's support; False if it was already counted."""
    sid = str(session.id)
    ids = list(proposal.supporting_session_ids or [])
    if sid in ids or proposal.source_session_id == session.id:
        return False
    ids.append(sid)
    proposal.supporting_session_ids = ids
    proposal.supporting_session_count = len(ids)
    proposal.confidence_score = min(1.0, round((proposal.confidence_score or 0.0) + 0.1, 4))
    summaries = [*(proposal.supporting_summaries or []), summary]
    proposal.supporting_summaries = kept_summaries(summaries, MAX_SUMMARIES)
    return True


def _folded(
    proposal: FlowProposal, tree: dict[str, Any], snapshot: dict[str, Any]
) -> dict[str, Any]:
    """The proposal's tree with the session folded in: built again from the tree it started
    with and every route folded since, so it does not depend on the order sessions came in.
    The record of routes is kept only when the tree is sound."""
    folded, record = refold(tree, proposal.fold_record, snapshot)
    if validate_tree(folded):
        return tree
    proposal.fold_record = record
    return folded


@dataclass
class Placement:
    """Where one analysed session landed."""

    proposal: FlowProposal
    merged: bool


@dataclass
class Analysed:
    """A session whose model answer is in, ready to become or join a proposal.

    `snapshot` and `generated` are redacted; the session's own columns are not, so anything
    stored from this session's text comes from the snapshot."""

    session: Session
    snapshot: dict[str, Any]
    generated: dict[str, Any]
    flow: Flow | None = None  # the target of an enhancement
    generated_by: str | None = None  # the provider, or "offline_fallback"
    model_error: str | None = None  # why the model's answer was not used (fallback only)
    people: list[str] = field(default_factory=list)  # the account's users' names

    @property
    def names(self) -> list[str]:
        """Names to keep out of what is compared and written: the session's customer and the
        account's users, whole and by first or last name ("Jonas picked this up")."""
        customer = [self.session.customer] if self.session.customer else []
        return customer + person_names(self.people)

    @property
    def summary(self) -> str:
        """The (redacted) summary with names, greetings, signatures and ticket numbers out."""
        raw = str(self.snapshot.get("problem_summary") or "")
        return one_line(raw, names=self.names) or raw

    @property
    def proposal_type(self) -> str:
        return "enhancement" if self.flow is not None else "new_flow"

    @property
    def domain(self) -> str | None:
        if self.flow is not None:
            return self.session.problem_domain
        return self.generated.get("problem_domain") or self.session.problem_domain

    @property
    def scope(self) -> Scope:
        return (
            self.session.account_id,
            self.domain,
            self.proposal_type,
            self.flow.id if self.flow else None,
        )

    @property
    def title(self) -> str:
        fallback = f"Enhancement: {self.summary}" if self.flow else self.summary
        title = str(self.generated.get("title") or fallback or "Untitled flow")
        return clip_title(one_line(title, names=self.names) or title)

    @property
    def keywords(self) -> list[str]:
        if self.flow is not None:
            return list(self.flow.match_keywords or [])
        named = {w.casefold() for n in self.names for w in n.split()}
        words = [str(k) for k in self.generated.get("match_keywords") or []]
        return [k for k in words if k.casefold() not in named][:20]

    @property
    def description(self) -> str:
        if self.flow is not None:
            return without_names(
                str(
                    self.generated.get("diff_description")
                    or "The session left the flow at a point it does not cover."
                ),
                self.names,
            )
        return without_names(str(self.generated.get("description") or ""), self.names)

    def text(self) -> ProposalText:
        return ProposalText(
            id="new",
            title=self.title,
            description=self.description,
            keywords=self.keywords,
            summaries=[self.summary],
        )


def _merge(proposal: FlowProposal, item: Analysed) -> bool:
    """Count the session in the proposal and fold its path into the proposed flow; False if
    the session was counted already. A new-flow proposal's title is left to `_retitle`, once
    for all the sessions a batch merged into it."""
    if not _count_session(proposal, item.session, item.summary):
        return False
    if item.flow is None:
        data = dict(proposal.proposed_flow_data or {})
        if isinstance(data.get("tree_structure"), dict):
            data["tree_structure"] = _folded(proposal, data["tree_structure"], item.snapshot)
        data["match_keywords"] = list(proposal.match_keywords or [])
        proposal.proposed_flow_data = data
    elif isinstance(proposal.merged_flow_data, dict):
        base = item.flow.tree_structure
        tree = proposal.merged_flow_data.get("tree_structure") or base
        merged = _folded(proposal, tree, item.snapshot)
        diff = diff_between(base, merged)
        proposal.merged_flow_data = {**proposal.merged_flow_data, "tree_structure": merged}
        proposal.proposed_flow_data = diff
        # The description counts what the merged tree adds, as the review page does.
        described = describe_addition(compare_trees(base, merged))
        proposal.proposed_diff = {
            **(proposal.proposed_diff or {}),
            **diff,
            "diff_description": described,
        }
        proposal.description = described
    return True


def _retitle(proposal: FlowProposal) -> None:
    """Title and keywords of a new-flow proposal from what its sessions' summaries share."""
    summaries = list(proposal.supporting_summaries or [])
    if len(summaries) < 2:
        return
    title = shared_title(summaries)
    if title:
        proposal.title = clip_title(title)
    keywords = shared_keywords(summaries, extra=list(proposal.match_keywords or []))
    if keywords:
        proposal.match_keywords = keywords
        # The flow a reviewer publishes carries the proposal's keywords.
        if isinstance(proposal.proposed_flow_data, dict):
            proposal.proposed_flow_data = {
                **proposal.proposed_flow_data,
                "match_keywords": list(keywords),
            }
    description = proposal.description or ""
    if description.startswith(("Reported as:", "Reported ")) and "Resolved by:" in description:
        resolved = description[description.index("Resolved by:") :]
        reports = shared_reports(summaries, count=proposal.supporting_session_count)
        proposal.description = f"{reports} {resolved}".strip()


def _new_proposal(item: Analysed, now: datetime) -> FlowProposal:
    session, generated = item.session, item.generated
    common: dict[str, Any] = {
        "id": uuid.uuid4(),
        "account_id": session.account_id,
        "team_id": session.team_id,
        "source_session_id": session.id,
        "proposal_type": item.proposal_type,
        "status": "pending",
        "title": item.title,
        "description": item.description,
        "match_keywords": item.keywords,
        "confidence_score": float(session.confidence_score or 0.0),
        "supporting_session_count": 1,
        "supporting_session_ids": [str(session.id)],
        "supporting_summaries": [item.summary],
        "problem_domain": item.domain,
        "created_at": now,
        "generated_by": item.generated_by,
        "model_error": item.model_error,
    }
    if item.flow is None:
        return FlowProposal(
            **common,
            proposed_flow_data={
                "tree_structure": generated["tree_structure"],
                "match_keywords": item.keywords,
            },
            fold_record=None,
        )
    diff = {
        "new_nodes": generated.get("new_nodes") or [],
        "modified_options": generated.get("modified_options") or [],
    }
    return FlowProposal(
        **common,
        target_flow_id=item.flow.id,
        target_flow_version=item.flow.version,
        proposed_flow_data=diff,
        proposed_diff={"diff_description": item.description, **diff},
        merged_flow_data={
            "tree_structure": generated["merged_tree"],
            "match_keywords": list(item.flow.match_keywords or []),
        },
        fold_record=None,
    )


async def place(
    db: AsyncSession,
    items: list[Analysed],
    *,
    now: datetime,
    redaction: str = "standard",
    can_create: Callable[[Analysed], Awaitable[bool]] | None = None,
) -> list[Placement | None]:
    """Turn analysed sessions into proposals in one transaction: each joins the most similar
    pending proposal of its account, domain and type (and target flow), or starts one.
    `can_create`, when given, is asked before each new proposal; an item it refuses is not
    placed (None in the answer).

    Matches are found first with no lock; then the chosen proposals are locked in id order (a
    fixed order, so two workers cannot deadlock) and re-checked. Sessions that matched nothing
    take the scope's lock and look again, now also at proposals other workers committed and
    at those started earlier in this batch, so one new problem never gets two proposals.

    Scoring is CPU work of up to a few tenths of a second on a big pool; it runs in a thread so
    the worker's event loop keeps renewing leases and answering a stop meanwhile.
    """
    pools = await _pools(db, [item.scope for item in items])
    choice: dict[int, uuid.UUID] = {}
    in_scope = {
        scope: [i for i, item in enumerate(items) if item.scope == scope]
        for scope, pool in pools.items()
        if pool
    }
    # Every scope's comparison in one trip to the thread.
    bests = await asyncio.to_thread(
        lambda: [
            find_most_similar_many([items[i].text() for i in in_scope[scope]], pools[scope])
            for scope in in_scope
        ]
    )
    for indices, scope_bests in zip(in_scope.values(), bests, strict=True):
        for index, (best, _score) in zip(indices, scope_bests, strict=True):
            if best is not None:
                choice[index] = uuid.UUID(best)
    locked = {p.id: p for p in await repo.lock_proposals(db, sorted(set(choice.values())))}
    results: dict[int, Placement] = {}
    retitle: dict[uuid.UUID, FlowProposal] = {}  # new-flow proposals that gained sessions

    def join(proposal: FlowProposal, index: int) -> None:
        if _merge(proposal, items[index]) and proposal.proposal_type == "new_flow":
            retitle[proposal.id] = proposal
        results[index] = Placement(proposal, True)

    for index, proposal_id in choice.items():
        proposal = locked.get(proposal_id)
        if proposal is not None and proposal.status == "pending":
            join(proposal, index)
    # Titles before the second look, which compares with them.
    for proposal in retitle.values():
        _retitle(proposal)
    retitle.clear()
    rest = [i for i in range(len(items)) if i not in results]
    unplaced = sorted({items[i].scope for i in rest}, key=str)
    for account_id, domain, kind, flow_id in unplaced:
        await repo.lock_merge_scope(db, account_id, domain, f"{kind}:{flow_id}")
    if unplaced:
        pools.update(await _pools(db, unplaced, changed=set(locked)))
    created: list[FlowProposal] = []
    for scope in unplaced:
        members = [i for i in rest if items[i].scope == scope]
        pool = pools[scope]
        # One comparison for the scope: these sessions against its pool and against each
        # other, so a session can join a proposal started by an earlier one of this batch.
        # That proposal is scored by the session that started it, as placement saw it then.
        texts = [items[i].text() for i in members]
        matrix = await asyncio.to_thread(scores, texts, [*pool, *texts], always=len(texts))
        founded: dict[int, FlowProposal] = {}  # member position -> the proposal it started
        for pos, index in enumerate(members):
            item = items[index]
            column = matrix[:, pos].copy()
            eligible = np.zeros(len(texts), dtype=bool)
            eligible[list(founded)] = True
            column[len(pool) :][~eligible] = -1.0
            found = best_candidate(column)
            target: FlowProposal | None = None
            if found is not None and found >= len(pool):
                target = founded[found - len(pool)]
            elif found is not None:
                proposal_id = uuid.UUID(pool[found].id)
                target = locked.get(proposal_id) or await repo.lock_proposal(db, proposal_id)
                if target is not None:
                    locked[target.id] = target
            if target is not None and target.status == "pending":
                join(target, index)
                continue
            if can_create is not None and not await can_create(item):
                continue  # not placed (the daily budget is spent): the caller parks the session
            proposal = _new_proposal(item, now)
            founded[pos] = proposal
            created.append(proposal)
            results[index] = Placement(proposal, False)
    for proposal in retitle.values():
        _retitle(proposal)
    await repo.add_proposals(db, created)
    for proposal in created:
        await notify_reviewers(
            db,
            account_id=proposal.account_id,
            kind=PROPOSAL_PENDING,
            payload=proposal_pending_payload(proposal),
            team_id=proposal.team_id,
            redaction=redaction,
        )
    return [results.get(i) for i in range(len(items))]
