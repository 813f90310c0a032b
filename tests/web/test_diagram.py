"""The flow diagram: every demo flow draws, broken trees draw without failing, text is escaped."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from resolutionflow.demo.dataset import load_demo_flows
from resolutionflow.web.diagram import render_flow_svg, wrap
from resolutionflow.web.diagram_layout import layout
from tests.helpers import simple_tree

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the output is well-formed XML


def nodes_of(svg: str) -> dict[str, ET.Element]:
    root = parse(svg)
    return {g.get("data-node"): g for g in root.iter(f"{SVG}g") if g.get("data-node") is not None}


def test_every_demo_flow_draws_every_node_and_link() -> None:
    for flow in load_demo_flows():
        tree = flow["tree_structure"]
        svg = render_flow_svg(tree, label=flow["name"])
        drawn = nodes_of(svg)
        assert set(drawn) == {tree["id"], *(c["id"] for c in tree["children"])}
        links = svg.count('<path class="fd-link')
        expected = sum(
            len(n.get("options") or []) + bool(n.get("next_node_id"))
            for n in [tree, *tree["children"]]
        )
        assert links == expected, flow["key"]
        assert "fd-link-back" not in svg and "fd-has-problem" not in svg


def test_shapes_follow_node_types() -> None:
    drawn = nodes_of(render_flow_svg(simple_tree()))
    assert drawn["root"].find(f"{SVG}polygon") is not None  # decisions are hexagons
    assert "fd-action" in drawn["restart"].get("class", "")
    assert "fd-solution" in drawn["done"].get("class", "")


def test_rows_go_down_the_links() -> None:
    plan = layout(simple_tree())
    assert plan.boxes["root"].layer == 0
    assert plan.boxes["restart"].layer == 1 and plan.boxes["power"].layer == 1
    assert plan.boxes["done"].layer == 2
    same_row = [b for b in plan.boxes.values() if b.layer == 1]
    assert abs(same_row[0].slot - same_row[1].slot) >= 1  # no overlap in a row


def test_added_nodes_and_their_links_are_highlighted() -> None:
    svg = render_flow_svg(simple_tree(), added={"power"}, changed={"root"})
    drawn = nodes_of(svg)
    assert "fd-added" in drawn["power"].get("class", "")
    assert "fd-changed" in drawn["root"].get("class", "")
    assert "fd-added" not in drawn["done"].get("class", "")
    assert svg.count("fd-link fd-link-new") == 1 and ">NEW<" in svg


def test_problems_are_marked_at_their_nodes() -> None:
    svg = render_flow_svg(simple_tree(), problems={"restart": ["leads nowhere"]})
    drawn = nodes_of(svg)
    assert "fd-has-problem" in drawn["restart"].get("class", "")
    assert "leads nowhere" in "".join(drawn["restart"].itertext())
    assert "fd-has-problem" not in drawn["root"].get("class", "")


def test_broken_trees_still_draw() -> None:
    tree = simple_tree()
    tree["options"][1]["next_node_id"] = "ghost"  # dangling
    tree["children"][0]["next_node_id"] = "root"  # a cycle
    tree["children"].append({"id": "island", "type": "solution", "title": "Alone"})
    tree["children"].append({"type": "action"})  # no id
    tree["children"].append("not a node")
    svg = render_flow_svg(tree)
    drawn = nodes_of(svg)
    assert "ghost" in drawn and "fd-missing" in drawn["ghost"].get("class", "")
    assert "fd-link-back" in svg
    assert "island" in drawn


def test_text_is_escaped() -> None:
    tree = simple_tree()
    tree["title"] = '<script>alert("x")</script> & more'
    tree["options"][0]["label"] = "</text><script>1</script>"
    svg = render_flow_svg(tree, label="a <b> label", dom_id='x" onload="y')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'onload="y"' not in svg
    parse(svg)


def test_long_text_is_cut_with_an_ellipsis() -> None:
    lines = wrap("word " * 80, 20, 2)
    assert len(lines) == 2 and lines[-1].endswith("…") and all(len(x) <= 20 for x in lines)


def test_option_session_counts_are_shown() -> None:
    tree = simple_tree()
    tree["options"][0]["session_count"] = 7
    assert "7 sessions" in render_flow_svg(tree)


def test_empty_and_non_trees() -> None:
    for value in ({}, [], None, "text", {"children": "nope"}):
        parse(render_flow_svg(value))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["id", "type", "title", "options", "next_node_id", "question"]),
            _json,
            max_size=6,
        ),
        max_size=6,
    ),
    st.sampled_from(["n0", "n1", "x", ""]),
)
def test_any_shape_draws_well_formed_svg(children: list[dict[str, Any]], target: str) -> None:
    tree: dict[str, Any] = {
        "id": "n0",
        "type": "decision",
        "children": copy.deepcopy(children),
        "options": [{"id": "o", "label": "go", "next_node_id": target}],
    }
    for i, child in enumerate(tree["children"]):
        child.setdefault("id", f"n{i + 1}")
    svg = render_flow_svg(tree)
    parse(svg)
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg)


def _label_rects(svg: str) -> list[tuple[float, float, float, float]]:
    root = parse(svg)
    return [
        tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[misc]
        for g in root.iter(f"{SVG}g")
        if "fd-label" in (g.get("class") or "")
        for rect in g.iter(f"{SVG}rect")
    ]


def _hit(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def crowded_tree() -> dict[str, Any]:
    """A question whose five answers all lead to one shared node and to each other's
    neighbours: the labels of one fan compete for the same room."""
    answers = [
        "Can't tell",
        "Manufacturer's Type 3 driver",
        "Windows v4 / class driver",
        "Both drivers are installed side by side",
        "No driver at all",
    ]
    children: list[dict[str, Any]] = [
        {"id": f"a{i}", "type": "action", "title": f"Step {i}", "next_node_id": "end"}
        for i in range(len(answers))
    ]
    children.append({"id": "end", "type": "solution", "title": "Done"})
    options = [
        {"label": text, "next_node_id": f"a{i}" if i else "end", "session_count": i + 1}
        for i, text in enumerate(answers)
    ]
    return {
        "id": "q",
        "type": "decision",
        "title": "Which driver?",
        "question": "Which?",
        "options": options,
        "children": children,
    }


def test_labels_never_overlap_nodes_or_each_other_and_stay_in_view() -> None:
    trees = [crowded_tree()] + [f["tree_structure"] for f in load_demo_flows()]
    for tree in trees:
        svg = render_flow_svg(tree)
        root = parse(svg)
        left, top, width, height = (float(v) for v in root.get("viewBox", "").split())
        labels = _label_rects(svg)
        assert labels, tree["id"]
        for i, a in enumerate(labels):
            assert left <= a[0] and a[0] + a[2] <= left + width and a[1] + a[3] <= top + height
            for b in labels[i + 1 :]:
                assert not _hit(a, b), (tree["id"], a, b)
        for g in nodes_of(svg).values():
            shape = g.find(f"{SVG}rect")  # an element with no children is false: test None
            if shape is not None:
                box = tuple(float(shape.get(k)) for k in ("x", "y", "width", "height"))
                assert left <= box[0] and box[0] + box[2] <= left + width
                for label in labels:
                    assert not _hit(box, label), (tree["id"], g.get("data-node"), label)
