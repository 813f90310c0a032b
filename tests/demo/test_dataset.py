"""The bundled demo data: valid flows, importable sessions, and the mix the flywheel needs."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from resolutionflow.demo.dataset import (
    DEMO_ACCOUNT,
    DEMO_PASSWORD,
    _read_json,
    demo_sessions,
    demo_users,
    load_demo_flows,
)
from resolutionflow.flows.schemas import FlowIn
from resolutionflow.flows.structure import validate_tree
from resolutionflow.sessions.ingest import session_problems
from resolutionflow.sessions.schemas import SessionIn

NOW = datetime(2025, 3, 14, 15, 30, 12, 345678, tzinfo=UTC)
PSA_PROVIDERS = {"connectwise", "autotask", "halopsa"}
FINISHED = {"resolved", "escalated", "requesting_escalation"}


def parse(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def flows() -> dict[str, dict[str, Any]]:
    return {flow["key"]: flow for flow in load_demo_flows()}


@pytest.fixture(scope="module")
def sessions() -> list[dict[str, Any]]:
    return demo_sessions(NOW)


def nodes_of(flow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    tree = flow["tree_structure"]
    return {node["id"]: node for node in [tree, *tree["children"]]}


def free_text(session: dict[str, Any]) -> bool:
    return any(step.get("free_text_input") for step in session["steps"])


def category(session: dict[str, Any]) -> str:
    status = session["status"]
    if status != "resolved":
        return "escalated" if status == "requesting_escalation" else status
    if not session.get("matched_flow"):
        return "unmatched"
    return "diverged" if free_text(session) else "exact"


def analysis_path(session: dict[str, Any]) -> str:
    """The three analysis paths of SPEC §6, as the worker will decide them."""
    has_match = bool(session.get("matched_flow"))
    score = session["match_score"] or 0.0
    divergence = free_text(session)
    if has_match and score > 0.8 and not divergence:
        return "auto_reinforce"
    if has_match and score > 0.5 and divergence:
        return "enhancement"
    if not has_match or score < 0.5:
        return "new_flow"
    return "auto_reinforce"


# --- flows ---------------------------------------------------------------------------------


def test_every_flow_is_valid_and_importable(flows: dict[str, dict[str, Any]]) -> None:
    for key, flow in flows.items():
        assert validate_tree(flow["tree_structure"]) == [], key
        FlowIn.model_validate(flow)
        assert 6 <= len(nodes_of(flow)) <= 15, key
        assert flow["description"] and flow["match_keywords"], key


def test_flows_cover_enough_ground() -> None:
    items = load_demo_flows()
    keys = [flow["key"] for flow in items]
    assert len(items) >= 8
    assert len(set(keys)) == len(keys)
    assert len({flow["problem_domain"] for flow in items}) >= 6


def test_flows_use_real_questions_and_reach_solutions(flows: dict[str, dict[str, Any]]) -> None:
    for key, flow in flows.items():
        kinds = Counter(node["type"] for node in nodes_of(flow).values())
        assert kinds["decision"] >= 2 and kinds["action"] >= 1 and kinds["solution"] >= 2, key
        for node in nodes_of(flow).values():
            if node["type"] == "decision":
                assert node["question"].endswith("?"), (key, node["id"])
            else:
                assert len(node["description"]) > 20, (key, node["id"])


def test_action_details_name_real_action_nodes(flows: dict[str, dict[str, Any]]) -> None:
    for where in _read_json("scenarios.json")["action_details"]:
        key, node_id = where.split("/")
        assert nodes_of(flows[key])[node_id]["type"] == "action", where


# --- sessions: shape, time, determinism -----------------------------------------------------


def test_enough_sessions_and_every_line_imports(sessions: list[dict[str, Any]]) -> None:
    assert len(sessions) >= 80
    for line in sessions:
        assert json.loads(json.dumps(line)) == line
        parsed = SessionIn.model_validate(line)
        assert session_problems(parsed) == [], line["external_id"]
    ids = [s["external_id"] for s in sessions]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"DEMO-\d{4}", i) for i in ids)


def test_same_now_same_data_and_no_wall_clock() -> None:
    assert demo_sessions(NOW) == demo_sessions(NOW)
    # A week later every session sits a week later: the data depends on `now` alone.
    later = demo_sessions(NOW + timedelta(days=7))
    timeless = {"created_at", "resolved_at", "steps", "psa_ticket_id"}
    for before, after in zip(demo_sessions(NOW), later, strict=True):
        assert parse(after["created_at"]) - parse(before["created_at"]) == timedelta(days=7)
        assert {k: v for k, v in after.items() if k not in timeless} == {
            k: v for k, v in before.items() if k not in timeless
        }


def test_every_timestamp_is_in_the_last_30_days(sessions: list[dict[str, Any]]) -> None:
    earliest, latest = NOW - timedelta(days=30), NOW - timedelta(hours=1)
    for s in sessions:
        created = parse(s["created_at"])
        assert earliest <= created <= latest, s["external_id"]
        end = parse(s["resolved_at"]) if s.get("resolved_at") else NOW
        assert created <= end <= NOW
        previous = created
        for step in s["steps"]:
            at = parse(step["responded_at"])
            assert previous <= at <= end, s["external_id"]
            previous = at


def test_times_spent_are_realistic(sessions: list[dict[str, Any]]) -> None:
    for s in sessions:
        if s["status"] == "active":
            assert "resolved_at" not in s
            continue
        minutes = s["time_spent_minutes"]
        assert 5 <= minutes <= 180
        assert parse(s["resolved_at"]) - parse(s["created_at"]) == timedelta(minutes=minutes)


def test_people_and_psa_links(sessions: list[dict[str, Any]]) -> None:
    users = {u["email"]: u for u in demo_users()}
    engineers = {s["engineer"] for s in sessions}
    assert 5 <= len(engineers) <= 7
    for s in sessions:
        assert s["engineer"].endswith("@northwind-msp.example")
        assert users[s["engineer"]]["team"] == s["team"]
        assert users[s["engineer"]]["role"] in {"engineer", "team_admin"}
    assert {s["team"] for s in sessions} == {"service-desk", "projects"}
    with_ticket = [s for s in sessions if s["psa_ticket_id"]]
    assert {s["psa_provider"] for s in with_ticket} == PSA_PROVIDERS
    assert 1 <= len(sessions) - len(with_ticket) <= 10
    assert all(s["psa_provider"] is None for s in sessions if not s["psa_ticket_id"])
    tickets = [s["psa_ticket_id"] for s in with_ticket]
    assert len(set(tickets)) == len(tickets)
    assert any(re.fullmatch(r"CW-\d{5}", t) for t in tickets)


def test_demo_users_and_account() -> None:
    users = demo_users()
    roles = Counter(u["role"] for u in users)
    assert roles["admin"] == 1 and roles["team_admin"] == 2 and roles["engineer"] >= 3
    assert {"email": "admin@northwind-msp.example"}.items() <= next(
        u for u in users if u["role"] == "admin"
    ).items()
    assert len({u["email"] for u in users}) == len(users)
    assert all(u["name"] for u in users)
    assert DEMO_ACCOUNT == {"slug": "northwind", "name": "Northwind MSP"}
    assert DEMO_PASSWORD == "demo-password"


# --- sessions: consistency with the flows -----------------------------------------------------


def test_steps_refer_to_what_was_presented(
    sessions: list[dict[str, Any]], flows: dict[str, dict[str, Any]]
) -> None:
    for s in sessions:
        assert s.get("matched_flow") is None or s["matched_flow"] in flows
        for step in s["steps"]:
            if step.get("selected_option") is not None:
                values = {o["value"] for o in step["options_presented"]}
                assert step["selected_option"] in values
            if step["step_type"] == "question" and not step.get("was_skipped"):
                assert bool(step.get("selected_option")) != bool(step.get("free_text_input"))


def test_exact_sessions_walk_their_flow(
    sessions: list[dict[str, Any]], flows: dict[str, dict[str, Any]]
) -> None:
    exact = [s for s in sessions if category(s) == "exact"]
    for s in exact:
        index = nodes_of(flows[s["matched_flow"]])
        node = index["root"]
        for step in s["steps"][:-1]:
            if node["type"] == "decision":
                assert step["step_type"] == "question"
                assert step["content"]["text"] == node["question"]
                assert step["options_presented"] == [
                    {"value": o["id"], "label": o["label"]} for o in node["options"]
                ]
                chosen = next(o for o in node["options"] if o["id"] == step["selected_option"])
                node = index[chosen["next_node_id"]]
            else:
                assert node["type"] == "action", s["external_id"]
                assert step["step_type"] == "action"
                assert step["content"]["text"] == node["title"]
                node = index[node["next_node_id"]]
        assert node["type"] == "solution"
        assert s["steps"][-1]["step_type"] == "resolution"
        assert s["resolution_summary"] == node["description"]


# --- sessions: the mix ----------------------------------------------------------------------


def test_the_mix_of_sessions(sessions: list[dict[str, Any]]) -> None:
    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in sessions:
        by_category[category(s)].append(s)
    exact = [s for s in by_category["exact"] if s["confidence_tier"] == "high"]
    assert 30 <= len(exact) <= 40
    assert all(0.82 <= s["match_score"] <= 0.97 for s in exact)
    diverged = [s for s in by_category["diverged"] if s["match_score"] < 0.8]
    assert 12 <= len(diverged) <= 18
    assert all(
        0.55 <= s["match_score"] <= 0.79 and s["confidence_tier"] == "medium" for s in diverged
    )
    unmatched = by_category["unmatched"]
    assert 20 <= len(unmatched) <= 30
    for s in unmatched:
        assert s["confidence_tier"] in {"discovery", "low"}
        assert 0.2 <= s["confidence_score"] <= 0.5
    escalated = by_category["escalated"]
    assert 10 <= len(escalated) <= 15
    for s in escalated:
        assert s["escalation_reason"] and s["resolution_summary"] is None
        assert all(step["step_type"] != "resolution" for step in s["steps"])
    assert {s["status"] for s in escalated} == {"escalated", "requesting_escalation"}
    assert 2 <= len(by_category["abandoned"]) <= 5
    assert 2 <= len(by_category["active"]) <= 3
    for s in exact + diverged + unmatched:
        assert s["resolution_summary"] and s["steps"][-1]["step_type"] == "resolution"


def test_analysis_paths_and_threshold_edges(sessions: list[dict[str, Any]]) -> None:
    resolved = [s for s in sessions if s["status"] == "resolved"]
    paths = Counter(analysis_path(s) for s in resolved)
    assert paths["auto_reinforce"] >= 30
    assert paths["enhancement"] >= 12
    assert paths["new_flow"] >= 20
    matched_scores = {s["match_score"] for s in resolved if s.get("matched_flow")}
    assert {0.5, 0.8} <= matched_scores


def test_one_question_shows_weak_options(sessions: list[dict[str, Any]]) -> None:
    answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in sessions:
        for step in s["steps"]:
            if step["step_type"] == "question" and not step.get("was_skipped"):
                answers[step["content"]["text"]].append(step)
    printer = "What does the print queue show for this printer on the user's PC?"
    steps = answers[printer]
    free = [step["free_text_input"] for step in steps if step.get("free_text_input")]
    assert len(steps) >= 3 and len(free) / len(steps) >= 0.3
    assert sum("driver" in text.lower() and "unavailable" in text.lower() for text in free) >= 3


def test_one_domain_escalates_too_often(sessions: list[dict[str, Any]]) -> None:
    finished: dict[str, list[str]] = defaultdict(list)
    for s in sessions:
        if s["status"] in FINISHED:
            finished[s["problem_domain"]].append(s["status"])
    flagged = [
        domain
        for domain, statuses in finished.items()
        if len(statuses) >= 3 and sum(st != "resolved" for st in statuses) / len(statuses) >= 0.4
    ]
    assert "backup" in flagged


@pytest.mark.parametrize("pattern", [r"camera|webcam", r"onedrive", r"autopilot|80180014"], ids=str)
def test_recurring_unmatched_problems(sessions: list[dict[str, Any]], pattern: str) -> None:
    group = [
        s["problem_summary"]
        for s in sessions
        if category(s) == "unmatched" and re.search(pattern, s["problem_summary"], re.I)
    ]
    assert 5 <= len(group) <= 8
    assert len(set(group)) == len(group)  # each worded differently


def test_singleton_unmatched_problems(sessions: list[dict[str, Any]]) -> None:
    recurring = re.compile(r"camera|webcam|onedrive|autopilot|80180014", re.I)
    singletons = [
        s
        for s in sessions
        if category(s) == "unmatched" and not recurring.search(s["problem_summary"])
    ]
    assert len(singletons) >= 3
    assert len({s["problem_domain"] for s in singletons}) >= 3


def test_action_outcomes_and_skips(sessions: list[dict[str, Any]]) -> None:
    def outcomes(s: dict[str, Any]) -> list[bool]:
        return [st["action_result"]["success"] for st in s["steps"] if st["step_type"] == "action"]

    eventual = [
        s
        for s in sessions
        if any(not ok and True in outcomes(s)[i:] for i, ok in enumerate(outcomes(s)))
    ]
    assert len(eventual) >= 3
    only_failures = [s for s in sessions if outcomes(s) and not any(outcomes(s))]
    assert len(only_failures) >= 2
    skipped = [s for s in sessions if any(st.get("was_skipped") for st in s["steps"])]
    assert len(skipped) >= 2
    assert all(
        st.get("selected_option") is None and not st.get("free_text_input")
        for s in skipped
        for st in s["steps"]
        if st.get("was_skipped")
    )
