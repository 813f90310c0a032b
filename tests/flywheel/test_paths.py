"""Every branch of the analysis path choice, each threshold edge included (seed rules)."""

from __future__ import annotations

import pytest

from resolutionflow.flywheel.analysis import (
    ENHANCEMENT,
    NEW_FLOW,
    REINFORCE,
    choose_path,
    has_divergence,
    reinforced_success_rate,
)

CASES = [
    # has_match, score, divergence, expected
    (True, 0.95, False, REINFORCE),
    (True, 0.81, False, REINFORCE),
    (True, 0.8, False, REINFORCE),  # not > 0.8: falls to the moderate-match edge -> reinforce
    (True, 0.8, True, ENHANCEMENT),
    (True, 0.95, True, ENHANCEMENT),  # high score but the engineer diverged
    (True, 0.51, True, ENHANCEMENT),
    (True, 0.5, True, REINFORCE),  # exactly 0.5: neither > 0.5 nor < 0.5
    (True, 0.5, False, REINFORCE),
    (True, 0.49, True, NEW_FLOW),
    (True, 0.49, False, NEW_FLOW),
    (True, 0.0, False, NEW_FLOW),
    (True, None, False, NEW_FLOW),  # missing score counts as 0
    (True, 0.7, False, REINFORCE),  # moderate match, no divergence
    (True, 0.6, False, REINFORCE),
    (False, None, False, NEW_FLOW),
    (False, None, True, NEW_FLOW),
    (False, 0.99, False, NEW_FLOW),  # a score without a flow is no match
]


@pytest.mark.parametrize(("has_match", "score", "divergence", "expected"), CASES)
def test_choose_path(has_match: bool, score: float | None, divergence: bool, expected: str) -> None:
    assert choose_path(has_match=has_match, match_score=score, divergence=divergence) == expected


def test_divergence_means_any_free_text_step() -> None:
    assert not has_divergence([])
    assert not has_divergence([{"was_free_text": False}, {}])
    assert has_divergence([{"was_free_text": False}, {"was_free_text": True}])


@pytest.mark.parametrize(
    ("old", "new"),
    [(None, 0.1), (0.0, 0.1), (0.1, 0.19), (0.5, 0.55), (1.0, 1.0), (0.123456, 0.2111)],
)
def test_reinforced_success_rate(old: float | None, new: float) -> None:
    assert reinforced_success_rate(old) == new
