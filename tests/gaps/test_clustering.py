"""Grouping unmatched sessions by meaning: one problem's rewordings together, nothing else."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from resolutionflow.errors import Invalid
from resolutionflow.gaps import clustering
from resolutionflow.gaps.clustering import Cluster, cluster_summaries
from resolutionflow.text.normalise import normalise

DATA = json.loads((Path(__file__).resolve().parents[1] / "data" / "summaries.json").read_text())
ITEMS = [(f"s{k:03d}", row["summary"], row["domain"]) for k, row in enumerate(DATA)]
GROUP_OF = {f"s{k:03d}": row["group"] for k, row in enumerate(DATA)}
GROUP_SIZES = Counter(row["group"] for row in DATA)
REAL_GROUPS = {g for g, n in GROUP_SIZES.items() if n >= 3}


def _check_groups(clusters: list[Cluster]) -> None:
    seen: set[str] = set()
    for cluster in clusters:
        groups = {GROUP_OF[s] for s in cluster.session_ids}
        assert len(groups) == 1, f"cluster mixes {groups}"
        (group,) = groups
        assert group in REAL_GROUPS, f"singleton {group} reported as a group"
        assert group not in seen, f"{group} split over two clusters"
        seen.add(group)
        assert cluster.size == len(cluster.session_ids) == GROUP_SIZES[group], group
    assert seen == REAL_GROUPS


def test_labelled_set_groups_exactly() -> None:
    assert len(DATA) >= 70 and len(REAL_GROUPS) >= 8
    _check_groups(cluster_summaries(ITEMS))


def test_the_large_input_path_groups_the_labelled_set_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Force the partition + cross-part merge used for thousands of summaries.
    monkeypatch.setattr(clustering, "EXACT_LIMIT", 30)
    _check_groups(cluster_summaries(ITEMS))


def test_clusters_describe_their_group() -> None:
    clusters = cluster_summaries(ITEMS)
    sizes = [c.size for c in clusters]
    assert sizes == sorted(sizes, reverse=True)
    for cluster in clusters:
        group = GROUP_OF[cluster.session_ids[0]]
        words = cluster.label.split()
        assert 1 <= len(words) <= 5
        group_words = Counter(
            w for s in cluster.session_ids for w in normalise(ITEMS[int(s[1:])][1]).split()
        )
        assert any(group_words[w] >= 3 for w in words), (group, cluster.label)
        assert 1 <= len(cluster.typical_summaries) <= 3
        members = {ITEMS[int(s[1:])][1] for s in cluster.session_ids}
        assert set(cluster.typical_summaries) <= members
        order = [s for s, _, _ in ITEMS if s in set(cluster.session_ids)]
        assert cluster.session_ids == order
        expected_domain = Counter(ITEMS[int(s[1:])][2] for s in cluster.session_ids)
        assert cluster.domain == expected_domain.most_common(1)[0][0]


def test_characteristic_words_in_labels() -> None:
    labels = {GROUP_OF[c.session_ids[0]]: c.label for c in cluster_summaries(ITEMS)}
    assert "mailbox" in labels["shared_mailbox"]
    assert "printer" in labels["printer_offline"]
    assert "vpn" in labels["vpn_sleep"]
    assert "battery" in labels["battery_drain"]
    assert "onedrive" in labels["onedrive_sync"]


def test_deterministic_and_independent_of_session_ids() -> None:
    first = cluster_summaries(ITEMS)
    assert cluster_summaries(ITEMS) == first
    renamed = [(f"x-{sid}", text, dom) for sid, text, dom in ITEMS]
    again = cluster_summaries(renamed)
    assert [c.session_ids for c in again] == [[f"x-{s}" for s in c.session_ids] for c in first]
    assert [c.label for c in again] == [c.label for c in first]


def test_order_of_input_does_not_change_the_grouping() -> None:
    shuffled = ITEMS[:]
    random.Random(5).shuffle(shuffled)
    _check_groups(cluster_summaries(shuffled))


def test_min_size_and_tiny_or_empty_input() -> None:
    assert cluster_summaries([]) == []
    assert cluster_summaries([("a", "Printer offline", None)]) == []
    two = [("a", "Printer offline", "printing"), ("b", "Printer is offline again", None)]
    assert cluster_summaries(two) == []
    (pair,) = cluster_summaries(two, min_size=2)
    assert pair.session_ids == ["a", "b"] and pair.domain == "printing"
    blanks = [("a", "", None), ("b", "   ", None), ("c", "help please", None)]
    assert cluster_summaries(blanks) == []
    with pytest.raises(Invalid):
        cluster_summaries(ITEMS, min_size=0)


def test_duplicates_are_one_group_with_distinct_typical_summaries() -> None:
    items = [(f"d{k}", "Printer offline", None) for k in range(5)]
    items.append(("e", "printer  OFFLINE", None))
    (cluster,) = cluster_summaries(items)
    assert cluster.size == 6
    assert cluster.typical_summaries == ["Printer offline"]
    assert cluster.as_dict()["session_ids"][0] == "d0"


def _synthetic(n: int) -> list[tuple[str, str, str | None]]:
    rng = random.Random(11)
    things = [
        "printer",
        "shared mailbox",
        "VPN",
        "OneDrive",
        "Teams camera",
        "mapped drive",
        "laptop battery",
        "MFA",
        "domain account",
        "Outlook",
        "Wi-Fi",
        "scanner",
        "SharePoint site",
        "Excel",
        "BitLocker",
        "Windows update",
        "docking station",
    ]
    faults = [
        "offline",
        "missing",
        "not syncing",
        "stuck",
        "crashing",
        "slow",
        "locked out",
        "disconnecting",
        "not detected",
        "looping",
        "blocked",
        "draining fast",
    ]
    tails = [
        "",
        "after reboot",
        "after sleep",
        "since the update",
        "in the finance office",
        "for the whole team",
        "on the new laptop",
        "every morning",
        "at the branch",
    ]
    domains = [None, "m365", "networking", "hardware"]
    return [
        (
            f"syn-{k}",
            f"{rng.choice(things)} {rng.choice(faults)} {rng.choice(tails)}".strip(),
            rng.choice(domains),
        )
        for k in range(n)
    ]


def test_ten_thousand_summaries_complete() -> None:
    items = _synthetic(10_000)
    clusters = cluster_summaries(items)
    assert clusters
    ids = [s for c in clusters for s in c.session_ids]
    assert len(ids) == len(set(ids)) <= len(items)
    assert all(c.size >= 3 and c.label for c in clusters)
