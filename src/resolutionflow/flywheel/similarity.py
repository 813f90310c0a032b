"""Decide whether a new proposal describes the same problem as a pending one, so they merge.

What is compared is what tells problems apart, with the noise taken out first
(`resolutionflow.text.clean`: names, greetings, signatures, ticket numbers) and the text every
proposal shares removed (`BOILERPLATE`: "Use this flow when ...", keyword padding such as
"troubleshooting" or "helpdesk", "(general issue)"):

- summaries (weight `WEIGHTS["summaries"]`): the supporting sessions' problem summaries,
  scored as the cosine of the two proposals' **centroids** (the mean of their TF-IDF rows).
  A centroid does not get closer to an unrelated session as it absorbs more sessions (an
  average of unrelated rows only blurs), so a big proposal has no more chances to absorb a
  session than a small one, unlike best-pair scoring, which it replaces;
- title, keywords and description, each a cosine of TF-IDF rows.

Rows are fitted on the new proposals and all candidates together, so words rare among them
count for more than words every proposal uses. A field empty on either side is left out and
the other weights rescaled. Scores are in 0..1 and identical proposals score 1.

Which summaries are read: a proposal keeps its first `ANCHORS` summaries and the most recent
ones up to `MAX_SUMMARIES` (`kept_summaries`, which flywheel placement also uses when it
stores them), so its centroid follows the problem as it is reported now without drifting away
from the sessions it was started from.

Threshold. `DEFAULT_THRESHOLD` = 0.12, picked on the development corpus with
`bench/quality.py --threshold X` (1,500 tickets over 50 problems; 2,000 short titles over 60):

    threshold  proposals  merge ARI  NMI    purity  largest   short titles: largest, ARI
    0.10       178        0.652      0.871  0.932   6.0%      9.6%, 0.544
    0.12       214        0.630      0.867  0.965   4.5%      9.7%, 0.552
    0.15       274        0.479      0.844  0.983   2.4%      9.7%, 0.558
    0.20       347        0.357      0.822  0.993   1.9%      7.5%, 0.522

0.12 keeps proposals pure (a proposal mixing two problems costs a lead more than two
proposals of one problem) while still merging most rewordings. Pairwise average precision
of the score is 0.79 on the tickets and 0.58 on the short titles (0.61 / 0.45 before).

Big pools. A desk that leaves its queue unreviewed for months collects thousands of pending
proposals in one scope. Scoring a batch against all of them costs a fit over every candidate's
text each batch, so a pool larger than `SHORTLIST` is first cut down (`_shortlist`): for each
new proposal, the `PER_NEW` candidates sharing the most rare words with it (one sparse product,
words weighted by how rare they are in the pool), plus `BACKGROUND` candidates spread evenly
over the pool so that term weights still reflect the pool as a whole. Candidates left out share
next to nothing with any new proposal and score 0. Pools up to `SHORTLIST` are scored whole.

One implementation: every entry point is `_score_matrix` (new proposals x candidates).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from resolutionflow.text.clean import clean
from resolutionflow.text.normalise import normalise
from resolutionflow.text.vectors import TextVectoriser, l2_rows

DEFAULT_THRESHOLD = 0.12
MAX_SUMMARIES = 20
ANCHORS = 5
WEIGHTS: dict[str, float] = {
    "summaries": 0.40,
    "title": 0.10,
    "keywords": 0.20,
    "description": 0.30,
}
_FIELDS = ("title", "description", "keywords")
SHORTLIST = 400  # pools larger than this are shortlisted before they are scored
PER_NEW = 100  # candidates the shortlist keeps for each new proposal
BACKGROUND = 200  # candidates spread over the pool the shortlist keeps for term weights
DENSE_CELLS = 2_000_000  # rows x terms up to which a comparison is worked out on dense arrays

# Text the flow builders write around every proposal: it says nothing about which problem.
BOILERPLATE = re.compile(
    r"use this flow when|charted from (?:a|\d+) resolved sessions?(?: with [^,]*)?,?"
    r"|ending(?: with)?:?|\((?:[\w ]+ )?issue\)|^troubleshoot\b|\bflow\b"
    r"|a resolution that was not recorded|a ticket reports these symptoms"
    r"|\b(?:troubleshooting|diagnosis|resolution|helpdesk|support)\b"
    r"|\b\d+ (?:questions?|actions?)\b",
    re.IGNORECASE,
)


def kept_summaries(summaries: list[str], limit: int = MAX_SUMMARIES) -> list[str]:
    """The summaries a proposal keeps: its first `ANCHORS`, then the most recent."""
    present = [s for s in summaries if s and s.strip()]
    if len(present) <= limit:
        return present
    return present[:ANCHORS] + present[len(present) - (limit - ANCHORS) :]


@lru_cache(maxsize=65536)
def _cleaned(text: str) -> str:
    return BOILERPLATE.sub(" ", clean(text))


@dataclass
class ProposalText:
    """What similarity reads of a proposal."""

    id: str
    title: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    # The ids of its words (see `_word_ids`), worked out once: flywheel placement keeps a
    # pending proposal's text between batches while the proposal does not change.
    word_ids: np.ndarray | None = field(default=None, repr=False, compare=False)


def similarity(a: ProposalText, b: ProposalText) -> float:
    """How alike two proposals are, 0..1."""
    return float(_score_matrix([a], [b])[0, 0])


def rank(query: ProposalText, candidates: list[ProposalText]) -> list[float]:
    """How alike `query` is to each candidate, 0..1, in candidate order (one fit for all)."""
    if not candidates:
        return []
    return [float(x) for x in _score_matrix([query], candidates)[:, 0]]


def find_most_similar(
    new: ProposalText,
    candidates: list[ProposalText],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[str | None, float]:
    """The id and score of the best candidate scoring at least `threshold`, else (None, best)."""
    return find_most_similar_many([new], candidates, threshold=threshold)[0]


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
    Of equal scores the first candidate wins, so the outcome is deterministic.
    """
    if not candidates or not news:
        return [(None, 0.0) for _ in news]
    matrix = scores(news, candidates)
    out: list[tuple[str | None, float]] = []
    for j in range(len(news)):
        best = best_candidate(matrix[:, j], threshold=threshold)
        score = float(matrix[:, j].max())
        out.append(((candidates[best].id if best is not None else None), score))
    return out


