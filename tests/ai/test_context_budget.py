"""Prompts fit the configured context: long sessions are trimmed by rule, never cut mid-JSON."""

from __future__ import annotations

import math
from typing import Any

from resolutionflow.ai import prompts
from resolutionflow.ai.providers.openai import OpenAIProvider
from resolutionflow.flows.structure import validate_tree
from resolutionflow.flywheel.analysis import generate_enhancement, generate_new_flow
from tests.ai.fake_servers import FakeModelServer, honours_json_schema

FREE_TEXT = "Event 4625 on DC02 with status 0xC000006A, logged every 30 seconds"
RESOLUTION = "Removed the stale mapped drive credential from the user's laptop"
CHOSEN = "Only after the password change"
LONG = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 12


def long_session(steps: int = 40) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for n in range(steps):
        if n % 4 == 0:
            items.append(
                {"step_order": n, "step_type": "info", "content": {"text": f"Note {n}: {LONG}"}}
            )
        elif n % 4 == 1:
            options = [{"value": f"o{i}", "label": f"Option {i} {LONG[:150]}"} for i in range(6)]
            options.append({"value": "chosen", "label": CHOSEN})
            items.append(
                {
                    "step_order": n,
                    "step_type": "question",
                    "content": {"text": f"Question {n}: {LONG[:400]}", "help_text": LONG},
                    "options_presented": options,
                    "selected_option": "chosen",
                }
            )
        elif n % 4 == 2:
            items.append(
                {
                    "step_order": n,
                    "step_type": "question",
                    "content": {"text": f"Question {n}: what does the log say?"},
                    "free_text_input": f"{FREE_TEXT} (step {n})",
                    "was_free_text": True,
                }
            )
        else:
            items.append(
                {
                    "step_order": n,
                    "step_type": "action",
                    "content": {"text": f"Action {n}: {LONG[:300]}"},
                    "action_result": {"success": False, "details": LONG},
                }
            )
    items.append({"step_order": steps, "step_type": "resolution", "content": {"text": RESOLUTION}})
    return {
        "id": "long-1",
        "problem_summary": "Account keeps locking out " + LONG,
        "problem_domain": "active_directory",
        "confidence_tier": "discovery",
        "confidence_score": 0.2,
        "resolution_summary": RESOLUTION,
        "steps": items,
    }


def test_tokens_are_estimated_as_one_per_three_characters_rounded_up() -> None:
    assert prompts.estimate_tokens("") == 0
    assert prompts.estimate_tokens("abc") == 1
    assert prompts.estimate_tokens("abcd") == 2
    text = "x" * 3001
    assert prompts.estimate_tokens(text) == math.ceil(3001 / 3)


def test_the_reply_keeps_room_in_small_and_large_contexts() -> None:
    assert prompts.reply_tokens(0, 4096) == 4096
    assert prompts.reply_tokens(2048, 4096) == 1024
    assert prompts.reply_tokens(8192, 4096) == 2048
    assert prompts.reply_tokens(200_000, 4096) == 4096


def test_a_session_that_fits_is_sent_whole() -> None:
    session = long_session(steps=4)
    message, level, fits = prompts.fit_message(
        lambda lv: prompts.new_flow_message(session, lv), 100_000
    )
    assert (level, fits) == (0, True)
    assert message == prompts.new_flow_message(session)


def test_each_level_keeps_the_path_free_text_and_resolution() -> None:
    session = long_session()
    full = prompts.session_payload(session)
    sizes = []
    for level in range(prompts.MAX_TRIM_LEVEL + 1):
        message = prompts.new_flow_message(session, level)
        sizes.append(len(message))
        data = prompts.read_block(message, prompts.SESSION_TAG)
        assert isinstance(data, dict), f"level {level}: the data block is not complete JSON"
        assert data["resolution_summary"] == RESOLUTION
        path = [s for s in data["steps"] if s["type"] in ("question", "action", "resolution")]
        assert len(path) == len([s for s in full["steps"] if s["type"] != "info"])
        for step in path:
            if step["type"] == "question" and "selected" in step:
                assert step["selected"] == CHOSEN
            if "free_text" in step:
                assert step["free_text"].startswith(FREE_TEXT)
        assert path[-1] == {"n": path[-1]["n"], "type": "resolution", "text": RESOLUTION}
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] < sizes[0] / 4
    # Level 2 drops the readable transcript; level 3 the notes; level 4 the unchosen options.
    assert "BEGIN SESSION TRANSCRIPT" in prompts.new_flow_message(session, 1)
    assert "BEGIN SESSION TRANSCRIPT" not in prompts.new_flow_message(session, 2)
    level3 = prompts.read_block(prompts.new_flow_message(session, 3), prompts.SESSION_TAG)
    assert not [s for s in level3["steps"] if s["type"] == "info"]
    level4 = prompts.read_block(prompts.new_flow_message(session, 4), prompts.SESSION_TAG)
    assert all(s.get("options", [CHOSEN]) == [CHOSEN] for s in level4["steps"] if "selected" in s)


