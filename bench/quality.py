"""Quality of the flywheel's output on the labelled development corpus, in one table.

Runs the product's own path, nothing simulated: the corpus is imported as resolved, unmatched
sessions into a temporary SQLite database (the session importer), drained by the real
`Worker` with the offline provider, and the proposals it formed are read back; the gap report
is the gaps service's, over the same sessions. Measured against the corpus labels:

- the merge score: every pair of single-session proposals, built from each session as the
  worker builds them (offline provider, `flywheel.placement.Analysed.text`), is scored with
  `flywheel.similarity.pairwise`; same label = positive. Average precision over all pairs
  and over the pairs the worker can compare at all (same account, domain and type: one
  pool), and precision / recall of "score >= threshold";
- the merges: adjusted Rand index, normalised mutual information and purity of the
  proposals formed against the labels, and the largest proposal's share of the sessions
  (also on the short-titles slice, titles only, where over-merging shows most);
- the gap grouping: the same three figures for the report's recurring-problem groups
  (session ids from each repeated_pattern gap's evidence), with the sessions it left
  ungrouped as one bucket and with them left out;
- the simulator (`devtools/synthetic.py`): new-flow proposals per novel problem, their
  purity, and whether every recurring novel problem has a gap group of its own.

    .venv/bin/python bench/quality.py [--corpus bench/data/tickets.jsonl]
        [--short-titles bench/data/short_titles.jsonl] [--threshold X] [--json]

`--threshold` sets the merge threshold for the worker's merges and for precision / recall
(default: the product's `DEFAULT_THRESHOLD`). Corpus lines are session import lines with a
`label` field (see bench/data/README.md). Timings are not this script's business.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import (
    adjusted_rand_score,
    average_precision_score,
    normalized_mutual_info_score,
    precision_score,
    recall_score,
)
from sklearn.metrics.cluster import contingency_matrix

DATA = Path(__file__).resolve().parent / "data"
CORPUS = DATA / "tickets.jsonl"
SHORT_TITLES = DATA / "short_titles.jsonl"
SIMULATED_SESSIONS = 450
UNGROUPED = "(ungrouped)"

# --- the metrics (pure; tests/bench/test_quality.py checks them on hand-made cases) ---------


def purity(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Share of items whose cluster's most common true label is their own."""
    if not truth:
        return 0.0
    table = contingency_matrix(_codes(truth), _codes(predicted))
    return float(table.max(axis=0).sum() / table.sum())