def best_candidate(
    column: np.ndarray | Sequence[float], *, threshold: float = DEFAULT_THRESHOLD
) -> int | None:
    """The index of the highest score if it reaches `threshold` (of equals, the first)."""
    if len(column) == 0:
        return None
    best = int(np.argmax(column))
    return best if float(column[best]) >= threshold else None


def scores(
    news: list[ProposalText], candidates: list[ProposalText], *, always: int = 0
) -> np.ndarray:
    """Scores of every candidate (rows) against every new proposal (columns), as
    `find_most_similar_many` compares them. A pool larger than `SHORTLIST` is shortlisted
    first; candidates left out score 0, except the last `always` candidates, which are always
    scored (a batch's own new proposals, see flywheel placement)."""
    out = np.zeros((len(candidates), len(news)))
    if not candidates or not news:
        return out
    chosen = _shortlist(news, candidates, always=always)
    if chosen is None:
        return _score_matrix(news, candidates)
    out[chosen] = _score_matrix(news, [candidates[k] for k in chosen])
    return out


# Every word the shortlist has seen, numbered: a proposal's words are kept as an array of
# these numbers, so a pool's words are one concatenation, not a set per candidate per batch.
_VOCABULARY: dict[str, int] = {}
_NUMBERING = threading.Lock()  # placement scores in a thread; two must not share a number


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(normalise(_cleaned(text)).split())


def _word_ids(proposal: ProposalText) -> np.ndarray:
    if proposal.word_ids is None:
        found: set[str] = set()
        for name in _FIELDS:
            found.update(_words(_field_text_raw(proposal, name)))
        for summary in kept_summaries(proposal.summaries):
            found.update(_words(summary))
        with _NUMBERING:
            ids = [_VOCABULARY.setdefault(w, len(_VOCABULARY)) for w in found]
        proposal.word_ids = np.array(sorted(ids), dtype=np.int64)
    return proposal.word_ids


def _word_rows(proposals: Sequence[ProposalText], width: int) -> sp.csr_matrix:
    ids = [_word_ids(p) for p in proposals]
    indptr = np.zeros(len(ids) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(row) for row in ids])
    indices = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(proposals), width))


