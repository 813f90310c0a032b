"""Similar-proposal detection: one problem worded differently merges, different problems do not."""

from __future__ import annotations

import json
import random
from itertools import combinations
from pathlib import Path

import pytest

from resolutionflow.flywheel.similarity import (
    DEFAULT_THRESHOLD,
    ProposalText,
    find_most_similar,
    similarity,
)

DATA = json.loads((Path(__file__).resolve().parents[1] / "data" / "summaries.json").read_text())

KEYWORDS = {
    "printer_offline": (["printer", "offline"], ["print queue", "spooler", "printing"]),
    "shared_mailbox": (["shared mailbox", "outlook"], ["automapping", "full access", "mailbox"]),
    "vpn_sleep": (["vpn", "sleep"], ["vpn disconnect", "standby", "reconnect"]),
    "mfa_loop": (["mfa", "sign-in loop"], ["authenticator", "two-factor", "prompts"]),
    "onedrive_sync": (["onedrive", "sync"], ["sync pending", "onedrive client"]),
    "account_lockout": (["account lockout", "active directory"], ["locked out", "ad account"]),
    "mapped_drive": (["mapped drive", "reboot"], ["drive mapping", "network drive"]),
    "battery_drain": (["battery", "laptop"], ["battery drain", "power"]),
    "teams_camera": (["teams", "camera"], ["webcam", "video", "teams devices"]),
    "outbox_stuck": (["outbox", "outlook"], ["send mail", "outgoing email"]),
    "slow_login": (["slow login", "windows"], ["logon", "group policy", "welcome screen"]),
}


def _groups() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for row in DATA:
        if row["group"] in KEYWORDS:
            groups.setdefault(row["group"], []).append(row["summary"])
    return groups


def _pair(group: str, summaries: list[str]) -> tuple[ProposalText, ProposalText]:
    """Two proposals about one problem, sharing no summary and worded differently."""
    first_kw, second_kw = KEYWORDS[group]
    a = ProposalText(
        id=f"{group}-a",
        title=summaries[0],
        description=f"Steps that resolved: {summaries[1]}",
        keywords=first_kw,
        summaries=summaries[:3],
    )
    b = ProposalText(
        id=f"{group}-b",
        title=summaries[3],
        description=f"Diagnosis path for {summaries[4].lower()}",
        keywords=second_kw,
        summaries=[summaries[5]],
    )
    return a, b


def test_one_problem_worded_differently_scores_above_threshold() -> None:
    for group, summaries in _groups().items():
        a, b = _pair(group, summaries)
        assert similarity(a, b) >= DEFAULT_THRESHOLD, group


def test_different_problems_score_below_threshold() -> None:
    pairs = {g: _pair(g, s) for g, s in _groups().items()}
    for (g1, (a1, _)), (g2, (_, b2)) in combinations(pairs.items(), 2):
        assert similarity(a1, b2) < DEFAULT_THRESHOLD, (g1, g2)


def test_identical_scores_one_and_order_does_not_matter() -> None:
    a, b = _pair("vpn_sleep", _groups()["vpn_sleep"])
    assert similarity(a, a) == pytest.approx(1.0, abs=1e-5)
    assert similarity(a, b) == pytest.approx(similarity(b, a), abs=1e-6)


def test_empty_fields_are_ignored_not_counted_as_different() -> None:
    a = ProposalText(id="a", title="Printer offline", summaries=["Printer shows offline"])
    b = ProposalText(id="b", title="Printer offline", description="x", keywords=["printer"])
    assert similarity(a, b) == pytest.approx(1.0, abs=1e-5)
    assert similarity(ProposalText(id="c", title=""), ProposalText(id="d", title="")) == 0.0


def test_find_most_similar_picks_the_match_among_500_candidates() -> None:
    groups = _groups()
    rng = random.Random(3)
    others = [s for g, ss in groups.items() if g != "teams_camera" for s in ss]
    candidates = []
    for k in range(499):
        picked = rng.sample(others, 3)
        candidates.append(
            ProposalText(id=f"c{k}", title=picked[0], description=picked[1], summaries=picked)
        )
    new, target = _pair("teams_camera", groups["teams_camera"])
    target.id = "the-one"
    candidates.insert(217, target)
    best, score = find_most_similar(new, candidates)
    assert best == "the-one"
    assert score >= DEFAULT_THRESHOLD
    assert find_most_similar(new, candidates) == (best, score)


