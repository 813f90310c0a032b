"""Scoring of stale and declining flows (pure)."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from resolutionflow.flowhealth.staleness import (
    MIN_FINISHED,
    FlowWindows,
    declining,
    overdue_severity,
)


def windows(ef: int, er: int, rf: int, rr: int) -> FlowWindows:
    return FlowWindows(uuid.uuid4(), "k", "n", ef, er, rf, rr)


def test_clear_falls_only() -> None:
    assert declining(windows(10, 10, 10, 4))
    assert not declining(windows(10, 8, 10, 7))  # a small fall
    assert not declining(windows(4, 4, 10, 0))  # too few earlier sessions
    assert not declining(windows(10, 4, 10, 10))  # a rise
    assert not declining(windows(5, 5, 5, 4))  # 100% to 80%: could be chance


def test_overdue_severity_bands() -> None:
    assert [overdue_severity(d) for d in (0, 30, 31, 90, 91)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
    ]


@given(st.integers(MIN_FINISHED, 200), st.integers(MIN_FINISHED, 200), st.data())
def test_never_declining_when_recent_is_not_worse(ef: int, rf: int, data: st.DataObject) -> None:
    er = data.draw(st.integers(0, ef))
    rr = data.draw(st.integers(0, rf))
    if rr / rf >= er / ef:
        assert not declining(windows(ef, er, rf, rr))
