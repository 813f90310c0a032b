"""Grouping unmatched summaries by meaning, on hand-labelled summaries (pure)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from resolutionflow.gaps.patterns import SummaryCount, group_summaries, wordings

DATA = Path(__file__).resolve().parents[1] / "data" / "summaries.json"


@pytest.fixture(scope="module")
def labelled() -> list[dict[str, str]]:
    items = json.loads(DATA.read_text())
    assert len(items) >= 60
    return items


def _truth(items: list[dict[str, str]]) -> dict[str, str]:
    return {i["summary"]: i["group"] for i in items}


def test_rewordings_of_one_problem_form_one_group(labelled: list[dict[str, str]]) -> None:
    truth = _truth(labelled)
    groups = group_summaries([SummaryCount(i["summary"], i["domain"], 1) for i in labelled])
    sizes = Counter(i["group"] for i in labelled)
    recurring = {g for g, n in sizes.items() if n >= 3}
    found = {}
    for group in groups:
        problems = Counter(truth[s] for s in group.summaries)
        # Unrelated problems are kept apart: every group holds one labelled problem only.
        assert len(problems) == 1, problems
        (problem,) = problems
        found[problem] = group.size
    # And every recurring problem is found whole.
    assert found == {p: sizes[p] for p in recurring}


def test_group_fields(labelled: list[dict[str, str]]) -> None:
    rows = [SummaryCount(i["summary"], i["domain"], 1) for i in labelled]
    for group in group_summaries(rows):
        assert group.size == len(group.summaries) >= 3
        assert group.label
        assert 1 <= len(group.typical_summaries) <= 3
        assert set(group.typical_summaries) <= {" ".join(s.split()) for s in group.summaries}
        assert group.domain is not None


def test_sizes_count_sessions_not_wordings() -> None:
    rows = [
        SummaryCount("VPN drops every few minutes", "networking", 4),
        SummaryCount("vpn drops every 5 minutes", "networking", 1),
        SummaryCount("Shared mailbox missing in Outlook", "email", 2),
    ]
    groups = group_summaries(rows)
    assert [(g.size, g.domain) for g in groups] == [(5, "networking")]
    assert groups[0].typical_summaries[0] == "VPN drops every few minutes"


def test_case_spacing_and_numbers_make_one_wording() -> None:
    rows = [
        SummaryCount("Ticket 4411: printer offline", None, 1),
        SummaryCount("ticket 9921:  Printer OFFLINE", None, 2),
    ]
    (only,) = wordings(rows)
    assert only.count == 3


def test_rare_wordings_join_their_group_beyond_the_clustered_limit(
    labelled: list[dict[str, str]],
) -> None:
    truth = _truth(labelled)
    rows = [SummaryCount(i["summary"], i["domain"], 1) for i in labelled]
    groups = group_summaries(rows, max_clustered=40)
    assert groups
    for group in groups:
        problems = Counter(truth[s] for s in group.summaries)
        _, count = problems.most_common(1)[0]
        assert count >= group.size - 1, problems  # at most one stray


def test_too_few_sessions() -> None:
    assert group_summaries([SummaryCount("Printer offline", None, 2)]) == []
    assert group_summaries([]) == []