def test_the_least_trimming_that_fits_is_chosen() -> None:
    session = long_session()
    sizes = [
        prompts.estimate_tokens(prompts.new_flow_message(session, lv))
        for lv in range(prompts.MAX_TRIM_LEVEL + 1)
    ]
    overhead = prompts.MESSAGE_OVERHEAD_TOKENS
    budget = sizes[3] + overhead + 500
    assert budget < sizes[2] + overhead
    message, level, fits = prompts.fit_message(
        lambda lv: prompts.new_flow_message(session, lv), budget + 500, fixed_tokens=500
    )
    assert (level, fits) == (3, True)
    assert prompts.estimate_tokens(message) + overhead + 500 <= budget + 500
    # Too small for anything: the most trimmed message, flagged, still complete JSON.
    message, level, fits = prompts.fit_message(lambda lv: prompts.new_flow_message(session, lv), 50)
    assert (level, fits) == (prompts.MAX_TRIM_LEVEL, False)
    assert isinstance(prompts.read_block(message, prompts.SESSION_TAG), dict)


def test_enhancement_prompts_compact_the_flow_as_whole_json() -> None:
    tree = {
        "id": "root",
        "type": "decision",
        "question": "Q " + LONG,
        "help_text": LONG,
        "options": [
            {"id": f"o{i}", "label": f"L{i} {LONG[:200]}", "next_node_id": f"n{i}"}
            for i in range(3)
        ],
        "children": [
            {"id": f"n{i}", "type": "solution", "title": f"T{i}", "description": LONG}
            for i in range(3)
        ],
    }
    session = long_session(8)
    whole = prompts.enhancement_message(session, "Lockouts", tree, 0)
    trimmed = prompts.enhancement_message(session, "Lockouts", tree, 4)
    assert len(trimmed) < len(whole) / 3
    flow = prompts.read_block(trimmed, prompts.FLOW_TAG)
    assert [c["id"] for c in flow["children"]] == ["n0", "n1", "n2"]
    assert len(prompts.data_json(flow)) <= prompts.FLOW_LIMITS[4] or "description" not in str(flow)


async def test_requests_to_a_small_context_model_fit_it(openai_server: FakeModelServer) -> None:
    openai_server.respond = honours_json_schema
    provider = OpenAIProvider(base_url=openai_server.url + "/v1", model="tiny", max_retries=0)
    context = 6000
    try:
        made = await generate_new_flow(provider, long_session(), context_tokens=context)
        tree = {
            "id": "root",
            "type": "decision",
            "question": "Locked out?",
            "options": [
                {"id": "a", "label": "Yes", "next_node_id": "s"},
                {"id": "b", "label": "No", "next_node_id": "s"},
            ],
            "children": [{"id": "s", "type": "solution", "title": "Unlock", "description": "x"}],
        }
        enhanced = await generate_enhancement(
            provider, long_session(), flow_name="Lockouts", tree=tree, context_tokens=context
        )
    finally:
        await provider.aclose()
    assert made.trim_level > 0 and enhanced.trim_level > 0
    assert validate_tree(made.data["tree_structure"]) == []
    for seen in openai_server.requests:
        body = seen.body
        sent = prompts.conversation_tokens(body["messages"][0]["content"], body["messages"][1:])
        assert sent + body["max_tokens"] <= context
        assert FREE_TEXT in body["messages"][1]["content"]


async def test_the_offline_provider_gets_whole_sessions() -> None:
    from resolutionflow.ai.providers.offline import OfflineProvider

    session = long_session()
    whole = await generate_new_flow(OfflineProvider(), session)
    small = await generate_new_flow(OfflineProvider(), session, context_tokens=2048)
    assert small.trim_level == 0 and small.data == whole.data
