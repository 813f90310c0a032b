"""Group every unmatched summary of a period into recurring problems, at any volume (pure).

Clustering by meaning (`gaps.clustering`: average linkage over TF-IDF rows) costs more than
linearly with its input, and a large desk writes tens of thousands of unmatched summaries a
month. Most of them repeat: the same words with another ticket number, user or office. So
the work is done on distinct *wordings*, with their session counts:

1. The database hands over distinct summaries with counts (`GROUP BY problem_summary`).
2. Summaries that differ only in case, spacing or numbers share a key without running the
   full normaliser; each key is normalised once (`text.normalise.normalise`), and keys with the
   same normalised text form one *wording*.
3. The `MAX_CLUSTERED` most frequent wordings are clustered by meaning. Should a period
   hold more, each remaining (rare) wording joins the group of its most similar clustered
   wording when they are clearly similar (`ATTACH_SIMILARITY`), and stays on its own
   otherwise.
4. A group's size is the number of sessions behind its wordings; its typical summaries are
   its most frequent summaries as written; its domain the most common among its sessions.

The cost therefore follows the number of distinct wordings, not of sessions, and no text is
read twice: summaries normalised while forming wordings are not normalised again, and the
rows fitted for the clustering also place the remaining wordings. The clustering
treats each wording once (unweighted), a deliberate approximation: a wording repeated a
thousand times should not outvote the rephrasings that show it is the same problem.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from resolutionflow.gaps.clustering import Grouping, group_normalised
from resolutionflow.text.clean import clean, shared_title
from resolutionflow.text.normalise import normalise
from resolutionflow.text.vectors import TextVectoriser

MAX_CLUSTERED = 400
# Joining a group through one nearest wording is looser than average linkage, so a rare
# wording must be clearly similar (measured on tests/data/summaries.json: at 0.35 almost
# no unrelated summary is pulled in while most rewordings still are).
ATTACH_SIMILARITY = 0.35
TYPICAL = 3
# A wording left in a group too small to report joins the nearest reported group when its
# cosine similarity to that group's centroid reaches this (measured on bench/data/).
JOIN_SIMILARITY = 0.23
# Average-linkage threshold for a period's wordings. Stricter than the clustering module's
# default (0.14) because strays then join the group whose centroid is nearest
# (`JOIN_SIMILARITY`): at 0.14 two of the simulator's novel problems that share only
# "share" and "laptop" became one group.
GROUP_SIMILARITY = 0.17
LABEL_FROM = 30  # a group's label is drawn from its most common summaries
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class SummaryCount:
    """One distinct summary of the period's unmatched sessions, with how many sessions."""

    summary: str
    domain: str | None
    count: int
    customer: str | None = None  # the customer the sessions are for, kept out of the grouping


@dataclass
class Wording:
    text: str  # normalised
    count: int = 0
    summaries: Counter[str] = field(default_factory=Counter)
    domains: Counter[str | None] = field(default_factory=Counter)
    customers: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class SummaryGroup:
    """A recurring problem: its sessions' count and the summaries (as written) behind it."""

    size: int
    label: str
    typical_summaries: list[str]
    summaries: list[str]  # exactly as stored, most sessions first
    domain: str | None


def _key(summary: str) -> str:
    return _DIGITS.sub("0", " ".join(summary.lower().split()))


def wordings(rows: list[SummaryCount]) -> list[Wording]:
    """Distinct wordings, most sessions first (ties by text, so the order is deterministic)."""
    return _wordings(rows, {})


def _wordings(rows: list[SummaryCount], normalised: dict[str, str]) -> list[Wording]:
    """`wordings`, recording in `normalised` each summary it normalised (for reuse)."""
    norm_of: dict[tuple[str, str | None], str] = {}
    found: dict[str, Wording] = {}
    for row in rows:
        if not row.summary or not row.summary.strip() or row.count <= 0:
            continue
        key = _key(row.summary)
        norm = norm_of.get((key, row.customer))
        if norm is None:
            names = (row.customer,) if row.customer else ()
            norm = normalised[row.summary] = normalise(clean(row.summary, names=names))
            # Summaries of stop words only keep their literal text, so repeats still group.
            norm = norm or f"#{key}"
            norm_of[(key, row.customer)] = norm
        wording = found.setdefault(norm, Wording(text=norm))
        wording.count += row.count
        wording.summaries[row.summary] += row.count
        wording.domains[row.domain] += row.count
        if row.customer:
            wording.customers.add(row.customer)
    return sorted(found.values(), key=lambda w: (-w.count, w.text))


