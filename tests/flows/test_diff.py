"""Comparing two versions of a flow: exact lists of what was added, removed and changed."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings

from resolutionflow.flows.diff import changed_node_ids, compare_trees
from resolutionflow.flows.merge import apply_enhancement
from tests.strategies import garbage, trees_with_diffs, valid_trees

SETTINGS = settings(max_examples=150, deadline=None)


def tree() -> dict[str, Any]:
    return {
        "id": "root",
        "type": "decision",
        "question": "Can the user sign in?",
        "options": [
            {"id": "yes", "label": "Yes", "next_node_id": "done"},
            {"id": "no", "label": "No", "next_node_id": "reset"},
        ],
        "children": [
            {
                "id": "reset",
                "type": "action",
                "title": "Reset the password",
                "next_node_id": "done",
            },
            {"id": "done", "type": "solution", "title": "Signed in", "options": []},
        ],
    }


@SETTINGS
@given(valid_trees())
def test_a_tree_compared_with_itself_has_no_changes(t: dict[str, Any]) -> None:
    result = compare_trees(t, copy.deepcopy(t))
    assert result["summary"] == "no changes"
    assert changed_node_ids(result) == set()


@SETTINGS
@given(trees_with_diffs())
def test_after_a_merge_exactly_the_added_nodes_and_options_are_listed(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    before, diff = case
    after, problems = apply_enhancement(before, diff)
    assert problems == []
    result = compare_trees(before, after)
    assert [n["id"] for n in result["added_nodes"]] == [n["id"] for n in diff["new_nodes"]]
    parents = {
        n["id"]: n.get("attach_after_node_id")
        or next(
            m["node_id"]
            for m in diff["modified_options"]
            if m["add_option"]["next_node_id"] == n["id"]
        )
        for n in diff["new_nodes"]
    }
    links = {(o["node_id"], o["next_node_id"]) for o in result["added_options"]}
    assert links == {(parent, child) for child, parent in parents.items()}
    assert len(result["added_options"]) == len(diff["new_nodes"])
    assert result["removed_nodes"] == result["removed_options"] == []
    assert result["changed_nodes"] == result["changed_options"] == []
    assert compare_trees(before, after) == result


def test_summary_names_the_node_that_gained_options() -> None:
    before = tree()
    after = copy.deepcopy(before)
    after["options"].append({"id": "locked", "label": "Locked out", "next_node_id": "unlock"})
    after["children"] += [
        {"id": "unlock", "type": "action", "title": "Unlock", "next_node_id": "done2"},
        {"id": "done2", "type": "solution", "title": "Unlocked"},
    ]
    result = compare_trees(before, after)
    assert result["summary"] == "2 nodes added, 1 option added to 'root'"
    assert result["added_options"] == [
        {"node_id": "root", "option_id": "locked", "label": "Locked out", "next_node_id": "unlock"}
    ]
    assert changed_node_ids(result) == {"unlock", "done2", "root"}


def test_removed_and_changed_nodes_and_options_are_listed() -> None:
    before = tree()
    after = copy.deepcopy(before)
    after["children"][0]["title"] = "Reset the password in AD"
    after["options"][0]["label"] = "Yes, fine"
    del after["options"][1]
    after["options"].append({"id": "maybe", "label": "Maybe", "next_node_id": "done"})
    after["children"].pop(0)
    after["children"].append({"id": "call", "type": "solution", "title": "Call"})
    result = compare_trees(before, after)
    assert [n["id"] for n in result["removed_nodes"]] == ["reset"]
    assert [n["id"] for n in result["added_nodes"]] == ["call"]
    assert result["removed_options"] == [
        {"node_id": "root", "option_id": "no", "label": "No", "next_node_id": "reset"}
    ]
    assert result["changed_options"][0]["option_id"] == "yes"
    assert result["changed_options"][0]["before"]["label"] == "Yes"
    assert result["summary"] == (
        "1 node added, 1 node removed, 1 option added to 'root', "
        "1 option removed from 'root', 1 option changed on 'root'"
    )


def test_changed_fields_are_listed_with_before_and_after() -> None:
    before = tree()
    after = copy.deepcopy(before)
    after["children"][0]["next_node_id"] = None
    after["children"][0]["type"] = "solution"
    after["question"] = "Can they sign in now?"
    result = compare_trees(before, after)
    assert result["changed_nodes"] == [
        {
            "id": "root",
            "changes": {
                "question": {"before": "Can the user sign in?", "after": "Can they sign in now?"}
            },
        },
        {
            "id": "reset",
            "changes": {
                "type": {"before": "action", "after": "solution"},
                "next_node_id": {"before": "done", "after": None},
            },
        },
    ]
    assert result["summary"] == "2 nodes changed"


def test_a_missing_optional_key_equals_its_default() -> None:
    before = tree()
    after = copy.deepcopy(before)
    after["children"][1]["next_node_id"] = None
    assert compare_trees(before, after)["summary"] == "no changes"


@settings(max_examples=100, deadline=None)
@given(garbage, garbage)
def test_garbage_never_raises(before: Any, after: Any) -> None:
    assert isinstance(compare_trees(before, after)["summary"], str)
