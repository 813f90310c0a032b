"""`TextVectoriser` turns normalised text into L2-normalised sparse rows that combine word
1-2 grams (what the text is about) with character 3-5 grams (spelling variants, inflections
such as "syncing"/"synced" the folding does not catch, product names glued together).
Terms are counted here, character grams cut once per distinct word rather than once per
occurrence (the counts are exactly those of scikit-learn's CountVectorizer), and weighted as
scikit-learn's TfidfTransformer(sublinear_tf=True) weighs them (tests/text/test_vectors.py
holds the two equal). The weighting and the row normalisation are written out on the CSR
arrays because a worker vectorises a handful of short texts per batch, and at that size
scikit-learn's per-call input validation cost more than the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from resolutionflow.text.normalise import normalise


def _word_ngrams(text: str) -> list[str]:
    words = text.split()
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def _vocabulary(terms: Iterable[str]) -> dict[str, int]:
    # Numbered in sorted order, as scikit-learn's CountVectorizer numbers its features.
    return {term: k for k, term in enumerate(sorted(set(terms)))}


# Rows as CSR arrays without a scipy object around them: (indptr, indices, data). A worker
# vectorises a handful of short texts per comparison, and at that size building and checking
# a scipy matrix per step cost more than the arithmetic, so the steps below work on the
# arrays and a matrix is made once, at the end.
_Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def _counted(row_of: np.ndarray, ids: np.ndarray, n_rows: int, width: int) -> _Arrays:
    """Term counts per row from (row, term id) pairs: duplicates summed, ids sorted."""
    stride = max(width, 1)  # one number per (row, id) pair, in row then id order
    key, counts = np.unique(row_of.astype(np.int64) * stride + ids, return_counts=True)
    rows = key // stride
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return indptr, (key - rows * stride).astype(np.int32), counts.astype(np.float32)


def _listed(ids: list[list[int]], width: int) -> _Arrays:
    """`_counted` for one list of term ids per row."""
    lengths = np.fromiter((len(row) for row in ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter((k for row in ids for k in row), dtype=np.int64, count=int(lengths.sum()))
    return _counted(np.repeat(np.arange(len(ids)), lengths), flat, len(ids), width)


def _matrix(arrays: _Arrays, width: int) -> sp.csr_matrix:
    indptr, indices, data = arrays
    return sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, width))


def _unit(indptr: np.ndarray, data: np.ndarray) -> np.ndarray:
    """The rows' values scaled to unit length (all-zero rows stay zero), in the data's type;
    lengths are summed in float64."""
    if not len(data):
        return data
    squares = np.zeros(len(indptr) - 1, dtype=np.float64)
    filled = np.diff(indptr) > 0
    squares[filled] = np.add.reduceat(np.square(data, dtype=np.float64), indptr[:-1][filled])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    return data / np.repeat(norms, np.diff(indptr)).astype(data.dtype)


def l2_rows(rows: sp.csr_matrix) -> sp.csr_matrix:
    """The rows scaled to unit length (all-zero rows stay zero); CSR in, CSR out."""
    rows = sp.csr_matrix(rows)
    if rows.nnz:
        rows.data = _unit(rows.indptr, rows.data)
    return rows


class _TermCounts:
    """Term counts over one learnt vocabulary: word 1-2 grams, or character 3-5 grams.

    These are the counts scikit-learn's CountVectorizer gives for the same analyser (same
    vocabulary order, float32 counts, sorted indices); the TF-IDF weighting itself is left
    to its TfidfTransformer. Character grams are cut once per distinct word, and a text's
    grams are its words' grams laid end to end (numpy repeats, no loop per occurrence): a
    period's summaries repeat a small vocabulary, and re-slicing every word of every text
    was most of the cost.
    """

    def __init__(self, *, chars: bool) -> None:
        self.chars = chars
        self.vocabulary: dict[str, int] = {}

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        return _matrix(self.arrays(texts), len(self.vocabulary))

    def fit_arrays(self, texts: Sequence[str]) -> _Arrays:
        if self.chars:
            words = {w for text in texts for w in text.split()}
            self.vocabulary = _vocabulary(g for w in words for g in _char_wb(w))
            found = self.arrays(texts)
        else:
            terms = [_word_ngrams(text) for text in texts]
            self.vocabulary = vocab = _vocabulary(t for row in terms for t in row)
            found = _listed([[vocab[t] for t in row] for row in terms], len(vocab))
        if not self.vocabulary:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        return found

    def arrays(self, texts: Sequence[str]) -> _Arrays:
        vocab = self.vocabulary
        width = len(vocab)
        if not self.chars:
            ids = [[vocab[t] for t in _word_ngrams(text) if t in vocab] for text in texts]
            return _listed(ids, width)
        # Each distinct word's gram ids once; then every occurrence's run of them, by index.
        word_ids: dict[str, int] = {}
        per_text = [[word_ids.setdefault(w, len(word_ids)) for w in t.split()] for t in texts]
        grams = [[vocab[g] for g in _char_wb(w) if g in vocab] for w in word_ids]
        gram_count = np.fromiter((len(g) for g in grams), dtype=np.int64, count=len(grams))
        gram_start = np.zeros(len(grams) + 1, dtype=np.int64)
        np.cumsum(gram_count, out=gram_start[1:])
        all_grams = np.fromiter(
            (k for g in grams for k in g), dtype=np.int64, count=int(gram_start[-1])
        )
        occurrences = np.fromiter((len(row) for row in per_text), dtype=np.int64)
        words = np.fromiter(
            (k for row in per_text for k in row), dtype=np.int64, count=int(occurrences.sum())
        )
        lengths = gram_count[words]
        total = int(lengths.sum())
        # Position of each gram: its word's first gram plus its place within the word.
        firsts = np.repeat(gram_start[words], lengths)
        within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        row_of = np.repeat(np.repeat(np.arange(len(texts)), occurrences), lengths)
        return _counted(row_of, all_grams[firsts + within], len(texts), width)

    @property
    def terms(self) -> np.ndarray:
        return np.asarray(list(self.vocabulary), dtype=object)


@lru_cache(maxsize=65536)
def _char_wb(word: str) -> tuple[str, ...]:
    """A word's character 3-5 grams, the word padded with one space each side (as
    scikit-learn's `char_wb` analyser cuts them; a word shorter than 3 is one gram)."""
    padded = f" {word} "
    size = len(padded)
    if size <= 3:
        return (padded,)
    return tuple(padded[i : i + n] for n in range(3, min(5, size) + 1) for i in range(size - n + 1))


