"""The flow's JSON Schema reaches each kind of server in the best form it accepts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from resolutionflow.ai import schema
from resolutionflow.ai.base import PermanentProviderError, ResponseSchema
from resolutionflow.ai.providers.anthropic import AnthropicProvider
from resolutionflow.ai.providers.openai import OpenAIProvider
from resolutionflow.flows.structure import MAX_OPTIONS, validate_tree
from resolutionflow.flywheel.analysis import flow_schema, generate_new_flow
from tests.ai.fake_servers import (
    FakeModelServer,
    Reply,
    honours_json_schema,
    offline_answer,
    rejects_json_modes,
    rejects_json_schema,
)

SESSION: dict[str, Any] = {
    "id": "s-1",
    "problem_summary": "Outlook keeps asking for the password",
    "problem_domain": "email",
    "confidence_tier": "discovery",
    "confidence_score": 0.3,
    "resolution_summary": "Cleared the cached credentials",
    "steps": [
        {
            "step_order": 0,
            "step_type": "question",
            "content": {"text": "Did the password change recently?"},
            "options_presented": [{"value": "y", "label": "Yes"}, {"value": "n", "label": "No"}],
            "selected_option": "y",
        },
        {
            "step_order": 1,
            "step_type": "action",
            "content": {"text": "Clear Credential Manager entries for Office"},
            "action_result": {"success": True, "details": "prompt stopped"},
        },
    ],
}


def _provider(server: FakeModelServer) -> OpenAIProvider:
    return OpenAIProvider(
        base_url=server.url + "/v1", model="tiny-local", timeout=5.0, max_retries=0
    )


@pytest.fixture
async def provider(openai_server: FakeModelServer) -> AsyncIterator[OpenAIProvider]:
    made = _provider(openai_server)
    yield made
    await made.aclose()


def _formats(server: FakeModelServer) -> list[str]:
    out = []
    for seen in server.requests:
        response_format = seen.body.get("response_format")
        out.append(response_format["type"] if response_format else "text")
    return out


def _system(seen_body: dict[str, Any]) -> str:
    return str(seen_body["messages"][0]["content"])


def test_the_schema_comes_from_the_models_that_check_answers() -> None:
    sent = schema.flow_json_schema()
    tree = sent["properties"]["tree_structure"]
    assert sent["required"] == ["title", "tree_structure"]
    assert tree["properties"]["options"]["maxItems"] == MAX_OPTIONS
    assert "$ref" not in schema.schema_text(sent)  # inlined for every grammar converter
    node_types = tree["properties"]["children"]["items"]["properties"]["type"]["enum"]
    assert node_types == ["decision", "action", "solution"]
    # The same classes reject what the schema forbids.
    problems = schema.check_flow_answer(
        {"title": "x", "tree_structure": {"id": "root", "type": "action", "children": []}}
    )
    assert {p.location.split(".")[1] for p in problems} >= {"type", "question", "options"}


async def test_a_server_that_honours_json_schema_gets_it_and_answers_once(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    openai_server.respond = honours_json_schema
    made = await generate_new_flow(provider, SESSION)
    assert not made.repaired and made.generated_by == "openai"
    assert validate_tree(made.data["tree_structure"]) == []
    assert _formats(openai_server) == ["json_schema"]
    sent = openai_server.requests[0].body["response_format"]["json_schema"]
    assert sent["name"] == schema.FLOW_SCHEMA_NAME
    assert sent["schema"] == schema.flow_json_schema()
    # Enforced by the server, so not repeated in the prompt.
    assert "JSON Schema" not in _system(openai_server.requests[0].body)


async def test_a_server_that_rejects_json_schema_gets_json_object_with_the_schema_in_the_prompt(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    openai_server.respond = rejects_json_schema
    made = await generate_new_flow(provider, SESSION)
    assert validate_tree(made.data["tree_structure"]) == []
    assert _formats(openai_server) == ["json_schema", "json_object"]
    system = _system(openai_server.requests[1].body)
    assert schema.schema_text(schema.flow_json_schema()) in system
    # Remembered for the server: a new provider for it starts with what worked.
    openai_server.requests.clear()
    again = _provider(openai_server)
    try:
        await generate_new_flow(again, SESSION)
    finally:
        await again.aclose()
    assert _formats(openai_server) == ["json_object"]


async def test_a_server_without_json_modes_gets_plain_text_and_it_is_remembered(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    openai_server.respond = rejects_json_modes
    first = await generate_new_flow(provider, SESSION)
    second = await generate_new_flow(provider, SESSION)
    assert validate_tree(first.data["tree_structure"]) == []
    assert second.data["tree_structure"] == first.data["tree_structure"]
    assert _formats(openai_server) == ["json_schema", "json_object", "text", "text"]
    assert "JSON Schema" in _system(openai_server.requests[-1].body)


async def test_other_rejections_do_not_step_the_format_down(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    openai_server.script(Reply(status=401, body={"error": {"message": "bad key"}}))
    with pytest.raises(PermanentProviderError, match="bad key"):
        await provider.generate_json(
            "JSON", [{"role": "user", "content": "x"}], 50, schema=flow_schema()
        )
    openai_server.requests.clear()
    openai_server.respond = honours_json_schema
    await generate_new_flow(provider, SESSION)
    assert _formats(openai_server) == ["json_schema"]


async def test_without_a_schema_requests_keep_json_object(
    openai_server: FakeModelServer, provider: OpenAIProvider
) -> None:
    await provider.generate_json("JSON", [{"role": "user", "content": "x"}], 50)
    assert _formats(openai_server) == ["json_object"]


async def test_anthropic_gets_the_schema_as_a_forced_tool(
    anthropic_server: FakeModelServer,
) -> None:
    answer = {"title": "Outlook password prompt", "tree_structure": {"id": "root"}}
    anthropic_server.script(
        Reply(
            body={
                "model": "claude-test",
                "content": [
                    {"type": "text", "text": "Recording the flow."},
                    {
                        "type": "tool_use",
                        "id": "tu_1",
                        "name": "troubleshooting_flow",
                        "input": answer,
                    },
                ],
                "stop_reason": "tool_use",
                "usage": {"input_tokens": 900, "output_tokens": 120},
            }
        )
    )
    provider = AnthropicProvider(
        base_url=anthropic_server.url, api_key="ak", model="claude-test", max_retries=0
    )
    try:
        result = await provider.generate_json(
            "Build a flow.", [{"role": "user", "content": "session"}], 2000, schema=flow_schema()
        )
    finally:
        await provider.aclose()
    assert json.loads(result.text) == answer
    sent = anthropic_server.requests[0].body
    assert sent["tools"][0]["name"] == "troubleshooting_flow"
    assert sent["tools"][0]["input_schema"] == schema.flow_json_schema()
    assert sent["tool_choice"] == {"type": "tool", "name": "troubleshooting_flow"}


async def test_anthropic_without_a_schema_sends_no_tools(anthropic_server: FakeModelServer) -> None:
    provider = AnthropicProvider(base_url=anthropic_server.url, api_key="ak", model="c")
    try:
        await provider.generate_json("JSON", [{"role": "user", "content": "x"}], 50)
    finally:
        await provider.aclose()
    assert "tools" not in anthropic_server.requests[0].body


def test_a_response_schema_is_a_fresh_copy() -> None:
    one = flow_schema()
    one.schema["properties"].clear()
    assert isinstance(flow_schema(), ResponseSchema)
    assert flow_schema().schema["properties"]


async def test_a_flow_through_anthropic_tool_use_is_valid(
    anthropic_server: FakeModelServer,
) -> None:
    def tool_call(body: Any) -> Reply:
        tool = body["tools"][0]["name"]
        messages = [{"role": "system", "content": body["system"]}, *body["messages"]]
        answer = json.loads(offline_answer({"messages": messages}))
        return Reply(
            body={
                "model": "claude-test",
                "stop_reason": "tool_use",
                "content": [{"type": "tool_use", "id": "tu", "name": tool, "input": answer}],
                "usage": {"input_tokens": 1500, "output_tokens": 400},
            }
        )

    anthropic_server.respond = tool_call
    provider = AnthropicProvider(base_url=anthropic_server.url, api_key="ak", model="claude-test")
    try:
        made = await generate_new_flow(provider, SESSION, context_tokens=8192)
    finally:
        await provider.aclose()
    assert not made.repaired and made.generated_by == "anthropic"
    assert validate_tree(made.data["tree_structure"]) == []
    assert len(anthropic_server.requests) == 1
