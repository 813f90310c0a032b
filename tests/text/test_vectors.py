"""The vectoriser's own TF-IDF weighting and row normalisation give what scikit-learn's
TfidfTransformer(sublinear_tf=True) and `normalize` give for the same counts."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize

from resolutionflow.text.vectors import TextVectoriser, _Weighted, l2_rows

WORDS = ["printer", "offline", "vpn", "drops", "outlook", "password", "reset", "sync", "teams"]
texts = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(texts, st.booleans())
def test_weighting_matches_scikit_learn(sample: list[str], chars: bool) -> None:
    ours = _Weighted(chars=chars)
    rows = ours.fit_transform(sample)
    counts = ours.terms.counts(sample)
    reference = TfidfTransformer(sublinear_tf=True).fit(counts)
    expected = reference.transform(counts)
    assert rows.shape == expected.shape
    assert np.allclose(rows.toarray(), expected.toarray(), atol=1e-6)
    assert np.allclose(ours.idf_, reference.idf_)
    assert np.allclose(ours.transform(sample[:1]).toarray(), expected[:1].toarray(), atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(-50, 50).map(lambda k: k / 10), min_size=4, max_size=4),
        min_size=1,
        max_size=6,
    )
)
def test_rows_of_unit_length_as_scikit_learn_makes_them(values: list[list[float]]) -> None:
    # Term weights are never tiny; scikit-learn leaves rows shorter than 10 eps unscaled.
    dense = np.array(values, dtype=np.float32)
    dense[0] = 0.0  # an all-zero row stays all zero
    ours = l2_rows(sp.csr_matrix(dense))
    assert isinstance(ours, sp.csr_matrix)
    assert np.allclose(ours.toarray(), normalize(sp.csr_matrix(dense)).toarray(), atol=1e-6)


def test_vectoriser_rows_are_unit_length_or_empty() -> None:
    rows = TextVectoriser().fit_transform(["printer offline", "", "vpn drops every hour"])
    lengths = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    assert np.allclose(lengths, [1.0, 0.0, 1.0], atol=1e-6)