class _Weighted:
    """TF-IDF of one kind of term: sublinear tf (1 + ln count), smoothed idf
    (ln((1 + texts) / (1 + texts with the term)) + 1), rows of unit length."""

    def __init__(self, *, chars: bool) -> None:
        self.terms = _TermCounts(chars=chars)
        self.idf_ = np.zeros(0)

    @property
    def width(self) -> int:
        return len(self.terms.vocabulary)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return _matrix(self.fit_arrays(texts), self.width)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return _matrix(self.arrays(texts), self.width)

    def fit_arrays(self, texts: Sequence[str]) -> _Arrays:
        counts = self.terms.fit_arrays(texts)
        df = np.bincount(counts[1], minlength=self.width)
        self.idf_ = np.log((1 + len(texts)) / (1 + df)) + 1.0
        return self._weigh(counts)

    def arrays(self, texts: Sequence[str]) -> _Arrays:
        return self._weigh(self.terms.arrays(texts))

    def _weigh(self, counts: _Arrays) -> _Arrays:
        indptr, indices, data = counts
        weighted = (np.log(data.astype(np.float64)) + 1.0) * self.idf_[indices]
        return indptr, indices, _unit(indptr, weighted)


class TextVectoriser:
    """Sparse TF-IDF over normalised text: word 1-2 grams plus character 3-5 grams.

    Each block is L2-normalised, scaled so that a row's cosine similarity is
    `word_weight * word_cosine + (1 - word_weight) * char_cosine`, and the result is
    L2-normalised again (rows of empty text stay all-zero).
    """

    def __init__(self, *, word_weight: float = 0.8) -> None:
        self.word_weight = word_weight
        self._word = _Weighted(chars=False)
        self._char = _Weighted(chars=True)
        self._fitted = False

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Fit on `texts` (raw) and return their rows."""
        return self.fit_transform_normalised([normalise(t) for t in texts])

    def fit_transform_normalised(self, norm: Sequence[str]) -> sp.csr_matrix:
        """Fit on already normalised texts (see `normalise`) and return their rows."""
        if not any(norm):
            # A vocabulary cannot be empty; a placeholder keeps all-stop-word input working.
            self._word.fit_arrays(["_"])
            self._char.fit_arrays(["_"])
            self._fitted = True
            return self._combine(norm)
        # Fitting already counts every text: keep those rows rather than reading them again.
        rows = self._join(self._word.fit_arrays(norm), self._char.fit_arrays(norm))
        self._fitted = True
        return rows

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Rows for `texts` (raw) under the fitted vocabulary."""
        return self.transform_normalised([normalise(t) for t in texts])

    def transform_normalised(self, norm: Sequence[str]) -> sp.csr_matrix:
        """Rows for already normalised texts under the fitted vocabulary."""
        if not self._fitted:
            raise RuntimeError("TextVectoriser.transform called before fit_transform")
        return self._combine(norm)

    def word_rows(self, normalised: Sequence[str]) -> sp.csr_matrix:
        """Plain word-gram TF-IDF rows (for picking characteristic terms)."""
        return self._word.transform(normalised)

    @property
    def word_terms(self) -> np.ndarray:
        return self._word.terms.terms

    @property
    def word_idf(self) -> np.ndarray:
        return self._word.idf_

    def _combine(self, norm: Sequence[str]) -> sp.csr_matrix:
        return self._join(self._word.arrays(norm), self._char.arrays(norm))

    def _join(self, words: _Arrays, chars: _Arrays) -> sp.csr_matrix:
        """Word columns then character columns, each block scaled by its weight, each row of
        unit length again (float32, as scikit-learn's vectorisers give)."""
        (w_ptr, w_ind, w_data), (c_ptr, c_ind, c_data) = words, chars
        n = len(w_ptr) - 1
        w_len, c_len = np.diff(w_ptr), np.diff(c_ptr)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(w_len + c_len, out=indptr[1:])
        # Each row's word entries, then its character entries (a stable sort by row).
        order = np.argsort(
            np.concatenate([np.repeat(np.arange(n), w_len), np.repeat(np.arange(n), c_len)]),
            kind="stable",
        )
        indices = np.concatenate([w_ind, c_ind + self._word.width])[order]
        data = np.concatenate(
            [
                (w_data * np.float32(np.sqrt(self.word_weight))).astype(np.float32),
                (c_data * np.float32(np.sqrt(1 - self.word_weight))).astype(np.float32),
            ]
        )[order]
        width = self._word.width + self._char.width
        return _matrix((indptr, indices.astype(np.int32), _unit(indptr, data)), width)
