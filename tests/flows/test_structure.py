"""The flow-structure validator, walkers and Mermaid export, on random valid and broken trees."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from resolutionflow.errors import Problem
from resolutionflow.flows.export import mermaid_ids, to_mermaid
from resolutionflow.flows.service import export_flow
from resolutionflow.flows.structure import (
    MAX_LABEL_LEN,
    MAX_NODES,
    TREE,
    edges,
    find_problems,
    iter_nodes,
    node_index,
    validate_tree,
)
from resolutionflow.models import Flow
from tests.strategies import garbage, valid_trees

SETTINGS = settings(max_examples=150, deadline=None)


def sample_tree() -> dict[str, Any]:
    return {
        "id": "root",
        "type": "decision",
        "title": "Printer",
        "question": "Is the printer online?",
        "help_text": "Check the panel.",
        "options": [
            {"id": "opt-1", "label": "Yes", "next_node_id": "n2"},
            {"id": "opt-2", "label": "No", "next_node_id": "n3"},
        ],
        "children": [
            {"id": "n2", "type": "action", "title": "Restart the spooler", "next_node_id": "n3"},
            {"id": "n3", "type": "solution", "title": "Reinstall the driver", "options": []},
        ],
    }


def kinds_at(tree: Any) -> set[tuple[str, str]]:
    return {(f.kind, f.location) for f in find_problems(tree)}


# --- valid trees -------------------------------------------------------------------------


@SETTINGS
@given(valid_trees())
def test_valid_trees_have_no_problems(tree: dict[str, Any]) -> None:
    assert validate_tree(tree) == []
    assert validate_tree(tree) == []


@SETTINGS
@given(valid_trees())
def test_walkers_agree_with_the_tree(tree: dict[str, Any]) -> None:
    nodes = list(iter_nodes(tree))
    assert nodes[0] is tree
    assert len(nodes) == 1 + len(tree["children"])
    index = node_index(tree)
    assert list(index) == [n["id"] for n in nodes]
    expected = sum(len(n["options"]) for n in nodes) + sum(
        1 for n in nodes if n.get("next_node_id")
    )
    links = edges(tree)
    assert len(links) == expected
    assert all(source in index and target in index for source, target, _ in links)


# --- planted problems --------------------------------------------------------------------

Mutation = Callable[[dict[str, Any], dict[str, Any], st.DataObject], tuple[str, str]]


def _decisions(tree: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in iter_nodes(tree) if n["type"] == "decision"]


def plant_duplicate_id(
    tree: dict[str, Any], node: dict[str, Any], data: st.DataObject
) -> tuple[str, str]:
    tree["children"].append({"id": node["id"], "type": "solution", "title": "copy"})
    return "duplicate_id", node["id"]


def plant_dangling(
    tree: dict[str, Any], node: dict[str, Any], data: st.DataObject
) -> tuple[str, str]:
    if node["type"] == "action":
        node["next_node_id"] = "no-such-node"
    else:
        option = data.draw(st.sampled_from(node["options"]))
        option["next_node_id"] = "no-such-node"
    return "dangling", node["id"]


def plant_one_option(
    tree: dict[str, Any], node: dict[str, Any], data: st.DataObject
) -> tuple[str, str]:
    del node["options"][1:]
    return "too_few_options", node["id"]


def plant_six_options(
    tree: dict[str, Any], node: dict[str, Any], data: st.DataObject
) -> tuple[str, str]:
    target = node["options"][0]["next_node_id"]
    while len(node["options"]) < 6:
        node["options"].append(
            {"id": f"extra-{len(node['options'])}", "label": "More", "next_node_id": target}
        )
    return "too_many_options", node["id"]


def plant_unreachable(
    tree: dict[str, Any], node: dict[str, Any], data: st.DataObject
) -> tuple[str, str]:
    orphan = "orphan-" + node["id"]
    tree["children"].append({"id": orphan, "type": "solution", "title": "Nobody gets here"})
    return "unreachable", orphan


def plant_self_cycle(
    tree: dict[str, Any], node: dict[str, Any], data: st.DataObject
) -> tuple[str, str]:
    if node["type"] == "action":
        node["next_node_id"] = node["id"]
    else:
        data.draw(st.sampled_from(node["options"]))["next_node_id"] = node["id"]
    return "cycle", node["id"]


def plant_solution_next(
    tree: dict[str, Any], node: dict[str, Any], data: st.DataObject
) -> tuple[str, str]:
    # A fresh terminal target: pointing back up could close a loop and move the cycle report.
    after = "after-" + node["id"]
    tree["children"].append({"id": after, "type": "solution", "title": "After the end"})
    node["next_node_id"] = after
    return "solution_leads_on", node["id"]


def plant_long_label(
    tree: dict[str, Any], node: dict[str, Any], data: st.DataObject
) -> tuple[str, str]:
    data.draw(st.sampled_from(node["options"]))["label"] = "x" * (MAX_LABEL_LEN + 1)
    return "oversize", node["id"]


PLANTS: dict[str, tuple[Callable[[dict[str, Any]], bool], Mutation]] = {
    "duplicate_id": (lambda n: True, plant_duplicate_id),
    "dangling": (lambda n: n["type"] in ("decision", "action"), plant_dangling),
    "one_option": (lambda n: n["type"] == "decision", plant_one_option),
    "six_options": (lambda n: n["type"] == "decision", plant_six_options),
    "unreachable": (lambda n: True, plant_unreachable),
    "cycle": (lambda n: n["type"] in ("decision", "action"), plant_self_cycle),
    "solution_next": (lambda n: n["type"] == "solution", plant_solution_next),
    "long_label": (lambda n: n["type"] == "decision", plant_long_label),
}


@SETTINGS
@given(valid_trees(), st.sampled_from(sorted(PLANTS)), st.data())
def test_each_planted_problem_is_reported_at_its_node(
    tree: dict[str, Any], name: str, data: st.DataObject
) -> None:
    applies, plant = PLANTS[name]
    candidates = [n for n in iter_nodes(tree) if applies(n)]
    node = data.draw(st.sampled_from(candidates))
    kind, location = plant(tree, node, data)
    assert (kind, location) in kinds_at(tree)
    assert location in {p.location for p in validate_tree(tree)}
    assert validate_tree(tree) != []


@SETTINGS
@given(valid_trees(max_nodes=30), st.data())
def test_several_planted_problems_are_all_reported(
    tree: dict[str, Any], data: st.DataObject
) -> None:
    names = data.draw(
        st.lists(st.sampled_from(sorted(PLANTS)), min_size=2, max_size=5, unique=True)
    )
    used: set[str] = set()
    expected: set[tuple[str, str]] = set()
    for name in names:
        applies, plant = PLANTS[name]
        # Distinct nodes, and never the root, so one plant cannot undo or mask another.
        candidates = [n for n in tree["children"] if applies(n) and n["id"] not in used]
        if name == "six_options":
            candidates = [n for n in candidates if n["options"]]
        if not candidates:
            continue
        node = data.draw(st.sampled_from(candidates))
        used.add(node["id"])
        expected.add(plant(tree, node, data))
    assert expected <= kinds_at(tree)


@SETTINGS
@given(valid_trees(), st.sampled_from(["action", "solution", "gizmo", None]))
def test_a_root_that_is_not_a_decision_is_reported(tree: dict[str, Any], kind: Any) -> None:
    tree["type"] = kind
    assert ("root_not_decision", tree["id"]) in kinds_at(tree)


@settings(max_examples=20, deadline=None)
@given(valid_trees(max_nodes=6))
def test_too_many_nodes_is_reported_for_the_whole_tree(tree: dict[str, Any]) -> None:
    sink = next(n for n in tree["children"] if n["type"] == "solution")
    hub = tree["children"]
    for i in range(MAX_NODES):
        hub.append({"id": f"bulk-{i}", "type": "solution", "title": "x"})
    assert ("oversize", TREE) in kinds_at(tree)
    assert sink in tree["children"]


def test_a_cycle_through_the_root_names_the_root() -> None:
    tree = sample_tree()
    tree["children"][0]["next_node_id"] = "root"
    problems = validate_tree(tree)
    cycle = [p for p in problems if "cycle" in p.message]
    assert [p.location for p in cycle] == ["root"]
    assert "root -> n2 -> root" in cycle[0].message


def test_messages_say_plainly_what_is_wrong() -> None:
    tree = sample_tree()
    tree["options"][1]["next_node_id"] = "n9"
    tree["children"][1]["next_node_id"] = "n2"
    tree["children"].append({"id": "n2", "type": "action", "next_node_id": "n3"})
    tree["children"].append({"type": "solution"})
    problems = validate_tree(tree)
    assert Problem("root", "option 'opt-2' leads to 'n9', which does not exist") in problems
    assert any(p.location == "n3" and "cannot lead on to 'n2'" in p.message for p in problems)
    assert any(p.location == "n2" and "used by 2 nodes" in p.message for p in problems)
    assert any(p.location == TREE and "children[3] has no id" in p.message for p in problems)


def test_a_non_object_tree_is_one_problem() -> None:
    for value in (None, [], 3, "tree", 2.5):
        problems = validate_tree(value)
        assert len(problems) == 1 and problems[0].location == TREE


@settings(max_examples=200, deadline=None)
@given(garbage)
def test_garbage_never_raises(value: Any) -> None:
    problems = validate_tree(value)
    assert all(isinstance(p, Problem) for p in problems)
    to_mermaid(value)


@SETTINGS
@given(valid_trees(max_nodes=8), garbage, st.data())
def test_garbage_inside_a_tree_never_raises(
    tree: dict[str, Any], junk: Any, data: st.DataObject
) -> None:
    node = data.draw(st.sampled_from(list(iter_nodes(tree))))
    field = data.draw(
        st.sampled_from(["id", "type", "options", "next_node_id", "title", "children"])
    )
    node[field] = junk
    if node["options"] if isinstance(node.get("options"), list) else False:
        option = data.draw(st.sampled_from(node["options"]))
        if isinstance(option, dict):
            option[data.draw(st.sampled_from(["id", "label", "next_node_id"]))] = junk
    assert all(isinstance(p, Problem) for p in validate_tree(tree))
    assert isinstance(to_mermaid(tree), str)


# --- Mermaid and JSON export -------------------------------------------------------------

NODE_LINE = re.compile(r'^    (n_\w+)(\{"[^"]*"\}|\["[^"]*"\]|\(\["[^"]*"\]\))$')
EDGE_LINE = re.compile(r'^    (n_\w+) -->(?:\|"[^"|]*"\|)? (n_\w+)$')


@SETTINGS
@given(valid_trees(), st.data())
def test_mermaid_draws_every_node_and_edge_safely(
    tree: dict[str, Any], data: st.DataObject
) -> None:
    ids = list(node_index(tree))
    highlight = set(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
    text = to_mermaid(tree, highlight=highlight)
    assert text == to_mermaid(copy.deepcopy(tree), highlight=set(highlight))
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    names = mermaid_ids(ids)
    assert len(set(names.values())) == len(ids)
    drawn = [m.group(1) for m in map(NODE_LINE.match, lines) if m]
    assert sorted(drawn) == sorted(names.values())
    arrows = [(m.group(1), m.group(2)) for m in map(EDGE_LINE.match, lines) if m]
    assert arrows == [(names[s], names[t]) for s, t, _ in edges(tree)]
    classed = [line for line in lines if line.startswith("    class ")]
    if highlight:
        assert classed == [f"    class {','.join(sorted(names[i] for i in highlight))} added"]
    else:
        assert classed == []


def test_mermaid_shapes_labels_and_escaping() -> None:
    tree = sample_tree()
    tree["options"][0]["label"] = 'Yes "really" [sure] {x} | y'
    text = to_mermaid(tree, highlight={"n3"})
    assert 'n_root{"Is the printer online?"}' in text
    assert 'n_n2["Restart the spooler"]' in text
    assert 'n_n3(["Reinstall the driver"])' in text
    assert 'n_root -->|"Yes #34;really#34; #91;sure#93; #123;x#125; #124; y"| n_n2' in text
    assert "n_n2 --> n_n3" in text
    assert "classDef added" in text and "class n_n3 added" in text


def test_mermaid_ids_that_clash_once_cleaned_stay_apart() -> None:
    names = mermaid_ids(["a-b", "a_b", "a b", "end"])
    assert len(set(names.values())) == 4
    assert all(re.fullmatch(r"n_\w+", name) for name in names.values())
    assert mermaid_ids(["a b", "a_b", "a-b", "end"]) == names


def test_mermaid_marks_links_to_missing_nodes() -> None:
    tree = sample_tree()
    tree["options"][1]["next_node_id"] = "gone"
    text = to_mermaid(tree)
    assert 'n_gone["missing: gone"]' in text and "class n_gone missing" in text


def test_flow_export_keeps_only_the_portable_fields() -> None:
    flow = Flow(
        key="printer-offline",
        name="Printer offline",
        description="d",
        problem_domain="printing",
        match_keywords=["printer", "offline"],
        tree_structure=sample_tree(),
        version=4,
    )
    out = export_flow(flow)
    assert list(out) == [
        "key",
        "name",
        "description",
        "problem_domain",
        "match_keywords",
        "tree_structure",
    ]
    assert out["tree_structure"] == sample_tree()
    assert out["match_keywords"] == ["printer", "offline"]
    assert export_flow(Flow(key="k", name="n", tree_structure={}))["match_keywords"] == []
