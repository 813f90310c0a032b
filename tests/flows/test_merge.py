"""Applying enhancement diffs: clean merges stay valid, conflicts are named, inputs untouched."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings

from resolutionflow.flows.merge import added_node_ids, apply_enhancement
from resolutionflow.flows.structure import node_index, validate_tree
from tests.strategies import garbage, trees_with_diffs, valid_trees

SETTINGS = settings(max_examples=150, deadline=None)


def base_tree() -> dict[str, Any]:
    return {
        "id": "root",
        "type": "decision",
        "question": "Is the printer online?",
        "options": [
            {"id": "opt-1", "label": "Yes", "next_node_id": "spooler"},
            {"id": "opt-2", "label": "No", "next_node_id": "power"},
        ],
        "children": [
            {
                "id": "spooler",
                "type": "action",
                "title": "Restart the spooler",
                "next_node_id": "fixed",
            },
            {"id": "power", "type": "solution", "title": "Power it on", "options": []},
            {"id": "fixed", "type": "solution", "title": "Fixed", "options": []},
        ],
    }


def new_solution(node_id: str, attach: str | None, label: str | None = None) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "solution",
        "title": f"Solution {node_id}",
        "question": "",
        "description": "",
        "options": [],
        "attach_after_node_id": attach,
        "new_option_label": label,
    }


def _snapshot(value: Any) -> str:
    # As text: a NaN the strategies drew is then equal to itself (nan != nan as a float).
    return json.dumps(value, sort_keys=True, default=repr)


def apply(tree: dict[str, Any], diff: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    before, before_diff = _snapshot(tree), _snapshot(diff)
    merged, problems = apply_enhancement(tree, diff)
    assert _snapshot(tree) == before and _snapshot(diff) == before_diff  # inputs untouched
    return merged, [str(p) for p in problems]


# --- clean merges ------------------------------------------------------------------------


@SETTINGS
@given(trees_with_diffs())
def test_a_clean_diff_gives_a_valid_tree_with_the_new_nodes(case: tuple[dict, dict]) -> None:
    tree, diff = case
    merged, problems = apply(tree, diff)
    assert problems == []
    assert validate_tree(merged) == []
    new_ids = {n["id"] for n in diff["new_nodes"]}
    assert set(added_node_ids(tree, merged)) == new_ids
    index = node_index(merged)
    for new in diff["new_nodes"]:
        stored = index[new["id"]]
        assert "attach_after_node_id" not in stored and "new_option_label" not in stored
        assert stored["type"] == new["type"]
    # Each new node is linked from its parent exactly once.
    for new in diff["new_nodes"]:
        links = [
            (n["id"], o["id"])
            for n in merged["children"] + [merged]
            for o in n.get("options") or []
            if o["next_node_id"] == new["id"]
        ]
        assert len(links) == 1
    assert apply_enhancement(tree, diff) == (merged, [])


def test_attaching_to_a_decision_adds_a_labelled_option() -> None:
    merged, problems = apply(base_tree(), {"new_nodes": [new_solution("toner", "root", "Toner")]})
    assert problems == []
    assert merged["options"][-1] == {"id": "opt-toner", "label": "Toner", "next_node_id": "toner"}
    # Without a label the node's title names the option.
    merged, _ = apply(base_tree(), {"new_nodes": [new_solution("toner", "root")]})
    assert merged["options"][-1]["label"] == "Solution toner"


def test_a_derived_option_id_never_reuses_one_on_the_node() -> None:
    tree = base_tree()
    tree["options"][0]["id"] = "opt-toner"
    merged, problems = apply(tree, {"new_nodes": [new_solution("toner", "root", "Toner")]})
    assert problems == []
    assert merged["options"][-1]["id"] == "opt-toner-2"


def test_a_chain_of_new_nodes_links_through_an_empty_action() -> None:
    check = {
        "id": "check",
        "type": "action",
        "title": "Check the cable",
        "options": [],
        "attach_after_node_id": "root",
        "new_option_label": "Unsure",
    }
    merged, problems = apply(
        base_tree(), {"new_nodes": [check, new_solution("cable", "check")], "modified_options": []}
    )
    assert problems == []
    assert node_index(merged)["check"]["next_node_id"] == "cable"


def test_modified_options_may_route_an_action_to_a_new_node() -> None:
    diff = {
        "new_nodes": [new_solution("reset", "spooler")],
        "modified_options": [
            {
                "node_id": "spooler",
                "add_option": {"id": "o-r", "label": "Still stuck", "next_node_id": "reset"},
            }
        ],
    }
    merged, problems = apply(base_tree(), diff)
    assert problems == []
    spooler = node_index(merged)["spooler"]
    assert spooler["next_node_id"] == "fixed"
    assert spooler["options"] == [{"id": "o-r", "label": "Still stuck", "next_node_id": "reset"}]


# --- conflicts ---------------------------------------------------------------------------


def test_an_attach_point_that_no_longer_exists_is_named() -> None:
    _, problems = apply(base_tree(), {"new_nodes": [new_solution("toner", "gone", "Toner")]})
    assert "toner: node 'gone' no longer exists, so 'toner' has nowhere to attach" in problems
    assert any(p.startswith("toner: node 'toner' cannot be reached") for p in problems)


def test_a_modified_option_on_a_missing_node_is_named() -> None:
    diff = {
        "modified_options": [
            {"node_id": "gone", "add_option": {"id": "x", "label": "X", "next_node_id": "fixed"}}
        ]
    }
    _, problems = apply(base_tree(), diff)
    assert problems == ["gone: node 'gone' no longer exists"]


def test_a_new_node_id_already_in_the_flow_is_named() -> None:
    merged, problems = apply(base_tree(), {"new_nodes": [new_solution("power", "root", "Again")]})
    assert problems == ["power: the new node's id 'power' is already used in the flow"]
    assert len(merged["children"]) == 3


def test_an_option_id_already_on_the_node_is_named() -> None:
    diff = {
        "new_nodes": [new_solution("toner", None)],
        "modified_options": [
            {
                "node_id": "root",
                "add_option": {"id": "opt-1", "label": "Toner", "next_node_id": "toner"},
            }
        ],
    }
    _, problems = apply(base_tree(), diff)
    assert "root: option id 'opt-1' is already used on 'root'" in problems


def test_a_label_already_on_the_node_leading_elsewhere_is_named() -> None:
    _, problems = apply(base_tree(), {"new_nodes": [new_solution("toner", "root", "  no ")]})
    assert (
        "root: node 'root' already has an option labelled 'No' leading to 'power'; "
        "the new one would lead to 'toner'"
    ) in problems


def test_a_sixth_option_is_refused_and_named() -> None:
    nodes = [new_solution(f"s{i}", "root", f"Choice {i}") for i in range(4)]
    merged, problems = apply(base_tree(), {"new_nodes": nodes})
    assert len(merged["options"]) == 5
    assert (
        "root: node 'root' already has 5 options; adding 'Choice 3' would exceed the limit of 5"
    ) in problems
    assert any(p.startswith("s3: node 's3' cannot be reached") for p in problems)


def test_attaching_after_a_linked_action_is_a_conflict_not_a_rewire() -> None:
    merged, problems = apply(base_tree(), {"new_nodes": [new_solution("reset", "spooler")]})
    assert node_index(merged)["spooler"]["next_node_id"] == "fixed"
    assert any(p.startswith("spooler: action 'spooler' already leads to 'fixed'") for p in problems)


def test_attaching_after_a_solution_is_named() -> None:
    _, problems = apply(base_tree(), {"new_nodes": [new_solution("more", "fixed")]})
    assert any(
        p.startswith("fixed: node 'fixed' is a solution and ends the flow") for p in problems
    )


def test_a_broken_new_node_is_reported_by_the_validator() -> None:
    bad = new_solution("bad", "root", "Bad")
    bad["next_node_id"] = "fixed"
    _, problems = apply(base_tree(), {"new_nodes": [bad]})
    assert problems == ["bad: a solution ends the flow, so it cannot lead on to 'fixed'"]


@settings(max_examples=150, deadline=None)
@given(valid_trees(max_nodes=8), garbage)
def test_garbage_diffs_never_raise(tree: dict[str, Any], diff: Any) -> None:
    for candidate in (
        diff,
        {"new_nodes": diff},
        {"modified_options": diff},
        {"new_nodes": [diff], "modified_options": [diff]},
    ):
        merged, problems = apply(tree, candidate)  # type: ignore[arg-type]
        assert isinstance(merged, dict)
        assert all(isinstance(p, str) for p in problems)


@settings(max_examples=100, deadline=None)
@given(garbage, trees_with_diffs())
def test_garbage_trees_never_raise(tree: Any, case: tuple[dict, dict]) -> None:
    merged, problems = apply_enhancement(tree, case[1])
    assert isinstance(merged, dict) and problems