def test_find_most_similar_returns_none_below_threshold_or_without_candidates() -> None:
    groups = _groups()
    new, _ = _pair("battery_drain", groups["battery_drain"])
    unrelated = [_pair(g, s)[1] for g, s in groups.items() if g != "battery_drain"]
    best, score = find_most_similar(new, unrelated)
    assert best is None
    assert 0.0 <= score < DEFAULT_THRESHOLD
    assert find_most_similar(new, []) == (None, 0.0)
    assert find_most_similar(new, unrelated, threshold=0.0)[0] is not None


def test_batched_matches_agree_with_one_at_a_time() -> None:
    from resolutionflow.flywheel.similarity import find_most_similar, find_most_similar_many

    pool = [
        ProposalText(
            id="printer",
            title="Printer offline after driver update",
            summaries=["Printer shows offline", "Print jobs stuck in queue"],
        ),
        ProposalText(
            id="vpn",
            title="VPN drops after laptop sleep",
            summaries=["VPN disconnects when the lid closes"],
        ),
        ProposalText(
            id="mfa",
            title="MFA prompt loops in Outlook",
            summaries=["Authenticator keeps asking again and again"],
        ),
    ]
    news = [
        ProposalText(
            id="a",
            title="Cannot print, printer says offline",
            summaries=["printer offline on floor 3"],
        ),
        ProposalText(
            id="b",
            title="VPN keeps disconnecting after sleep",
            summaries=["vpn drops when waking from sleep"],
        ),
        ProposalText(
            id="c",
            title="Payroll export has wrong totals",
            summaries=["payroll report totals off by one month"],
        ),
    ]
    batched = find_most_similar_many(news, pool)
    assert [b[0] for b in batched] == ["printer", "vpn", None]
    assert [b[0] for b in batched] == [find_most_similar(n, pool)[0] for n in news]
    assert find_most_similar_many([], pool) == []
    assert find_most_similar_many(news, []) == [(None, 0.0)] * 3


def test_a_big_proposal_has_no_size_advantage_over_a_small_one() -> None:
    """A proposal that absorbed every rewording of its problem does not score higher against
    an unrelated session than its own members do one by one (best-pair scoring did: each
    absorbed summary was one more chance to match)."""
    groups = _groups()
    for g1, own in groups.items():
        big = ProposalText(id="big", title=own[0], summaries=own)
        singles = [ProposalText(id=f"s{k}", title=own[0], summaries=[s]) for k, s in enumerate(own)]
        for g2, other in groups.items():
            if g2 == g1:
                continue
            for summary in other[:3]:
                new = ProposalText(id="new", title=summary, summaries=[summary])
                big_score = similarity(big, new)
                best_single = max(similarity(s, new) for s in singles)
                assert big_score <= best_single + 0.02, (g1, g2, summary)


def test_merging_does_not_move_a_proposal_away_from_its_first_members() -> None:
    from resolutionflow.flywheel.similarity import ANCHORS, MAX_SUMMARIES, kept_summaries

    first = [f"first {k}" for k in range(ANCHORS)]
    later = [f"later {k}" for k in range(100)]
    kept = kept_summaries([*first, *later])
    assert len(kept) == MAX_SUMMARIES
    assert kept[:ANCHORS] == first  # the first members always count
    assert kept[ANCHORS:] == later[-(MAX_SUMMARIES - ANCHORS) :]  # then the most recent


def test_template_text_alone_scores_about_zero() -> None:
    def templated(pid: str, summary: str) -> ProposalText:
        return ProposalText(
            id=pid,
            title="Troubleshoot flow (general issue)",
            description=(
                "Use this flow when a ticket reports these symptoms. Charted from a resolved "
                "session with 2 questions and 1 action, ending with: a resolution that was "
                "not recorded."
            ),
            keywords=["troubleshooting", "diagnosis", "resolution", "helpdesk", "support"],
            summaries=[summary],
        )

    score = similarity(
        templated("a", "Printer shows offline"), templated("b", "VPN drops after sleep")
    )
    assert score < 0.05


def test_names_and_noise_do_not_make_unrelated_tickets_alike() -> None:
    a = ProposalText(
        id="a",
        title="[Oakridge] printer offline (Lukas) #48213",
        summaries=["RE: printer offline\n\nHi team,\n\nThanks, Lukas Becker\nlb@oak.example"],
    )
    b = ProposalText(
        id="b",
        title="[Oakridge] VPN drops (Lukas) #48213",
        summaries=["RE: VPN drops\n\nHi team,\n\nThanks, Lukas Becker\nlb@oak.example"],
    )
    assert similarity(a, b) < DEFAULT_THRESHOLD