def clustering_scores(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> dict[str, float]:
    """ARI, NMI and purity of a clustering against the true labels (scikit-learn's ARI/NMI)."""
    t, p = _codes(truth), _codes(predicted)
    return {
        "ari": float(adjusted_rand_score(t, p)),
        "nmi": float(normalized_mutual_info_score(t, p)),
        "purity": purity(truth, predicted),
        "clusters": len(set(p)),
        "items": len(t),
    }


def largest_share(predicted: Sequence[Hashable]) -> tuple[float, int]:
    """The largest cluster's share of all items, and its size."""
    if not predicted:
        return 0.0, 0
    size = Counter(predicted).most_common(1)[0][1]
    return size / len(predicted), size


def pair_scores(
    scores: np.ndarray,
    labels: Sequence[Hashable],
    threshold: float,
    *,
    mask: np.ndarray | None = None,
) -> dict[str, float]:
    """Average precision of a pairwise score matrix at telling same-label pairs apart, and
    precision / recall of `score >= threshold`. Each unordered pair counts once, scored as
    the mean of [i, j] and [j, i]; `mask` (n x n, bool) keeps only some pairs."""
    n = len(labels)
    upper = np.triu_indices(n, k=1)
    both = (scores + scores.T) / 2
    values = both[upper]
    codes = np.asarray(_codes(labels))
    same = (codes[:, None] == codes[None, :])[upper]
    if mask is not None:
        keep = mask[upper]
        values, same = values[keep], same[keep]
    if not len(values) or not same.any():
        return {"ap": 0.0, "precision": 0.0, "recall": 0.0, "pairs": len(values), "positives": 0}
    predicted = values >= threshold
    return {
        "ap": float(average_precision_score(same, values)),
        "precision": float(precision_score(same, predicted, zero_division=0)),
        "recall": float(recall_score(same, predicted, zero_division=0)),
        "pairs": len(values),
        "positives": int(same.sum()),
        "above_threshold": int(predicted.sum()),
    }


def group_assignment(
    session_ids: Sequence[str], groups: Sequence[Sequence[str]], *, ungrouped: Hashable = UNGROUPED
) -> list[Hashable]:
    """Each session's group index (in report order), or `ungrouped` if no group holds it."""
    where: dict[str, Hashable] = {}
    for index, members in enumerate(groups):
        for sid in members:
            where.setdefault(sid, index)
    return [where.get(sid, ungrouped) for sid in session_ids]


def own_groups(truth: Sequence[Hashable], groups: Sequence[Hashable]) -> dict[Hashable, bool]:
    """For every label, whether one group is its own: the group's most common label is this
    one, no other group's is, and the group holds no other label's items. Items outside
    every group (`UNGROUPED`) are not a group."""
    members: dict[Hashable, Counter[Hashable]] = {}
    for label, group in zip(truth, groups, strict=True):
        if group != UNGROUPED:
            members.setdefault(group, Counter())[label] += 1
    majority: dict[Hashable, list[Counter[Hashable]]] = {}
    for counts in members.values():
        top = min(counts, key=lambda lab: (-counts[lab], str(lab)))
        majority.setdefault(top, []).append(counts)
    return {
        label: len(majority.get(label, [])) == 1 and len(majority[label][0]) == 1
        for label in dict.fromkeys(truth)
    }


def _codes(values: Sequence[Hashable]) -> list[int]:
    index: dict[Hashable, int] = {}
    return [index.setdefault(v, len(index)) for v in values]


# --- the corpus -------------------------------------------------------------------------------


@dataclass
class Corpus:
    """Import lines (label removed) and the label of each, by external_id."""

    path: Path
    lines: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    latest: datetime | None = None


def read_corpus(path: Path) -> Corpus:
    """Read a labelled corpus: JSON Lines of session import lines with `label` and a unique
    `external_id`. SystemExit naming the line on anything else."""
    corpus = Corpus(path)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            label = record.pop("label")
            external_id = record["external_id"]
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise SystemExit(
                f"{path}:{number}: needs a JSON object with label and external_id "
                f"({type(exc).__name__}: {exc})"
            ) from None
        if not isinstance(label, str) or not label or external_id in corpus.labels:
            raise SystemExit(f"{path}:{number}: label missing or external_id repeated")
        corpus.labels[external_id] = label
        corpus.lines.append(json.dumps(record))
        created = record.get("created_at")
        if created:
            moment = datetime.fromisoformat(created)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            corpus.latest = max(corpus.latest or moment, moment)
    if not corpus.lines:
        raise SystemExit(f"{path}: no records")
    return corpus


# --- the product path ---------------------------------------------------------------------------


def use_threshold(threshold: float) -> None:
    """Make the worker merge at `threshold`: the similarity functions flywheel placement
    calls get it as their default."""
    from resolutionflow.flywheel import placement, similarity

    similarity.DEFAULT_THRESHOLD = threshold
    for name, value in vars(placement).copy().items():
        if callable(value) and getattr(value, "__module__", "") == similarity.__name__:
            try:
                params = inspect.signature(value).parameters
            except (TypeError, ValueError):
                continue
            if "threshold" in params:
                setattr(placement, name, functools.partial(value, threshold=threshold))


async def load(settings: Any, slug: str, corpus: Corpus, *, flows: bool = False) -> None:
    """An account for the corpus, its sessions imported by the session importer."""
    from resolutionflow.accounts import service as accounts
    from resolutionflow.db import unit_of_work
    from resolutionflow.demo.dataset import load_demo_flows
    from resolutionflow.flows import service as flow_service
    from resolutionflow.sessions import importer

    async with unit_of_work(settings) as db:
        account = await accounts.create_account(db, slug=slug, name=slug.title())
        await accounts.create_user(
            db, account=account, email=f"lead@{slug}.example", role="team_admin"
        )
        if flows:
            await flow_service.import_flows(db, account=account, items=load_demo_flows())
        summary = await importer.import_sessions(db, account=account, lines=corpus.lines)
    if summary.errors:
        shown = "\n".join(str(e) for e in summary.errors[:10])
        raise SystemExit(f"{corpus.path}: {len(summary.errors)} line(s) did not import:\n{shown}")


async def sessions_of(settings: Any, slug: str) -> list[dict[str, Any]]:
    """Every session of the account with its proposal and that proposal's type."""
    from sqlalchemy import select

    from resolutionflow.db import unit_of_work
    from resolutionflow.models import Account, FlowProposal, Session

    async with unit_of_work(settings, write=False) as db:
        stmt = (
            select(
                Session.id,
                Session.external_id,
                Session.problem_summary,
                Session.matched_flow_id,
                Session.analysis_status,
                Session.analysis_error,
                Session.proposal_id,
                FlowProposal.proposal_type,
                FlowProposal.problem_domain,
            )
            .join(Account, Account.id == Session.account_id)
            .outerjoin(FlowProposal, FlowProposal.id == Session.proposal_id)
            .where(Account.slug == slug)
            .order_by(Session.external_id)
        )
        return [dict(row._mapping) for row in (await db.execute(stmt)).all()]


async def worker_texts(settings: Any, slug: str) -> tuple[list[str], list[Any], list[str | None]]:
    """For every session of the account: its external id, the single-session proposal text
    the worker builds from it (offline provider), and the pool (domain) it would go to."""
    from sqlalchemy import select

    from resolutionflow.ai.providers.offline import OfflineProvider
    from resolutionflow.db import unit_of_work
    from resolutionflow.flywheel import repository as flywheel_repo
    from resolutionflow.flywheel.analysis import generate_new_flow
    from resolutionflow.flywheel.placement import Analysed
    from resolutionflow.models import Account, Session
    from resolutionflow.sessions.snapshot import session_snapshot

    provider = OfflineProvider()
    async with unit_of_work(settings, write=False) as db:
        stmt = (
            select(Session)
            .join(Account, Account.id == Session.account_id)
            .where(Account.slug == slug)
            .order_by(Session.external_id)
        )
        sessions = list((await db.execute(stmt)).scalars())
        steps = await flywheel_repo.steps_of_sessions(db, [s.id for s in sessions])
    ids, texts, pools = [], [], []
    for session in sessions:
        snapshot = session_snapshot(session, steps[session.id])
        generated = await generate_new_flow(provider, snapshot)
        item = Analysed(session=session, snapshot=snapshot, generated=generated.data)
        ids.append(session.external_id)
        texts.append(item.text())
        pools.append(item.domain)
    return ids, texts, pools


async def gap_groups(settings: Any, slug: str, now: datetime) -> tuple[list[list[str]], int]:
    """The report's recurring-problem groups as lists of session ids, and the period in days.

    Runs the gaps service over the 90-day period ending at `now`; the groups are read from
    the repeated_pattern gaps' evidence, in report order."""
    from resolutionflow.accounts.service import get_account
    from resolutionflow.db import unit_of_work
    from resolutionflow.gaps.service import knowledge_gaps

    async with unit_of_work(settings, write=False) as db:
        account = await get_account(db, slug=slug)
        report = await knowledge_gaps(
            db, account=account, period_days=90, settings=settings, use_cache=False, now=now
        )
    groups = [
        [str(uuid.UUID(s)) for s in gap.evidence.get("session_ids", [])]
        for gap in report.gaps
        if gap.gap_type == "repeated_pattern"
    ]
    return groups, report.period_days


# --- one measurement ------------------------------------------------------------------------------


def merge_figures(rows: list[dict[str, Any]], labels: dict[str, str]) -> dict[str, Any]:
    """How the proposals formed follow the labels. A session the worker did not place (its
    analysis failed) counts as a proposal of its own."""
    truth = [labels[r["external_id"]] for r in rows]
    placed = [str(r["proposal_id"]) if r["proposal_id"] else f"unplaced:{r['id']}" for r in rows]
    share, size = largest_share(placed)
    return {
        **clustering_scores(truth, placed),
        "labels": len(set(truth)),
        "largest_share": share,
        "largest_size": size,
        "unplaced": sum(1 for r in rows if not r["proposal_id"]),
        "failed": sum(1 for r in rows if r["analysis_status"] == "failed"),
    }


def gap_figures(
    rows: list[dict[str, Any]], labels: dict[str, str], groups: list[list[str]]
) -> dict[str, Any]:
    ids = [str(r["id"]) for r in rows]
    truth = [labels[r["external_id"]] for r in rows]
    assigned = group_assignment(ids, groups)
    grouped = [(t, g) for t, g in zip(truth, assigned, strict=True) if g != UNGROUPED]
    return {
        "groups": len(groups),
        "grouped_sessions": len(grouped),
        "sessions": len(ids),
        "with_ungrouped": clustering_scores(truth, assigned),
        "grouped_only": clustering_scores([t for t, _ in grouped], [g for _, g in grouped])
        if grouped
        else None,
    }


async def measure(args: argparse.Namespace, settings: Any) -> dict[str, Any]:
    """Every figure, on a migrated, empty database (`settings`)."""
    from resolutionflow.ai.providers.offline import OfflineProvider
    from resolutionflow.db import dispose_engines
    from resolutionflow.demo.dataset import load_demo_flows
    from resolutionflow.devtools.synthetic import NOVEL_PROBLEMS, synthetic_sessions
    from resolutionflow.flywheel import similarity
    from resolutionflow.flywheel.worker import Worker

    threshold = similarity.DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    if args.threshold is not None:
        use_threshold(threshold)
    corpus = read_corpus(args.corpus)
    short = read_corpus(args.short_titles)
    sim_now = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    simulated = synthetic_sessions(SIMULATED_SESSIONS, load_demo_flows(), now=sim_now, seed=11)
    by_length = sorted((p[1] for p in NOVEL_PROBLEMS), key=len, reverse=True)
    sim = Corpus(Path("devtools/synthetic.py"))
    for record in simulated:
        if "matched_flow" not in record:
            base = next(p for p in by_length if record["problem_summary"].startswith(p))
            sim.labels[record["external_id"]] = base
        sim.lines.append(json.dumps(record))

    try:
        step("importing the corpus, the short titles and the simulator's sessions")
        await load(settings, "corpus", corpus)
        await load(settings, "short", short)
        await load(settings, "sim", sim, flows=True)
        step("draining with the offline provider")
        stats = await Worker(settings, provider=OfflineProvider()).drain()

        step("scoring every pair of single-session proposals")
        rows = await sessions_of(settings, "corpus")
        ids, texts, pools = await worker_texts(settings, "corpus")
        scores = similarity.pairwise(texts)
        short_ids, short_texts, _ = await worker_texts(settings, "short")
        short_scores = similarity.pairwise(short_texts)
        short_labels = [short.labels[i] for i in short_ids]
        step("running the gap reports")
        id_labels = [corpus.labels[i] for i in ids]
        pool = np.asarray([str(p) for p in pools])
        same_pool = pool[:, None] == pool[None, :]
        latest = (corpus.latest or datetime.now(UTC)) + timedelta(minutes=1)
        groups, period = await gap_groups(settings, "corpus", latest)

        short_rows = await sessions_of(settings, "short")
        sim_rows = await sessions_of(settings, "sim")
        sim_groups, _ = await gap_groups(settings, "sim", sim_now + timedelta(minutes=1))
    finally:
        await dispose_engines()

    novel = [r for r in sim_rows if r["external_id"] in sim.labels]
    novel_truth = [sim.labels[r["external_id"]] for r in novel]
    new_flow = [str(r["proposal_id"]) if r["proposal_type"] == "new_flow" else None for r in novel]
    per_problem = {
        label: len({p for t, p in zip(novel_truth, new_flow, strict=True) if t == label and p})
        for label in dict.fromkeys(novel_truth)
    }
    own = own_groups(novel_truth, group_assignment([str(r["id"]) for r in novel], sim_groups))
    placed_novel = [(t, p) for t, p in zip(novel_truth, new_flow, strict=True) if p]
    return {
        "corpus": str(args.corpus),
        "short_titles": str(args.short_titles),
        "threshold": threshold,
        "sessions": len(rows),
        "labels": len(set(corpus.labels.values())),
        "drain": {"processed": stats.processed, "outcomes": stats.outcomes},
        "merge_score": {
            "all_pairs": pair_scores(scores, id_labels, threshold),
            "same_pool": pair_scores(scores, id_labels, threshold, mask=same_pool),
            "short_titles": pair_scores(short_scores, short_labels, threshold),
        },
        "merge": merge_figures(rows, corpus.labels),
        "short_merge": merge_figures(short_rows, short.labels),
        "gaps": {**gap_figures(rows, corpus.labels, groups), "period_days": period},
        "simulator": {
            "novel_problems": len(per_problem),
            "novel_sessions": len(novel),
            "proposals_per_problem": per_problem,
            "new_flow_proposals": len({p for p in new_flow if p}),
            "purity": purity([t for t, _ in placed_novel], [p for _, p in placed_novel]),
            "own_gap_group": sum(own.values()),
            "gap_groups": len(sim_groups),
        },
    }


_started = time.perf_counter()


def step(what: str) -> None:
    """Progress on stderr (wall and CPU seconds so far), so a long run shows where it is."""
    wall, cpu = time.perf_counter() - _started, time.process_time()
    print(f"[{wall:5.1f} s, CPU {cpu:5.1f} s] {what}", file=sys.stderr, flush=True)


# --- the table ---------------------------------------------------------------------------------


def table(result: dict[str, Any]) -> str:
    """The figures as one plain-text table, with the issue's targets beside them."""
    t = result["threshold"]
    ms, m, sm = result["merge_score"], result["merge"], result["short_merge"]
    g, s = result["gaps"], result["simulator"]
    rows: list[tuple[str, str, str]] = []

    def add(name: str, value: str, target: str = "") -> None:
        rows.append((name, value, target))

    add("merge score: average precision, all pairs", f"{ms['all_pairs']['ap']:.3f}", ">= 0.20")
    add("merge score: average precision, pairs in one pool", f"{ms['same_pool']['ap']:.3f}")
    add(f"merge score: precision at {t:g}", f"{ms['all_pairs']['precision']:.3f}")
    add(f"merge score: recall at {t:g}", f"{ms['all_pairs']['recall']:.3f}")
    st = ms["short_titles"]
    add("merge score, short titles: average precision", f"{st['ap']:.3f}", ">= 0.20")
    add(
        f"merge score, short titles: precision / recall at {t:g}",
        f"{st['precision']:.3f} / {st['recall']:.3f}",
    )
    add("merges: proposals formed / labels", f"{m['clusters']} / {m['labels']}")
    add("merges: ARI", f"{m['ari']:.3f}")
    add("merges: NMI", f"{m['nmi']:.3f}")
    add("merges: purity", f"{m['purity']:.3f}")
    add(
        "merges: largest proposal, share of sessions",
        f"{m['largest_share']:.1%} ({m['largest_size']} of {m['items']})",
    )
    add("short titles: proposals formed / labels", f"{sm['clusters']} / {sm['labels']}")
    add(
        "short titles: largest proposal, share",
        f"{sm['largest_share']:.1%} ({sm['largest_size']} of {sm['items']})",
        "<= 15%",
    )
    add(
        "short titles: ARI / NMI / purity",
        f"{sm['ari']:.3f} / {sm['nmi']:.3f} / {sm['purity']:.3f}",
    )
    add(
        "gaps: recurring groups reported (sessions in them)",
        f"{g['groups']} ({g['grouped_sessions']} of {g['sessions']})",
    )
    w = g["with_ungrouped"]
    add("gaps, ungrouped as one bucket: ARI", f"{w['ari']:.3f}", ">= 0.15")
    add("gaps, ungrouped as one bucket: NMI", f"{w['nmi']:.3f}", ">= 0.45")
    add("gaps, ungrouped as one bucket: purity", f"{w['purity']:.3f}")
    o = g["grouped_only"]
    add(
        "gaps, grouped sessions only: ARI / NMI / purity",
        f"{o['ari']:.3f} / {o['nmi']:.3f} / {o['purity']:.3f}" if o else "no groups",
    )
    counts = list(s["proposals_per_problem"].values())
    add(
        "simulator: new-flow proposals per novel problem",
        f"{np.mean(counts):.2f} (max {max(counts)}, {counts.count(1)} of {len(counts)} have 1)",
        "1 each",
    )
    add("simulator: purity of new-flow proposals", f"{s['purity']:.3f}", ">= 0.95")
    own = f"{s['own_gap_group']} of {s['novel_problems']} ({s['gap_groups']} groups)"
    add("simulator: novel problems with a gap group of their own", own, "all")

    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    head = (
        f"Quality on {result['corpus']}: {result['sessions']} sessions, {result['labels']} labels; "
        f"merge threshold {t:g}"
    )
    lines = [head, "", f"{'measure':<{width}}  {'value':<{value_width}}  target"]
    lines += [f"{n:<{width}}  {v:<{value_width}}  {tg}".rstrip() for n, v, tg in rows]
    if m["unplaced"] or sm["unplaced"]:
        lines.append(
            f"\n(sessions the worker did not place: {m['unplaced']} corpus, "
            f"{sm['unplaced']} short titles)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--short-titles", type=Path, default=SHORT_TITLES)
    parser.add_argument(
        "--threshold", type=float, default=None, help="merge threshold (default: the product's)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        parser.error("--threshold must be between 0 and 1")
    from resolutionflow.config import Settings
    from resolutionflow.migrations.runner import upgrade

    # A RAM-backed directory where there is one: the figures do not depend on the disk.
    ram = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=ram if ram.is_dir() else None) as tmp:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp}/quality.db", daily_proposal_budget=0
        )
        upgrade(settings)  # Alembic runs its own event loop: before ours starts
        result = asyncio.run(measure(args, settings))
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(table(result))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"({time.perf_counter() - _started:.0f} s wall, {time.process_time():.0f} s CPU; "
        f"load average {load:.1f})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