def _representative(w: Wording) -> str:
    return min(w.summaries.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _normalised(texts: list[str], known: dict[str, str]) -> list[str]:
    out = []
    for text in texts:
        norm = known.get(text)
        if norm is None:
            norm = known[text] = normalise(clean(text))
        out.append(norm)
    return out


def _attach(
    head: list[Wording],
    tail: list[Wording],
    group_of: list[int],
    clustered: Grouping,
    known: dict[str, str],
) -> list[int]:
    """For each tail wording, the group of its nearest head wording, or -1 if none is close."""
    head_texts = [w.text for w in head]
    if head_texts == clustered.texts:
        # The clustering read exactly these texts (the usual case): reuse its fitted rows.
        vectoriser, head_rows = clustered.vectoriser, clustered.rows
    else:
        vectoriser = TextVectoriser()
        head_rows = vectoriser.fit_transform_normalised(head_texts)
    tail_rows = vectoriser.transform_normalised(
        _normalised([_representative(w) for w in tail], known)
    )
    out: list[int] = []
    for start in range(0, len(tail), 2000):
        sims = (tail_rows[start : start + 2000] @ head_rows.T).toarray()
        best = np.argmax(sims, axis=1)
        for row, k in enumerate(best):
            ok = sims[row, k] >= ATTACH_SIMILARITY
            out.append(group_of[int(k)] if ok else -1)
    return out


def _label(wording: Wording) -> str:
    return " ".join(wording.text.lstrip("#").split()[:4]) or "unlabelled"


def group_summaries(
    rows: list[SummaryCount], *, min_sessions: int = 3, max_clustered: int = MAX_CLUSTERED
) -> list[SummaryGroup]:
    """Every group of at least `min_sessions` sessions, largest first.

    Wordings left in groups too small to report join the reported group whose centroid is
    nearest, when it is close enough (`JOIN_SIMILARITY`); the rest stay ungrouped."""
    known: dict[str, str] = {}
    found = _wordings(rows, known)
    if sum(w.count for w in found) < min_sessions:
        return []
    head, tail = found[:max_clustered], found[max_clustered:]
    # Each head wording is clustered by its most common summary as written.
    clustered = group_normalised(
        _normalised([_representative(w) for w in head], known), similarity=GROUP_SIMILARITY
    )
    group_of = [0] * len(head)
    for g, idx in enumerate(clustered.groups):
        for k in idx:
            group_of[k] = g
    members: list[list[Wording]] = [[head[k] for k in idx] for idx in clustered.groups]
    positions: list[list[int]] = [list(idx) for idx in clustered.groups]
    if tail:
        for w, g in zip(tail, _attach(head, tail, group_of, clustered, known), strict=True):
            if g >= 0:
                members[g].append(w)
            else:
                members.append([w])
                positions.append([])
    _join_small(members, positions, clustered, min_sessions)
    groups = []
    for words in members:
        size = sum(w.count for w in words)
        if size < min_sessions:
            continue
        summaries: Counter[str] = Counter()
        domains: Counter[str | None] = Counter()
        customers: set[str] = set()
        for w in words:
            summaries.update(w.summaries)
            domains.update(w.domains)
            customers |= w.customers
        ranked = sorted(summaries.items(), key=lambda kv: (-kv[1], kv[0]))
        typical: list[str] = []
        for text, _ in ranked:
            shown = " ".join(text.split())
            if shown not in typical:
                typical.append(shown)
            if len(typical) == TYPICAL:
                break
        named = Counter({d: c for d, c in domains.items() if d})
        label = shared_title([s for s, _ in ranked[:LABEL_FROM]], names=sorted(customers))
        groups.append(
            SummaryGroup(
                size=size,
                label=label or _label(words[0]),
                typical_summaries=typical,
                summaries=[s for s, _ in ranked],
                domain=min(named.items(), key=lambda kv: (-kv[1], kv[0]))[0] if named else None,
            )
        )
    return sorted(groups, key=lambda g: (-g.size, g.label))


def _join_small(
    members: list[list[Wording]],
    positions: list[list[int]],
    clustered: Grouping,
    min_sessions: int,
) -> None:
    """Move the wordings of groups too small to report into the reported group whose
    centroid is nearest, when its cosine similarity is at least `JOIN_SIMILARITY`."""
    sizes = [sum(w.count for w in words) for words in members]
    big = [g for g, size in enumerate(sizes) if size >= min_sessions and positions[g]]
    small = [g for g, size in enumerate(sizes) if size < min_sessions]
    if not big or not small:
        return
    rows = clustered.rows
    owner = np.concatenate([np.full(len(positions[g]), k) for k, g in enumerate(big)])
    member = sp.csr_matrix(
        (np.ones(len(owner)), (owner, np.concatenate([positions[g] for g in big]))),
        shape=(len(big), rows.shape[0]),
    )
    centroids = normalize(member @ rows)
    loose = [(g, w) for g in small for w in members[g]]
    placed = clustered.vectoriser.transform_normalised([w.text.lstrip("#") for _, w in loose])
    sims = (placed @ centroids.T).toarray()
    best = np.argmax(sims, axis=1)
    moved: set[int] = set()
    for k, (_, w) in enumerate(loose):
        if sims[k, best[k]] >= JOIN_SIMILARITY:
            members[big[int(best[k])]].append(w)
            moved.add(id(w))
    for g in small:
        members[g] = [w for w in members[g] if id(w) not in moved]
