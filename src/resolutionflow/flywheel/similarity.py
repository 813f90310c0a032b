"""Decide whether a new proposal describes the same problem as a pending one, so they merge.

Two proposals are compared on four fields, each as the cosine similarity of sparse TF-IDF
rows (see `resolutionflow.textutil`), fitted on the new proposal and all its candidates
together so that words rare among them count for more than words every proposal uses:

- summaries (weight 0.40): the supporting sessions' problem summaries, the most direct
  evidence of what problem the proposal is about. Scored as the mean of the centroid
  similarity (the proposals' problems in general) and the best single pair (one session
  worded much like the new one);
- title (0.25), keywords (0.20), description (0.15).

A field empty on either side is left out and the other weights rescaled, so a proposal
with no keywords is judged on the rest. Scores are in 0..1 and identical proposals score 1.

`find_most_similar` vectorises once and scores every candidate with one sparse matrix
product per field, so thousands of candidates cost a fraction of a second; only the
`MAX_SUMMARIES` most recent summaries of each proposal are read.

Threshold. `DEFAULT_THRESHOLD` = 0.12, measured on proposals built from the hand-labelled
summaries in `tests/data/summaries.json` (two proposals per problem sharing no
summary, title or keyword). Scored among a dozen candidates, one problem's two proposals
score 0.23-0.46 and different problems at most 0.09; scored as a lone pair (where IDF
cannot tell rare words from common ones) the figures are 0.14-0.32 and at most 0.06.
0.12 separates both. Rewordings share few words, which is why same-problem scores are
modest; what matters is the gap to different problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from resolutionflow.textutil import TextVectoriser

DEFAULT_THRESHOLD = 0.12
MAX_SUMMARIES = 20
WEIGHTS: dict[str, float] = {
    "summaries": 0.40,
    "title": 0.25,
    "keywords": 0.20,
    "description": 0.15,
}
_FIELDS = ("title", "description", "keywords")


@dataclass
class ProposalText:
    """What similarity reads of a proposal."""

    id: str
    title: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)


def similarity(a: ProposalText, b: ProposalText) -> float:
    """How alike two proposals are, 0..1."""
    return float(_scores(a, [b])[0])


def rank(query: ProposalText, candidates: list[ProposalText]) -> list[float]:
    """How alike `query` is to each candidate, 0..1, in candidate order (one fit for all)."""
    if not candidates:
        return []
    return [float(x) for x in _scores(query, candidates)]


def find_most_similar(
    new: ProposalText,
    candidates: list[ProposalText],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[str | None, float]:
    """The id and score of the best candidate scoring at least `threshold`, else (None, best)."""
    if not candidates:
        return None, 0.0
    scores = _scores(new, candidates)
    best = int(np.argmax(scores))  # first of equal scores: deterministic, in candidate order
    score = float(scores[best])
    return (candidates[best].id if score >= threshold else None), score


def find_most_similar_many(
    news: list[ProposalText],
    candidates: list[ProposalText],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[str | None, float]]:
    """`find_most_similar` for several new proposals against one candidate set at once.

    The vectoriser is fitted once over all of them (so term weights also see the other new
    proposals, a negligible difference), which is what makes a worker's batch cheap: the
    pool of pending proposals is vectorised once per batch instead of once per session.
    """
    if not candidates or not news:
        return [(None, 0.0) for _ in news]
    matrix = _score_matrix(news, candidates)
    out: list[tuple[str | None, float]] = []
    for j in range(len(news)):
        column = matrix[:, j]
        best = int(np.argmax(column))
        score = float(column[best])
        out.append(((candidates[best].id if score >= threshold else None), score))
    return out


def pairwise(texts: list[ProposalText]) -> np.ndarray:
    """Every proposal scored against every other, n x n, with one fit for all (for measuring
    the merge score, see `bench/quality.py`): entry [i, j] is how alike proposal i is to
    proposal j when j is the new one, computed as `find_most_similar_many` computes it."""
    if not texts:
        return np.zeros((0, 0))
    return _score_matrix(texts, texts)


def _score_matrix(news: list[ProposalText], candidates: list[ProposalText]) -> np.ndarray:
    """Scores of every candidate (rows) against every new proposal (columns)."""
    everyone = [*news, *candidates]
    m, n = len(news), len(everyone)
    texts: list[str] = []
    for name in _FIELDS:
        texts.extend(_field_text(p, name) for p in everyone)
    owners: list[int] = []
    for k, proposal in enumerate(everyone):
        for summary in _summaries(proposal):
            texts.append(summary)
            owners.append(k)
    rows = TextVectoriser().fit_transform(texts)
    weighted = np.zeros((n - m, m))
    weight_sum = np.zeros((n - m, m))
    for f, name in enumerate(_FIELDS):
        block = rows[f * n : (f + 1) * n]
        present = np.diff(block.indptr) > 0
        scores = np.asarray((block[m:] @ block[:m].T).todense(), dtype=np.float64)
        mask = np.outer(present[m:], present[:m])
        weighted += np.where(mask, WEIGHTS[name] * scores, 0.0)
        weight_sum += np.where(mask, WEIGHTS[name], 0.0)
    summary_rows = rows[len(_FIELDS) * n :]
    own = np.array(owners)
    if summary_rows.shape[0]:
        membership = sp.csr_matrix(
            (np.ones(len(own)), (own, np.arange(len(own)))), shape=(n, len(own))
        )
        centroids = normalize(membership @ summary_rows)
        centroid_scores = np.asarray((centroids[m:] @ centroids[:m].T).todense())
        has = np.bincount(own, minlength=n) > 0
        for j in range(m):
            mine = own == j
            if not mine.any():
                continue
            pairs = (summary_rows[mine] @ summary_rows.T).toarray().max(axis=0)
            best_pair = np.full(n, -1.0)
            np.maximum.at(best_pair, own, pairs)
            score = (centroid_scores[:, j] + best_pair[m:]) / 2
            present = has[m:]
            weighted[present, j] += WEIGHTS["summaries"] * score[present]
            weight_sum[present, j] += WEIGHTS["summaries"]
    with np.errstate(invalid="ignore", divide="ignore"):
        combined = np.where(weight_sum > 0, weighted / weight_sum, 0.0)
    return np.clip(combined, 0.0, 1.0)


def _field_text(proposal: ProposalText, name: str) -> str:
    if name == "keywords":
        return " ; ".join(k for k in proposal.keywords if k)
    return getattr(proposal, name) or ""


def _summaries(proposal: ProposalText) -> list[str]:
    return [s for s in proposal.summaries if s and s.strip()][-MAX_SUMMARIES:]


def _scores(new: ProposalText, candidates: list[ProposalText]) -> np.ndarray:
    everyone = [new, *candidates]
    texts: list[str] = []
    for name in _FIELDS:
        texts.extend(_field_text(p, name) for p in everyone)
    owners: list[int] = []
    for k, proposal in enumerate(everyone):
        for summary in _summaries(proposal):
            texts.append(summary)
            owners.append(k)
    rows = TextVectoriser().fit_transform(texts)

    n = len(everyone)
    weighted = np.zeros(len(candidates))
    weight_sum = np.zeros(len(candidates))
    for f, name in enumerate(_FIELDS):
        block = rows[f * n : (f + 1) * n]
        _add(weighted, weight_sum, _cosines(block), WEIGHTS[name])
    summary_rows = rows[len(_FIELDS) * n :]
    _add(
        weighted,
        weight_sum,
        _summary_scores(summary_rows, np.array(owners), n),
        WEIGHTS["summaries"],
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        combined = np.where(weight_sum > 0, weighted / weight_sum, 0.0)
    return np.clip(combined, 0.0, 1.0)


def _add(weighted: np.ndarray, weight_sum: np.ndarray, scores: np.ndarray, weight: float) -> None:
    """Accumulate a field's scores where it is present on both sides (NaN marks absent)."""
    present = ~np.isnan(scores)
    weighted[present] += weight * scores[present]
    weight_sum[present] += weight


