"""Folding sessions into a proposed flow: counts, new branches, charted routes, idempotence."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolutionflow.ai import prompts
from resolutionflow.ai.providers.offline import OfflineProvider
from resolutionflow.flows.fold import UNCHARTED_TITLE, fold_session_into_flow
from resolutionflow.flows.structure import MAX_OPTIONS, node_index, validate_tree
from tests.session_strategies import (
    act_step,
    ask_step,
    diverge,
    node_of_question,
    note_step,
    printer_offline_session,
    route_of,
    sessions,
    vpn_session,
)


def flow_of(session: dict[str, Any]) -> dict[str, Any]:
    provider = OfflineProvider()
    text = provider.answer(
        prompts.NEW_FLOW_SYSTEM_PROMPT,
        [{"role": "user", "content": prompts.new_flow_message(session)}],
    )
    return json.loads(text)["tree_structure"]


def option(tree: dict[str, Any], node_id: str, label: str) -> dict[str, Any]:
    node = node_index(tree)[node_id]
    return next(o for o in node["options"] if o["label"] == label)


def counts(tree: dict[str, Any], node_id: str) -> dict[str, int]:
    node = node_index(tree)[node_id]
    return {o["label"]: o.get("session_count", 0) for o in node["options"]}


def panel_id(tree: dict[str, Any]) -> str:
    return option(tree, "root", "No")["next_node_id"]


def test_same_route_counts_each_option_again() -> None:
    tree = flow_of(printer_offline_session())
    folded = fold_session_into_flow(tree, printer_offline_session("printer-2"))
    assert validate_tree(folded) == []
    assert counts(folded, "root") == {"Yes": 0, "No": 2}
    assert counts(folded, panel_id(tree))["It shows 'driver unavailable'"] == 2
    assert len(node_index(folded)) == len(node_index(tree))
    assert folded["folded_session_ids"] == ["printer-1", "printer-2"]


def test_input_is_untouched_and_folding_twice_counts_once() -> None:
    tree = flow_of(printer_offline_session())
    before = copy.deepcopy(tree)
    other = diverge(printer_offline_session("printer-3"), 1, "paper jam light blinking")
    once = fold_session_into_flow(tree, other)
    assert tree == before
    assert fold_session_into_flow(once, other) == once
    assert fold_session_into_flow(tree, printer_offline_session()) == tree


def test_new_answer_becomes_a_counted_branch_with_the_sessions_route() -> None:
    tree = flow_of(printer_offline_session())
    other = diverge(printer_offline_session("printer-4"), 1, "paper jam light blinking")
    folded = fold_session_into_flow(tree, other)
    assert validate_tree(folded) == []
    new = option(folded, panel_id(tree), "Paper jam light blinking")
    assert new["session_count"] == 1
    index = node_index(folded)
    action = index[new["next_node_id"]]
    assert action["type"] == "action" and action["title"] == "Replace the fuser unit"
    end = index[action["next_node_id"]]
    assert end["type"] == "solution" and end["title"] == "Replaced the worn fuser unit"
    assert counts(folded, "root")["No"] == 2


def test_taking_a_not_charted_option_charts_it() -> None:
    tree = flow_of(printer_offline_session())
    session = printer_offline_session("printer-5")
    session["steps"] = [
        ask_step(0, "Is the printer showing as online on the print server?", ["Yes", "No"], pick=0),
        act_step(1, "Wake the printer from deep sleep", True, "printing again"),
    ]
    session["resolution_summary"] = "Disabled deep sleep on the printer"
    folded = fold_session_into_flow(tree, session)
    assert validate_tree(folded) == []
    yes = option(folded, "root", "Yes")
    assert yes["session_count"] == 1
    index = node_index(folded)
    assert index[yes["next_node_id"]]["title"] == "Wake the printer from deep sleep"
    assert index["uncharted"]["title"] == UNCHARTED_TITLE  # still the route of other options


def test_last_not_charted_route_is_removed_once_charted() -> None:
    session = printer_offline_session()
    session["steps"] = [ask_step(0, "Is the printer online?", ["Yes", "No"], pick=1)]
    tree = flow_of(session)
    assert "uncharted" in node_index(tree)
    other = copy.deepcopy(session)
    other["id"] = "printer-6"
    other["steps"] = [ask_step(0, "Is the printer online?", ["Yes", "No"], pick=0)]
    folded = fold_session_into_flow(tree, other)
    assert validate_tree(folded) == []
    assert "uncharted" not in node_index(folded)
    assert counts(folded, "root") == {"Yes": 1, "No": 1}


def test_full_decision_keeps_the_answer_for_review() -> None:
    tree = flow_of(vpn_session())
    other = vpn_session("vpn-2")
    other["steps"][2].update(selected_option=None, free_text_input="error 720", was_free_text=True)
    folded = fold_session_into_flow(tree, other)
    assert validate_tree(folded) == []
    node = next(n for n in folded["children"] if n.get("question", "").startswith("Which error"))
    assert len(node["options"]) == MAX_OPTIONS
    assert node["unplaced_answers"] == ["Error 720"]


def test_seven_sessions_show_every_branch_with_its_count() -> None:
    source = printer_offline_session("p1")
    tree = flow_of(source)
    same = [printer_offline_session(f"p{i}") for i in (2, 3)]
    jams = [
        diverge(printer_offline_session(f"p{i}"), 1, "paper jam light blinking") for i in (4, 5)
    ]
    asleep = printer_offline_session("p6")
    asleep["steps"] = [
        ask_step(0, "Is the printer showing as online on the print server?", ["Yes", "No"], pick=0),
        act_step(1, "Wake the printer from deep sleep", True, "printing again"),
    ]
    coded = printer_offline_session("p7")
    coded["steps"] = [
        ask_step(0, "Is the printer showing as online on the print server?", ["Yes", "No"], pick=1),
        note_step(1, "info", "Panel reads E-201"),
        ask_step(
            2,
            "What does the printer's front panel show?",
            ["Ready", "An error code", "Nothing, it is off"],
            pick=1,
        ),
        act_step(3, "Look up E-201 in the service manual", True, "fuser fault"),
    ]
    coded["resolution_summary"] = "Replaced the fuser after error E-201"
    for session in [source, *same, *jams, asleep, coded]:
        tree = fold_session_into_flow(tree, session)
        assert validate_tree(tree) == []
    assert tree["folded_session_ids"] == [
        "p1",
        "p2",
        "p3",
        "p4-diverged",
        "p5-diverged",
        "p6",
        "p7",
    ]
    assert counts(tree, "root") == {"Yes": 1, "No": 6}
    assert counts(tree, panel_id(tree)) == {
        "Ready": 0,
        "An error code": 1,
        "Nothing, it is off": 0,
        "It shows 'driver unavailable'": 3,
        "Paper jam light blinking": 2,
    }
    assert sum(counts(tree, "root").values()) == 7
    index = node_index(tree)
    coded_route = index[option(tree, panel_id(tree), "An error code")["next_node_id"]]
    assert coded_route["title"] == "Look up E-201 in the service manual"
    assert "E-201" in coded_route["description"]  # the info step became context
    jam_route = index[option(tree, panel_id(tree), "Paper jam light blinking")["next_node_id"]]
    assert sum(1 for n in tree["children"] if n.get("title") == jam_route["title"]) == 1


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions(min_steps=1), sessions(), st.integers(min_value=0, max_value=20))
def test_generated_folds_stay_valid_and_count_once(
    source: dict[str, Any], unrelated: dict[str, Any], pick: int
) -> None:
    unrelated["id"] = "unrelated"
    tree = flow_of(source)
    before = copy.deepcopy(tree)
    folded = fold_session_into_flow(tree, unrelated)
    assert validate_tree(folded) == []
    assert fold_session_into_flow(folded, unrelated) == folded
    questions = [s for s in route_of(source) if s.kind == "question"]
    if questions:
        at = pick % len(questions)
        other = diverge(source, at, "zzq unusual reading 42")
        folded = fold_session_into_flow(tree, other)
        assert validate_tree(folded) == []
        attach = node_of_question(tree, source, at)
        labels = counts(folded, attach["id"])
        if len(attach["options"]) < MAX_OPTIONS:
            assert labels["Zzq unusual reading 42"] == 1
        first = node_of_question(tree, source, 0)
        taken = [o for o in first["options"] if o.get("session_count")]
        if at > 0:
            assert counts(folded, first["id"])[taken[0]["label"]] == 2
    assert tree == before


def test_nonsense_counts_restart_at_zero() -> None:
    tree = flow_of(printer_offline_session())
    option(tree, "root", "No")["session_count"] = "many"
    folded = fold_session_into_flow(tree, printer_offline_session("printer-7"))
    assert option(folded, "root", "No")["session_count"] == 1
