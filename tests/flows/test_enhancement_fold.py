"""Sessions folded into an enhancement: each new branch is added once, the diff rebuilt from
the trees applies to the flow, and the description counts what the review page counts."""

from __future__ import annotations

import copy
from typing import Any

from resolutionflow.ai.providers.offline import build_enhancement
from resolutionflow.flows.diff import added_node_ids, compare_trees, describe_addition
from resolutionflow.flows.fold import fold_session_into_flow
from resolutionflow.flows.merge import apply_enhancement, diff_between
from resolutionflow.flows.structure import node_index, validate_tree
from resolutionflow.sessions.transcript import session_payload
from tests.flow_outline import outline
from tests.flows.test_fold import flow_of
from tests.session_strategies import act_step, ask_step, diverge, printer_offline_session


def jammed(sid: str, wording: str = "paper jam light blinking") -> dict[str, Any]:
    out = diverge(printer_offline_session(sid), 1, wording)
    out["id"] = sid
    return out


def enhanced(base: dict[str, Any], first: dict[str, Any]) -> dict[str, Any]:
    """The merged tree the worker keeps for a new enhancement, then the first session folded
    in as it would be on a later merge."""
    generated = build_enhancement(base, session_payload(first))
    merged, problems = apply_enhancement(base, generated)
    assert problems == []
    return merged


def structure(tree: dict[str, Any]) -> dict[str, Any]:
    """Node texts and links without the session counts and the folded ids."""
    out = copy.deepcopy(tree)
    for node in node_index(out).values():  # an absent optional key equals its default
        node.setdefault("options", [])
        node.setdefault("next_node_id", None)
    out.pop("folded_session_ids", None)
    for node in node_index(out).values():
        for option in node.get("options") or []:
            option.pop("session_count", None)
    return out


def test_two_sessions_with_the_same_divergence_add_one_chain() -> None:
    base = flow_of(printer_offline_session())
    merged = enhanced(base, jammed("jam-1"))
    added_once = added_node_ids(base, merged)
    assert added_once
    for session in (jammed("jam-2"), jammed("jam-3", "Paper jam light is blinking!")):
        merged = fold_session_into_flow(merged, session)
        assert validate_tree(merged) == []
    assert added_node_ids(base, merged) == added_once, outline(merged)
    fuser = [n for n in node_index(merged).values() if n.get("title") == "Replace the fuser unit"]
    assert len(fuser) == 1


def test_the_rebuilt_diff_applies_to_the_flow_and_gives_the_merged_tree() -> None:
    base = flow_of(printer_offline_session())
    merged = enhanced(base, jammed("jam-1"))
    awake = printer_offline_session("awake-1")
    awake["steps"] = [
        ask_step(0, "Is the printer showing as online on the print server?", ["Yes", "No"], pick=0),
        act_step(1, "Wake the printer from deep sleep", True, "printing again"),
    ]
    awake["resolution_summary"] = "Disabled deep sleep on the printer"
    for session in (jammed("jam-2"), awake):
        merged = fold_session_into_flow(merged, session)
    diff = diff_between(base, merged)
    rebuilt, problems = apply_enhancement(base, diff)
    assert problems == []
    assert structure(rebuilt) == structure(merged)


def test_the_description_counts_what_the_page_counts() -> None:
    base = flow_of(printer_offline_session())
    merged = fold_session_into_flow(enhanced(base, jammed("jam-1")), jammed("jam-2"))
    comparison = compare_trees(base, merged)
    text = describe_addition(comparison)
    count = len(added_node_ids(base, merged))
    assert len(comparison["added_nodes"]) == count
    assert text.startswith(f"{count} node{'s' if count != 1 else ''} added")
    assert "Replace the fuser unit" in text
