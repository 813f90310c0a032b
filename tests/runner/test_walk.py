"""Replaying a session over its flow, and the match score, on generated flows and walks."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from resolutionflow.flows.structure import node_index
from resolutionflow.runner.steps import (
    action_step,
    free_action,
    free_question,
    note_step,
    question_step,
    solution_step,
)
from resolutionflow.runner.walk import match_score, replay
from resolutionflow.sessions.schemas import StepIn
from tests.helpers import simple_tree
from tests.strategies import valid_trees


@st.composite
def walks(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """A valid flow and a walk on it from the root, choosing options at random; it either
    reaches a solution and resolves there (True) or stops on the way (False)."""
    tree = draw(valid_trees(max_nodes=14))
    index = node_index(tree)
    node = tree
    steps: list[dict[str, Any]] = []
    stop_after = draw(st.integers(1, 40))
    while len(steps) < stop_after:
        if node["type"] == "decision":
            option = draw(st.sampled_from(node["options"]))
            steps.append(question_step(node, option_id=option["id"]))
            node = index[option["next_node_id"]]
        elif node["type"] == "action":
            steps.append(action_step(node, worked=draw(st.booleans())))
            node = index[node["next_node_id"]]
        else:
            steps.append(solution_step(node, resolved=True))
            return tree, steps, True
        if draw(st.integers(0, 5)) == 0:
            steps.append(note_step("a note"))
    return tree, steps, False


def _ordered(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**s, "step_order": n} for n, s in enumerate(steps)]


off_flow_steps = st.sampled_from(
    [
        free_question("What does the event log say?", "Error 0x1"),
        free_action("Reinstalled the driver", worked=True, result="prints"),
        free_action("Rebooted", worked=False),
    ]
)


@settings(max_examples=150, deadline=None)
@given(walks())
def test_a_walk_along_the_flow_scores_one_and_ends_where_it_stopped(
    walk: tuple[dict[str, Any], list[dict[str, Any]], bool],
) -> None:
    tree, steps, resolved = walk
    position = replay(tree, _ordered(steps))
    assert not position.left_flow
    assert position.finished == resolved
    if resolved:
        assert position.node_id is None
    else:
        assert position.node_id in node_index(tree)
    if position.counted:
        assert match_score(_ordered(steps), tree) == 1.0
    for step in steps:  # every builder's output is a valid import step
        StepIn.model_validate(step)


@settings(max_examples=150, deadline=None)
@given(walks(), st.lists(off_flow_steps, min_size=1, max_size=6), st.integers(0, 3))
def test_leaving_the_flow_lowers_the_score_and_more_off_flow_steps_never_raise_it(
    walk: tuple[dict[str, Any], list[dict[str, Any]], bool],
    extra: list[dict[str, Any]],
    notes: int,
) -> None:
    tree, steps, _ = walk
    path = [s for s in steps if s["step_type"] != "resolution"]
    on = sum(1 for s in path if s["step_type"] in ("question", "action"))
    previous = match_score(_ordered(path), tree) if on else 1.0
    for count in range(1, len(extra) + 1):
        longer = _ordered(path + extra[:count] + [note_step("n")] * notes)
        score = match_score(longer, tree)
        assert 0.0 <= score <= 1.0
        assert score <= previous
        assert score == round(on / (on + count), 4)
        previous = score
        assert replay(tree, longer).left_flow


@settings(max_examples=100, deadline=None)
@given(walks(), st.text(min_size=1, max_size=20).filter(str.strip))
def test_a_typed_answer_at_a_question_leaves_the_flow_there(
    walk: tuple[dict[str, Any], list[dict[str, Any]], bool], answer: str
) -> None:
    tree, steps, _ = walk
    index = node_index(tree)
    path = [s for s in steps if s["step_type"] != "resolution"]
    position = replay(tree, _ordered(path))
    node = index.get(position.node_id or "")
    if node is None or node["type"] != "decision":
        return
    typed = _ordered([*path, question_step(node, free_text=answer)])
    after = replay(tree, typed)
    assert after.left_flow and after.node_id is None
    on = after.on_flow
    assert match_score(typed, tree) == round(on / (on + 1), 4)


def test_the_score_is_zero_without_a_flow_or_a_path() -> None:
    tree = simple_tree()
    assert match_score([], tree) == 0.0
    assert match_score([note_step("called the user")], tree) == 0.0
    assert match_score(_ordered([question_step(tree, option_id="o-yes")]), None) == 0.0


def test_imported_steps_are_matched_by_their_text() -> None:
    tree = simple_tree()
    imported = [
        {
            "step_order": 0,
            "step_type": "question",
            "context_message": "Is the printer showing online?",
            "options_presented": [{"value": "y", "label": "Yes"}],
            "selected_option": "y",
        },
        {
            "step_order": 1,
            "step_type": "action",
            "content": {"text": "Restart the spooler"},
            "action_result": {"success": True},
        },
        {"step_order": 2, "step_type": "resolution", "content": {"text": "Jobs print"}},
    ]
    position = replay(tree, imported)
    assert position.finished and position.on_flow == 2
    assert match_score(imported, tree) == 1.0


def test_a_solution_that_did_not_work_ends_the_walk_on_the_flow() -> None:
    tree = simple_tree()
    index = node_index(tree)
    steps = _ordered(
        [
            question_step(tree, option_id="o-no"),
            solution_step(index["power"], resolved=False, notes="still offline"),
            free_action("Replaced the network cable", worked=True),
        ]
    )
    position = replay(tree, steps)
    assert position.left_flow and position.node_id is None
    assert match_score(steps, tree) == round(2 / 3, 4)