def _big_pool(groups: dict[str, list[str]], size: int, *, leave_out: str) -> list[ProposalText]:
    rng = random.Random(11)
    others = [s for g, ss in groups.items() if g != leave_out for s in ss]
    pool = []
    for k in range(size):
        picked = rng.sample(others, 2)
        pool.append(ProposalText(id=f"c{k}", title=picked[0], summaries=picked))
    return pool


def test_a_pool_bigger_than_the_shortlist_finds_what_scoring_it_whole_finds() -> None:
    """Past `SHORTLIST` candidates the pool is cut to those sharing words with the new
    proposals (plus an even spread for term weights): every new proposal still finds the
    candidate scoring the whole pool finds, and a candidate left out scores 0."""
    from resolutionflow.flywheel import similarity as sim

    groups = _groups()
    pool = _big_pool(groups, 3 * sim.SHORTLIST, leave_out="teams_camera")
    new, target = _pair("teams_camera", groups["teams_camera"])
    target.id = "the-one"
    pool.insert(777, target)
    news = [new] + [
        ProposalText(id=f"n{g}", title=ss[-1], summaries=[ss[-1]])
        for g, ss in sorted(groups.items())
        if g != "teams_camera"
    ]
    whole = sim._score_matrix(news, pool)
    cut = sim.scores(news, pool)
    assert cut.shape == whole.shape
    alone = sim.scores([new], pool)
    assert (alone > 0).sum() <= sim.PER_NEW + sim.BACKGROUND  # the rest was never scored
    assert alone[777, 0] == cut[777, 0] or int(alone.argmax()) == 777
    for j in range(len(news)):
        assert int(cut[:, j].argmax()) == int(whole[:, j].argmax()), news[j].title
    assert sim.find_most_similar_many(news, pool)[0][0] == "the-one"
    payroll = ProposalText(id="p", title="Payroll export totals wrong", summaries=["payroll"])
    unrelated = sim.scores([payroll], pool)
    assert unrelated.max() < DEFAULT_THRESHOLD
    assert (unrelated > 0).sum() <= sim.BACKGROUND  # it shares no word: only the spread


def test_the_last_candidates_are_always_scored_even_in_a_big_pool() -> None:
    """Placement passes a batch's own sessions as the last candidates: they are scored
    whatever the shortlist keeps of the pool."""
    from resolutionflow.flywheel import similarity as sim

    groups = _groups()
    pool = _big_pool(groups, 2 * sim.SHORTLIST, leave_out="battery_drain")
    a, b = _pair("battery_drain", groups["battery_drain"])
    matrix = sim.scores([a, b], [*pool, a, b], always=2)
    assert matrix[len(pool) + 1, 0] >= DEFAULT_THRESHOLD  # b, scored for a
    assert matrix[len(pool) + 1, 0] == pytest.approx(matrix[len(pool), 1], abs=1e-9)
    assert sim.best_candidate(matrix[:, 0]) == len(pool)  # a itself, the best of all
    assert sim.best_candidate([0.01, 0.05]) is None
    assert sim.best_candidate([0.3, 0.3]) == 0
    assert sim.best_candidate([]) is None


def test_dense_and_sparse_scoring_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small comparisons are scored on dense arrays, big ones on sparse rows: the two give
    the same scores, empty fields and proposals without summaries included."""
    import numpy as np

    from resolutionflow.flywheel import similarity as sim

    groups = _groups()
    rng = random.Random(7)
    texts = [_pair(group, summaries)[rng.randint(0, 1)] for group, summaries in groups.items()]
    texts.insert(1, _pair("vpn_sleep", groups["vpn_sleep"])[1])  # one pair that should merge
    texts.append(ProposalText(id="bare", title="Printer offline again"))  # no summaries
    texts.append(ProposalText(id="empty", title="", summaries=["the", "please help"]))
    news, candidates = texts[:4], texts[4:]
    dense = sim._score_matrix(news, candidates)
    monkeypatch.setattr(sim, "DENSE_CELLS", 0)
    sparse = sim._score_matrix(news, candidates)
    assert dense.shape == (len(candidates), len(news))
    assert np.allclose(dense, sparse, atol=1e-5)
    assert dense.max() > DEFAULT_THRESHOLD  # not a comparison of zeros