def _shortlist(
    news: list[ProposalText], candidates: list[ProposalText], *, always: int = 0
) -> np.ndarray | None:
    """Indices (ascending) of the candidates worth scoring, or None to score them all."""
    pool = len(candidates) - always
    if pool <= SHORTLIST:
        return None
    for proposal in [*news, *candidates[:pool]]:
        _word_ids(proposal)
    width = len(_VOCABULARY)
    rows = _word_rows(candidates[:pool], width)
    df = np.bincount(rows.indices, minlength=width)
    weight = np.where(df > 0, np.log(pool / np.maximum(df, 1)) + 1.0, 0.0)
    shared = np.asarray((rows @ (_word_rows(news, width) @ sp.diags(weight)).T).todense())
    keep = np.zeros(len(candidates), dtype=bool)
    keep[pool:] = True
    keep[np.linspace(0, pool - 1, min(BACKGROUND, pool)).astype(np.int64)] = True
    for j in range(len(news)):
        column = shared[:, j]
        hits = np.flatnonzero(column)
        if len(hits) > PER_NEW:
            # The highest shared weights; of equals, the earlier candidates (stable sort).
            hits = hits[np.argsort(-column[hits], kind="stable")[:PER_NEW]]
        keep[hits] = True
    return np.flatnonzero(keep)


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
        for summary in kept_summaries(proposal.summaries):
            texts.append(_cleaned(summary))
            owners.append(k)
    rows = TextVectoriser().fit_transform(texts)
    filled = np.diff(rows.indptr) > 0
    small = rows.shape[0] * rows.shape[1] <= DENSE_CELLS
    field_scores, centroids = (_dense_parts if small else _sparse_parts)(rows, n, m, owners)
    weighted = np.zeros((n - m, m))
    weight_sum = np.zeros((n - m, m))
    for f, name in enumerate(_FIELDS):
        start = f * n
        mask = np.outer(filled[start + m : start + n], filled[start : start + m])
        weighted += np.where(mask, WEIGHTS[name] * field_scores[f], 0.0)
        weight_sum += np.where(mask, WEIGHTS[name], 0.0)
    if centroids is not None:
        centroid_scores, present = centroids
        mask = np.outer(present[m:], present[:m])
        weighted += np.where(mask, WEIGHTS["summaries"] * centroid_scores, 0.0)
        weight_sum += np.where(mask, WEIGHTS["summaries"], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        combined = np.where(weight_sum > 0, weighted / weight_sum, 0.0)
    return np.clip(combined, 0.0, 1.0)


# A comparison's parts: per field, the candidates' rows times the new proposals' rows; and,
# when there are summaries, the candidates' centroids times the new proposals' centroids with
# which proposals have a centroid at all.
_Parts = tuple[list[np.ndarray], tuple[np.ndarray, np.ndarray] | None]


def _dense_parts(rows: sp.csr_matrix, n: int, m: int, owners: list[int]) -> _Parts:
    """The parts on dense arrays: a small comparison (most are a handful of proposals), where
    building sparse matrices step by step costs more than the arithmetic."""
    table = rows.toarray().astype(np.float64)
    starts = range(0, len(_FIELDS) * n, n)
    field_scores = [table[s + m : s + n] @ table[s : s + m].T for s in starts]
    summaries = table[len(_FIELDS) * n :]
    if not len(summaries):
        return field_scores, None
    # Summaries come grouped by owner, in owner order: one sum per run.
    own = np.array(owners)
    firsts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
    sums = np.zeros((n, table.shape[1]))
    sums[own[firsts]] = np.add.reduceat(summaries, firsts, axis=0)
    norms = np.sqrt(np.square(sums).sum(axis=1))
    present = norms > 0
    norms[~present] = 1.0
    centroids = sums / norms[:, None]
    return field_scores, (centroids[m:] @ centroids[:m].T, present)


def _sparse_parts(rows: sp.csr_matrix, n: int, m: int, owners: list[int]) -> _Parts:
    """The parts on sparse rows (a big pool). The field scores are one product of every field
    row with the new proposals' field rows, then plain array slices: cheaper than a product
    per field, and linear in the number of candidates (a product of every row with every row
    is quadratic, minutes for a pool of thousands)."""
    fields = len(_FIELDS) * n
    field_rows = rows[:fields]
    new_rows = sp.vstack([field_rows[f * n : f * n + m] for f in range(len(_FIELDS))])
    gram = np.asarray((field_rows @ new_rows.T).todense(), dtype=np.float64)
    field_scores = [gram[f * n + m : f * n + n, f * m : (f + 1) * m] for f in range(len(_FIELDS))]
    summary_rows = rows[fields:]
    if not summary_rows.shape[0]:
        return field_scores, None
    own = np.array(owners)
    membership = sp.csr_matrix((np.ones(len(own)), (own, np.arange(len(own)))), shape=(n, len(own)))
    centroids = l2_rows(membership @ summary_rows)
    scores = np.asarray((centroids[m:] @ centroids[:m].T).todense(), dtype=np.float64)
    return field_scores, (scores, np.diff(centroids.indptr) > 0)


def _field_text_raw(proposal: ProposalText, name: str) -> str:
    if name == "keywords":
        return " ; ".join(k for k in proposal.keywords if k)
    return getattr(proposal, name) or ""


def _field_text(proposal: ProposalText, name: str) -> str:
    text = _field_text_raw(proposal, name)
    return _cleaned(text) if text else ""
