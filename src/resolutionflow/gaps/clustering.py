"""Group a period's unmatched sessions by what their problem summaries mean.

Method. Summaries are normalised (IT synonyms folded, generic service-desk words dropped,
see `resolutionflow.text.normalise`) and turned into sparse TF-IDF rows (word 1-2 grams plus
character 3-5 grams), then grouped by **average-linkage** agglomerative clustering on
cosine similarity, cut where the average similarity between two groups falls below
`DEFAULT_SIMILARITY`. Average linkage needs no number of clusters up front and, unlike
single linkage, does not chain unrelated summaries together through one ambiguous ticket.

Scaling. A group formed by average linkage at threshold t always has, for every merge,
at least one pair of summaries with similarity >= t (an average cannot exceed its
largest term). So every group lies inside one connected component of the graph whose
edges are the pairs with similarity >= t. That graph is built with one blocked sparse
matrix product, and each component is clustered on its own: exactly (SciPy's average
linkage on the component's dense similarities) when it has at most `EXACT_LIMIT`
summaries, which covers typical periods entirely. Only a component larger than that,
which real data rarely forms, falls back to an approximation: average linkage over the
graph restricted to each summary's `NEIGHBOURS` nearest neighbours, where the similarity
of two groups is the mean over their linked pairs (as scikit-learn's connectivity-
constrained agglomerative clustering does). Nothing is random, so the output is
deterministic; ties are broken by input position.

Cost. For the few hundred texts of a typical period the work is the vectoriser's fit (see
`TextVectoriser`: grams are cut once per distinct word, and the fit's rows are kept rather
than recomputed), one sparse product, SciPy's linkage, and the groups' labels, which come
from one product of a group-membership matrix with the word rows instead of one slice per
group. `group_normalised` takes text already normalised and hands back the fitted
vectoriser, so a caller (`gaps.patterns`) reads no text twice.

The threshold (0.14 average cosine similarity) sits in the middle of the range that
separates the hand-labelled summaries in `tests/data/summaries.json` exactly: lower
values start merging unrelated tickets, higher ones split one problem's rewordings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans

from resolutionflow.errors import Invalid
from resolutionflow.text.normalise import normalise
from resolutionflow.text.vectors import TextVectoriser

DEFAULT_SIMILARITY = 0.14
EXACT_LIMIT = 2000
TYPICAL = 3
_LABEL_WORDS = 4


@dataclass(frozen=True)
class Cluster:
    """One recurring problem among unmatched sessions."""

    size: int
    label: str
    typical_summaries: list[str] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)
    domain: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def cluster_summaries(
    items: list[tuple[str, str, str | None]],
    *,
    min_size: int = 3,
    similarity: float = DEFAULT_SIMILARITY,
) -> list[Cluster]:
    """Group (session_id, summary, domain) items by meaning.

    Returns the groups of at least `min_size` sessions, largest first (ties: the group whose
    first session comes first in `items`). Blank summaries are left out.
    """
    _check(min_size, similarity)
    kept = [(sid, text, dom) for sid, text, dom in items if text and text.strip()]
    if len(kept) < min_size:
        return []
    found = group_normalised(
        [normalise(text) for _, text, _ in kept], min_size=min_size, similarity=similarity
    )
    return [
        Cluster(
            size=len(idx),
            label=label,
            typical_summaries=_typical(found.rows[idx], [kept[i][1] for i in idx]),
            session_ids=[kept[i][0] for i in idx],
            domain=_main_domain([kept[i][2] for i in idx]),
        )
        for idx, label in zip(found.groups, found.labels, strict=True)
    ]


@dataclass(frozen=True)
class Grouping:
    """Positions of normalised texts grouped by meaning, and the fitted rows behind it."""

    groups: list[list[int]]  # largest first; ties: the group with the earliest position
    labels: list[str]
    texts: list[str]  # the normalised texts grouped
    vectoriser: TextVectoriser  # fitted on `texts`, so callers can place other texts
    rows: sp.csr_matrix  # the rows of `texts`


def group_normalised(
    norm: list[str], *, min_size: int = 1, similarity: float = DEFAULT_SIMILARITY
) -> Grouping:
    """Group already normalised texts (`text.normalise.normalise`) as `cluster_summaries` does.

    For callers that hold normalised text already and need positions rather than sessions.
    """
    _check(min_size, similarity)
    vectoriser = TextVectoriser()
    rows = vectoriser.fit_transform_normalised(norm)
    if not norm:
        return Grouping(groups=[], labels=[], texts=[], vectoriser=vectoriser, rows=rows)
    labels = _cluster_labels(rows, similarity)
    members: dict[int, list[int]] = {}
    for position, label in enumerate(labels.tolist()):
        members.setdefault(label, []).append(position)
    groups = sorted(
        (idx for idx in members.values() if len(idx) >= min_size),
        key=lambda idx: (-len(idx), idx[0]),
    )
    return Grouping(
        groups=groups,
        labels=_labels(vectoriser, norm, groups),
        texts=list(norm),
        vectoriser=vectoriser,
        rows=rows,
    )


def _check(min_size: int, similarity: float) -> None:
    if min_size < 1:
        raise Invalid("min_size must be at least 1")
    if not 0.0 < similarity <= 1.0:
        raise Invalid("similarity must be in (0, 1]")


def _cluster_labels(rows: sp.csr_matrix, threshold: float) -> np.ndarray:
    if rows.shape[0] <= EXACT_LIMIT:
        return _exact_average_linkage(rows, threshold)
    labels = np.full(rows.shape[0], -1, dtype=np.int64)
    next_label = 0
    for part in _partition(rows, np.arange(rows.shape[0])):
        sub = _exact_average_linkage(rows[part], threshold)
        labels[part] = sub + next_label
        next_label += int(sub.max()) + 1
    return _merge_across_parts(rows, labels, threshold)


def _partition(rows: sp.csr_matrix, idx: np.ndarray) -> list[np.ndarray]:
    """Split into topical parts of at most EXACT_LIMIT rows (k-means, fixed seed)."""
    if len(idx) <= EXACT_LIMIT:
        return [idx]
    k = -(-2 * len(idx) // EXACT_LIMIT)
    model = KMeans(n_clusters=k, n_init=1, max_iter=30, random_state=0)
    assigned = model.fit_predict(rows[idx])
    parts = [idx[assigned == c] for c in range(k) if np.any(assigned == c)]
    if len(parts) == 1:  # identical rows cannot be split by meaning; slice them instead
        return [idx[i : i + EXACT_LIMIT] for i in range(0, len(idx), EXACT_LIMIT)]
    return [piece for part in parts for piece in _partition(rows, part)]


def _exact_average_linkage(rows: sp.csr_matrix, threshold: float) -> np.ndarray:
    if rows.shape[0] == 1:
        return np.zeros(1, dtype=np.int64)
    sims = (rows @ rows.T).toarray().astype(np.float64)
    distances = np.clip(1.0 - sims, 0.0, 2.0)
    condensed = squareform(distances, checks=False)  # the upper triangle, row by row
    tree = linkage(condensed, method="average")
    flat = fcluster(tree, t=1.0 - threshold, criterion="distance")
    return _by_first_appearance(flat)


def _by_first_appearance(flat: np.ndarray) -> np.ndarray:
    _, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse]


def _merge_across_parts(rows: sp.csr_matrix, labels: np.ndarray, threshold: float) -> np.ndarray:
    """Continue average linkage across parts, on whole groups, then place leftover singles.

    The average similarity of groups A and B is sum(A) . sum(B) / (|A| |B|) for L2-normalised
    rows, so groups are compared exactly through their summed rows.
    """
    count = int(labels.max()) + 1
    member = sp.csr_matrix(
        (np.ones(len(labels), dtype=np.float32), (labels, np.arange(len(labels)))),
        shape=(count, len(labels)),
    )
    sizes = np.bincount(labels, minlength=count).astype(np.float64)
    sums = member @ rows
    groups = np.flatnonzero(sizes >= 2)
    target = np.arange(count)
    if len(groups) >= 2:
        for a, b in _merge_groups(sums[groups], sizes[groups], threshold):
            target[groups[b]] = groups[a]
    target = _resolve(target)
    merged_sizes = np.bincount(target, weights=sizes, minlength=count)
    singles = np.flatnonzero(sizes == 1)
    hosts = np.flatnonzero(merged_sizes >= 2)
    if len(singles) and len(hosts):
        host_sums = (
            sp.csr_matrix(
                (np.ones(count, dtype=np.float32), (target, np.arange(count))), shape=(count, count)
            )[hosts]
            @ sums
        )
        avg = (sums[singles] @ host_sums.T).toarray() / merged_sizes[hosts]
        best = np.argmax(avg, axis=1)
        ok = avg[np.arange(len(singles)), best] >= threshold
        target[singles[ok]] = hosts[best[ok]]
    return _by_first_appearance(target[labels])


def _merge_groups(
    sums: sp.csr_matrix, sizes: np.ndarray, threshold: float
) -> list[tuple[int, int]]:
    """Average-linkage merges among groups (given by summed rows); (kept, absorbed) pairs."""
    total = (sums @ sums.T).toarray().astype(np.float64)
    sizes = sizes.astype(np.float64)
    avg = total / np.outer(sizes, sizes)
    np.fill_diagonal(avg, -np.inf)
    # Each row's best partner is cached; a merge only invalidates rows that pointed at it,
    # because a merged group's average never exceeds the better of its two parts.
    best = np.argmax(avg, axis=1)
    best_value = avg[np.arange(len(sizes)), best]
    alive = np.ones(len(sizes), dtype=bool)
    merges: list[tuple[int, int]] = []
    while True:
        first = int(np.argmax(best_value))
        if best_value[first] < threshold:
            return merges
        a, b = sorted((first, int(best[first])))
        total[a, :] += total[b, :]
        total[:, a] += total[:, b]
        sizes[a] += sizes[b]
        alive[b] = False
        avg[a, :] = np.where(alive, total[a, :] / (sizes[a] * sizes), -np.inf)
        avg[:, a] = avg[a, :]
        avg[a, a] = avg[b, :] = avg[:, b] = -np.inf
        best_value[b] = -np.inf
        merges.append((a, b))
        stale = np.flatnonzero((best == a) | (best == b) | (np.arange(len(sizes)) == a))
        stale = stale[alive[stale]]
        best[stale] = np.argmax(avg[stale], axis=1)
        best_value[stale] = avg[stale, best[stale]]


def _resolve(target: np.ndarray) -> np.ndarray:
    """Follow merge chains so every group points at its final group."""
    while True:
        nxt = target[target]
        if np.array_equal(nxt, target):
            return target
        target = nxt


def _typical(rows: sp.csr_matrix, texts: list[str]) -> list[str]:
    """Up to TYPICAL distinct summaries nearest the group's centroid."""
    centroid = np.asarray(rows.mean(axis=0)).ravel()
    closeness = rows @ centroid
    out: list[str] = []
    seen: set[str] = set()
    for k in np.lexsort((np.arange(len(texts)), -closeness)):
        key = " ".join(texts[k].casefold().split())
        if key not in seen:
            seen.add(key)
            out.append(texts[k].strip())
        if len(out) == TYPICAL:
            break
    return out


