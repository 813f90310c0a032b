"""The vectoriser's own term counting gives exactly scikit-learn's TF-IDF rows."""

from __future__ import annotations

import json
import random
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from resolutionflow.text.normalise import normalise, tokens
from resolutionflow.text.vectors import TextVectoriser

DATA = json.loads((Path(__file__).parents[1] / "data" / "summaries.json").read_text())
SUMMARIES = [row["summary"] for row in DATA]


def _word_grams(text: str) -> list[str]:
    words = text.split()
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def _reference(fit_on: list[str], texts: list[str], word_weight: float = 0.8) -> sp.csr_matrix:
    """The rows as scikit-learn's own vectorisers compute them."""
    word = TfidfVectorizer(
        analyzer=_word_grams,
        sublinear_tf=True,
        dtype=np.float32,
        lowercase=False,
    ).fit(fit_on)
    char = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        dtype=np.float32,
        lowercase=False,
    ).fit(fit_on)
    w = normalize(word.transform(texts)) * np.float32(np.sqrt(word_weight))
    c = normalize(char.transform(texts)) * np.float32(np.sqrt(1 - word_weight))
    return normalize(sp.hstack([w, c], format="csr", dtype=np.float32))


def _same(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    a.sort_indices()
    b.sort_indices()
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.allclose(a.data, b.data, rtol=0, atol=1e-6)
    )


def _random_texts(rng: random.Random) -> list[str]:
    words = ["a", "ab", "abc", "printer", "offline", "vpn", "x1", "onedrive", "sync", "abcdef"]
    return [
        " ".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
        for _ in range(rng.randint(1, 12))
    ]


def test_fitted_rows_match_scikit_learn_on_the_labelled_summaries() -> None:
    norm = [normalise(s) for s in SUMMARIES]
    vectoriser = TextVectoriser()
    assert _same(vectoriser.fit_transform(SUMMARIES), _reference(norm, norm))
    others = ["printer offline again", "zzz unknown words", ""]
    assert _same(vectoriser.transform(others), _reference(norm, [normalise(t) for t in others]))


@pytest.mark.parametrize("seed", range(25))
def test_fitted_and_transformed_rows_match_scikit_learn_on_random_texts(seed: int) -> None:
    rng = random.Random(seed)
    texts = _random_texts(rng)
    if not any(texts):
        texts.append("printer")
    vectoriser = TextVectoriser()
    assert _same(vectoriser.fit_transform_normalised(texts), _reference(texts, texts))
    others = _random_texts(rng)
    assert _same(vectoriser.transform_normalised(others), _reference(texts, others))


def test_fit_rows_equal_a_later_transform_of_the_same_texts() -> None:
    norm = [normalise(s) for s in SUMMARIES]
    vectoriser = TextVectoriser()
    fitted = vectoriser.fit_transform_normalised(norm)
    again = vectoriser.transform_normalised(norm)
    assert (fitted != again).nnz == 0


def test_word_terms_and_idf_follow_the_sorted_vocabulary() -> None:
    vectoriser = TextVectoriser()
    vectoriser.fit_transform_normalised(["printer offline", "vpn offline"])
    assert list(vectoriser.word_terms) == sorted(vectoriser.word_terms)
    idf = dict(zip(vectoriser.word_terms, vectoriser.word_idf, strict=True))
    assert idf["offline"] < idf["printer"] == idf["vpn"]


def test_all_stop_word_input_gives_empty_rows() -> None:
    rows = TextVectoriser().fit_transform(["please help", "the user"])
    assert rows.shape[0] == 2 and rows.nnz == 0


def test_phrases_are_folded_only_where_they_occur() -> None:
    assert tokens("Can't sign in to Wi-Fi") == ["login", "wifi"]
    assert tokens("Printer offline") == ["printer", "offline"]
    assert normalise("Locked out after 2FA prompt") == "lockout mfa prompt"
