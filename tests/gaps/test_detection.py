"""The four gap signals at their thresholds, limits and severities (pure, no database)."""

from __future__ import annotations

import json

import pytest

from resolutionflow.gaps import detection as d
from resolutionflow.gaps.detection import (
    DiscoveryCount,
    DomainOutcome,
    Gap,
    PatternGroup,
    QuestionStat,
)


def _plain(value: object) -> None:
    """Evidence holds only JSON-native values: int, float, str, None, lists and dicts of them."""
    if isinstance(value, dict):
        for v in value.values():
            _plain(v)
    elif isinstance(value, list):
        for v in value:
            _plain(v)
    else:
        assert value is None or type(value) in (int, float, str, bool), type(value)


# weak_options ---------------------------------------------------------------------------


def test_weak_options_needs_three_answers() -> None:
    assert d.weak_options([QuestionStat("Q?", total=2, free_text=2)]) == []
    (gap,) = d.weak_options([QuestionStat("Q?", total=3, free_text=1)])
    assert gap.severity == "medium"
    assert gap.evidence["free_text_rate"] == 0.333


@pytest.mark.parametrize(
    ("total", "free", "severity"),
    [
        (10, 3, "medium"),  # exactly 0.3: reported
        (20, 6, "medium"),
        (7, 2, None),  # 0.286: below the threshold
        (5, 3, "medium"),  # exactly 0.6 is not above 0.6
        (10, 6, "medium"),
        (8, 5, "high"),  # 0.625
        (10, 0, None),
    ],
)
def test_weak_options_rate_edges(total: int, free: int, severity: str | None) -> None:
    gaps = d.weak_options([QuestionStat("Q?", total=total, free_text=free)])
    assert [g.severity for g in gaps] == ([severity] if severity else [])


def test_weak_options_keeps_the_five_with_most_free_text() -> None:
    stats = [QuestionStat(f"Q{k}?", total=10, free_text=3 + k) for k in range(7)]
    stats.append(QuestionStat("Low rate but many?", total=1000, free_text=200))  # 0.2
    gaps = d.weak_options(stats)
    assert [g.evidence["context_message"] for g in gaps] == ["Q6?", "Q5?", "Q4?", "Q3?", "Q2?"]


def test_weak_options_evidence_and_common_answers() -> None:
    answers = {"Q?": [("driver unavailable", 4), ("paper jam", 2)]}
    (gap,) = d.weak_options([QuestionStat("Q?", total=9, free_text=6)], answers)
    assert gap.evidence == {
        "context_message": "Q?",
        "total_responses": 9,
        "free_text_count": 6,
        "free_text_rate": 0.667,
        "common_free_text_answers": [
            {"answer": "driver unavailable", "count": 4},
            {"answer": "paper jam", "count": 2},
        ],
    }
    assert gap.severity == "high"
    _plain(gap.as_dict())


# high_escalation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "escalated", "severity"),
    [
        (2, 2, None),  # too few sessions
        (3, 2, "high"),  # 0.667
        (5, 2, "medium"),  # exactly 0.4
        (3, 1, None),  # 0.333
        (5, 3, "medium"),  # exactly 0.6
        (10, 4, "medium"),
        (10, 7, "high"),
    ],
)
def test_high_escalation_edges(total: int, escalated: int, severity: str | None) -> None:
    row = DomainOutcome("m365", total=total, resolved=total - escalated, escalated=escalated)
    gaps = d.high_escalation([row])
    assert [g.severity for g in gaps] == ([severity] if severity else [])
    for g in gaps:
        assert g.domain == "m365"
        assert g.evidence["escalated"] == escalated
        _plain(g.evidence)


# uncharted_territory --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "severity"), [(1, None), (2, "low"), (3, "medium"), (4, "medium"), (5, "high")]
)
def test_uncharted_counts(count: int, severity: str | None) -> None:
    gaps = d.uncharted_territory([DiscoveryCount("backup", count)])
    assert [g.severity for g in gaps] == ([severity] if severity else [])


def test_uncharted_null_domain_and_top_five() -> None:
    rows = [DiscoveryCount(f"d{k}", 2 + k) for k in range(6)] + [DiscoveryCount(None, 9)]
    gaps = d.uncharted_territory(rows)
    assert [g.domain for g in gaps] == [None, "d5", "d4", "d3", "d2"]
    assert "unknown domain" in gaps[0].title
    assert gaps[0].evidence == {"domain": None, "discovery_resolution_count": 9}


# repeated_pattern -----------------------------------------------------------------------


def _group(size: int, label: str) -> PatternGroup:
    ids = [f"s-{label}-{k}" for k in range(size)]
    return PatternGroup(size=size, label=label, typical_summaries=[label], session_ids=ids)


@pytest.mark.parametrize(
    ("size", "severity"), [(2, None), (3, "low"), (4, "low"), (5, "medium"), (9, "medium")]
)
def test_repeated_pattern_counts(size: int, severity: str | None) -> None:
    gaps = d.repeated_patterns([_group(size, "vpn drops")])
    assert [g.severity for g in gaps] == ([severity] if severity else [])
    for g in gaps:
        assert g.evidence["session_ids"] == [f"s-vpn drops-{k}" for k in range(size)]
        assert g.evidence["unmatched_session_count"] == size


def test_repeated_pattern_reports_every_recurring_group_largest_first() -> None:
    groups = [_group(3, "a"), _group(7, "b"), _group(4, "c"), _group(6, "d"), _group(2, "e")]
    assert [g.evidence["label"] for g in d.repeated_patterns(groups)] == ["b", "d", "c", "a"]


def test_repeated_pattern_has_no_cap_on_groups() -> None:
    groups = [_group(3 + k % 4, f"problem {k:02d}") for k in range(40)]
    gaps = d.repeated_patterns(groups)
    assert len(gaps) == 40
    sizes = [g.evidence["unmatched_session_count"] for g in gaps]
    assert sizes == sorted(sizes, reverse=True)


# ordering and periods -------------------------------------------------------------------


def test_gaps_are_ordered_by_severity_then_signal() -> None:
    def gap(kind: str, severity: str) -> Gap:
        return Gap(kind, severity, "t", "d", "a")

    gaps = [
        gap("weak_options", "low"),
        gap("high_escalation", "high"),
        gap("weak_options", "medium"),
        gap("repeated_pattern", "high"),
    ]
    ordered = d.order_gaps(gaps)
    assert [(g.gap_type, g.severity) for g in ordered] == [
        ("high_escalation", "high"),
        ("repeated_pattern", "high"),
        ("weak_options", "medium"),
        ("weak_options", "low"),
    ]


@pytest.mark.parametrize("period", [7, 30, 90])
def test_offered_periods(period: int) -> None:
    assert d.check_period(period) == period


@pytest.mark.parametrize("period", [0, 1, 29, 31, 365, -7])
def test_other_periods_are_refused(period: int) -> None:
    with pytest.raises(ValueError, match="7, 30 or 90"):
        d.check_period(period)


def test_a_whole_report_serialises_to_plain_json() -> None:
    gaps = d.weak_options([QuestionStat("Q?", 4, 4)], {"Q?": [("x", 4)]})
    gaps += d.high_escalation([DomainOutcome("email", 5, 1, 4)])
    gaps += d.uncharted_territory([DiscoveryCount(None, 2)])
    gaps += d.repeated_patterns([_group(5, "outlook")])
    for g in gaps:
        _plain(g.as_dict())
        json.dumps(g.as_dict())