def _labels(vectoriser: TextVectoriser, norm: list[str], groups: list[list[int]]) -> list[str]:
    """Each group's label; how many of a group's texts say each word comes from one product."""
    if not groups:
        return []
    presence = vectoriser.word_rows(norm)
    presence.data[:] = 1.0  # presence, not weight: how many of the group's summaries say it
    owner = np.concatenate([np.full(len(idx), g) for g, idx in enumerate(groups)])
    member = sp.csr_matrix(
        (np.ones(len(owner), dtype=presence.dtype), (owner, np.concatenate(groups))),
        shape=(len(groups), presence.shape[0]),
    )
    counts = sp.csr_matrix(member @ presence)
    counts.sort_indices()
    terms, idf = vectoriser.word_terms, vectoriser.word_idf
    out = []
    for g, idx in enumerate(groups):
        span = slice(counts.indptr[g], counts.indptr[g + 1])
        cols = counts.indices[span]
        words = _label(counts.data[span], len(idx), terms[cols], idf[cols], [norm[i] for i in idx])
        out.append(words or "unlabelled")
    return out


def _label(
    counts: np.ndarray, size: int, terms: np.ndarray, idf: np.ndarray, texts: list[str]
) -> str:
    """A few words that most distinguish the group (common in it, rare elsewhere), in the
    order the group's summaries usually put them ("teams camera", not "camera teams").

    `counts` holds how many of the group's `size` texts say each of `terms`."""
    floor = 2 if size >= 2 else 1
    score = np.where(counts >= floor, counts / size * idf, 0.0)
    words: list[str] = []
    for k in np.lexsort((terms, -score))[:12]:
        if score[k] <= 0 or len(words) >= _LABEL_WORDS - 1:
            break
        new = [w for w in str(terms[k]).split() if w not in words]
        if new and len(words) + len(new) <= _LABEL_WORDS:
            words.extend(new)
    return " ".join(sorted(words, key=lambda w: (_mean_position(w, texts), words.index(w))))


def _mean_position(word: str, texts: list[str]) -> float:
    places = []
    for text in texts:
        tokens = text.split()
        if word in tokens:
            places.append(tokens.index(word) / len(tokens))
    return sum(places) / len(places) if places else 1.0


def _main_domain(domains: list[str | None]) -> str | None:
    counted = Counter(d for d in domains if d)
    return counted.most_common(1)[0][0] if counted else None