def _cosines(block: sp.csr_matrix) -> np.ndarray:
    """Cosine of row 0 (the new proposal) with every other row; NaN where either is empty."""
    scores = np.asarray((block[1:] @ block[0].T).todense()).ravel().astype(np.float64)
    present = np.diff(block.indptr) > 0
    if not present[0]:
        return np.full(block.shape[0] - 1, np.nan)
    return np.where(present[1:], scores, np.nan)


def _summary_scores(rows: sp.csr_matrix, owners: np.ndarray, n: int) -> np.ndarray:
    """Per candidate: mean of centroid similarity and best pairwise similarity with the new one."""
    if rows.shape[0] == 0 or not np.any(owners == 0):
        return np.full(n - 1, np.nan)
    membership = sp.csr_matrix(
        (np.ones(len(owners)), (owners, np.arange(len(owners)))), shape=(n, len(owners))
    )
    centroids = normalize(membership @ rows)
    centroid_scores = np.asarray((centroids[1:] @ centroids[0].T).todense()).ravel()
    pairs = (rows[owners == 0] @ rows.T).toarray().max(axis=0)
    best_pair = np.full(n, -1.0)
    np.maximum.at(best_pair, owners, pairs)
    has = np.bincount(owners, minlength=n)[1:] > 0
    score = (centroid_scores + best_pair[1:]) / 2
    return np.where(has, score, np.nan)
