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
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from resolutionflow.text.normalise import normalise


def _word_ngrams(text: str) -> list[str]:
    words = text.split()
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def _char_wb(word: str) -> list[str]:
    """A word's character 3-5 grams, the word padded with one space each side (as
    scikit-learn's `char_wb` analyser cuts them; a word shorter than 3 is one gram)."""
    padded = f" {word} "
    size = len(padded)
    if size <= 3:
        return [padded]
    return [padded[i : i + n] for n in range(3, min(5, size) + 1) for i in range(size - n + 1)]


def _vocabulary(terms: Iterable[str]) -> dict[str, int]:
    # Numbered in sorted order, as scikit-learn's CountVectorizer numbers its features.
    return {term: k for k, term in enumerate(sorted(set(terms)))}


def _count_rows(ids: list[list[int]], width: int) -> sp.csr_matrix:
    """One row per list of term ids, each entry the number of times the id occurs."""
    indptr = np.zeros(len(ids) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(row) for row in ids])
    flat = np.fromiter((k for row in ids for k in row), dtype=np.int32, count=int(indptr[-1]))
    rows = sp.csr_matrix(
        (np.ones(len(flat), dtype=np.float32), flat, indptr), shape=(len(ids), width)
    )
    rows.sum_duplicates()
    return rows


class _TermCounts:
    """Term counts over one learnt vocabulary: word 1-2 grams, or character 3-5 grams.

    These are the counts scikit-learn's CountVectorizer gives for the same analyser (same
    vocabulary order, float32 counts, sorted indices); the TF-IDF weighting itself is left
    to its TfidfTransformer. Character grams are cut once per distinct word and a text's
    counts are its word counts times each word's gram counts (one sparse product): a
    period's summaries repeat a small vocabulary, and re-slicing every word of every text
    was most of the cost.
    """

    def __init__(self, *, chars: bool) -> None:
        self.chars = chars
        self.vocabulary: dict[str, int] = {}
        self._grams: dict[str, list[str]] = {}

    def fit_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.chars:
            words = {w for text in texts for w in text.split()}
            self.vocabulary = _vocabulary(g for w in words for g in self._char_grams(w))
            found = self.counts(texts)
        else:
            terms = [_word_ngrams(text) for text in texts]
            self.vocabulary = vocab = _vocabulary(t for row in terms for t in row)
            found = _count_rows([[vocab[t] for t in row] for row in terms], len(vocab))
        if not self.vocabulary:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        return found

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        vocab = self.vocabulary
        if not self.chars:
            ids = [[vocab[t] for t in _word_ngrams(text) if t in vocab] for text in texts]
            return _count_rows(ids, len(vocab))
        word_ids: dict[str, int] = {}
        per_text = [[word_ids.setdefault(w, len(word_ids)) for w in t.split()] for t in texts]
        grams = [[vocab[g] for g in self._char_grams(w) if g in vocab] for w in word_ids]
        out = _count_rows(per_text, len(word_ids)) @ _count_rows(grams, len(vocab))
        out = sp.csr_matrix(out, dtype=np.float32)
        out.sort_indices()
        return out

    def _char_grams(self, word: str) -> list[str]:
        found = self._grams.get(word)
        if found is None:
            found = self._grams[word] = _char_wb(word)
        return found

    @property
    def terms(self) -> np.ndarray:
        return np.asarray(list(self.vocabulary), dtype=object)


def l2_rows(rows: sp.csr_matrix) -> sp.csr_matrix:
    """The rows scaled to unit length (all-zero rows stay zero), in place; CSR in, CSR out."""
    rows = sp.csr_matrix(rows)
    if rows.nnz:
        squares = np.zeros(rows.shape[0], dtype=np.float64)
        filled = np.diff(rows.indptr) > 0
        squares[filled] = np.add.reduceat(
            np.square(rows.data, dtype=np.float64), rows.indptr[:-1][filled]
        )
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        rows.data /= np.repeat(norms, np.diff(rows.indptr)).astype(rows.data.dtype)
    return rows


class _Weighted:
    """TF-IDF of one kind of term: sublinear tf (1 + ln count), smoothed idf
    (ln((1 + texts) / (1 + texts with the term)) + 1), rows of unit length."""

    def __init__(self, *, chars: bool) -> None:
        self.terms = _TermCounts(chars=chars)
        self.idf_ = np.zeros(0)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        counts = self.terms.fit_counts(texts)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = np.log((1 + counts.shape[0]) / (1 + df)) + 1.0
        return self._weigh(counts)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._weigh(self.terms.counts(texts))

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        rows = sp.csr_matrix(counts, dtype=np.float64, copy=True)
        rows.data = (np.log(rows.data) + 1.0) * self.idf_[rows.indices]
        return l2_rows(rows)


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
            self._word.fit_transform(["_"])
            self._char.fit_transform(["_"])
            self._fitted = True
            return self._combine(norm)
        # Fitting already counts every text: keep those rows rather than reading them again.
        rows = self._join(self._word.fit_transform(norm), self._char.fit_transform(norm))
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
        return self._join(self._word.transform(norm), self._char.transform(norm))

    def _join(self, words: sp.csr_matrix, chars: sp.csr_matrix) -> sp.csr_matrix:
        w = l2_rows(words) * np.float32(np.sqrt(self.word_weight))
        c = l2_rows(chars) * np.float32(np.sqrt(1 - self.word_weight))
        return l2_rows(sp.hstack([w, c], format="csr", dtype=np.float32))
