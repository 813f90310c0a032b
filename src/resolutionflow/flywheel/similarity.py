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

One implementation: every entry point is `_score_matrix` (new proposals x candidates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from resolutionflow.text.clean import clean
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
        for summary in kept_summaries(proposal.summaries):
            texts.append(_cleaned(summary))
            owners.append(k)
    rows = TextVectoriser().fit_transform(texts)
    # A worker compares a handful of proposals at a time: one product of every row with every
    # row's field block, then plain array slices, costs less than a product per field.
    fields = len(_FIELDS) * n
    filled = np.diff(rows.indptr) > 0
    gram = np.asarray((rows[:fields] @ rows[:fields].T).todense(), dtype=np.float64)
    weighted = np.zeros((n - m, m))
    weight_sum = np.zeros((n - m, m))
    for f, name in enumerate(_FIELDS):
        start = f * n
        scores = gram[start + m : start + n, start : start + m]
        mask = np.outer(filled[start + m : start + n], filled[start : start + m])
        weighted += np.where(mask, WEIGHTS[name] * scores, 0.0)
        weight_sum += np.where(mask, WEIGHTS[name], 0.0)
    summary_rows = rows[fields:]
    if summary_rows.shape[0]:
        own = np.array(owners)
        membership = sp.csr_matrix(
            (np.ones(len(own)), (own, np.arange(len(own)))), shape=(n, len(own))
        )
        centroids = l2_rows(membership @ summary_rows)
        scores = np.asarray((centroids[m:] @ centroids[:m].T).todense(), dtype=np.float64)
        present = np.diff(centroids.indptr) > 0
        mask = np.outer(present[m:], present[:m])
        weighted += np.where(mask, WEIGHTS["summaries"] * scores, 0.0)
        weight_sum += np.where(mask, WEIGHTS["summaries"], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        combined = np.where(weight_sum > 0, weighted / weight_sum, 0.0)
    return np.clip(combined, 0.0, 1.0)


def _field_text(proposal: ProposalText, name: str) -> str:
    if name == "keywords":
        text = " ; ".join(k for k in proposal.keywords if k)
    else:
        text = getattr(proposal, name) or ""
    return _cleaned(text) if text else ""
