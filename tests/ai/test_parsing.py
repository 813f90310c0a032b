"""Finding the JSON object in a model's answer; checking the shapes of flows and enhancements."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionflow.ai.parsing import (
    ParseError,
    extract_json_object,
    normalise_domain,
    parse_enhancement_response,
    parse_flow_response,
)

TREE = {
    "id": "root",
    "type": "decision",
    "question": "Is the printer online?",
    "options": [{"id": "o1", "label": "Yes", "next_node_id": "n2"}],
    "children": [],
}


# -- extract_json_object -------------------------------------------------------------------


def test_a_bare_object() -> None:
    assert extract_json_object('{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    "text",
    [
        '```json\n{"a": 1}\n```',
        '```\n{"a": 1}\n```',
        '```JSON \r\n{"a": 1}\r\n```',
        'Here is the flow:\n```json\n{"a": 1}\n```\nLet me know if you need changes.',
        '```json\n{"a": 1}',  # the closing fence was cut off
        '```json\n{"a": 1}```\nDone.',  # closed on the object's own line
    ],
)
def test_code_fences(text: str) -> None:
    assert extract_json_object(text) == {"a": 1}


def test_backticks_inside_a_fenced_string_do_not_close_the_fence() -> None:
    # Found by the property test below: a key of three backticks ended the block early.
    text = '```json\n{\n  "```": null,\n  "cmd": "run ```x``` now"\n}\n```'
    assert extract_json_object(text) == {"```": None, "cmd": "run ```x``` now"}


def test_prose_before_and_after() -> None:
    text = 'Sure! Based on the session, here it is: {"a": {"b": [1, 2]}} Hope this helps.'
    assert extract_json_object(text) == {"a": {"b": [1, 2]}}


def test_a_byte_order_mark() -> None:
    assert extract_json_object('\ufeff  {"a": 1}') == {"a": 1}


def test_braces_and_escaped_quotes_inside_strings() -> None:
    value = {"q": 'Does the log say "{0} failed" or }{?', "path": "C:\\Temp\\{x}"}
    text = "Answer: " + json.dumps(value) + " (end)"
    assert extract_json_object(text) == value


def test_a_fenced_answer_wins_over_braces_in_the_prose() -> None:
    text = 'Format was {"example": true}.\n```json\n{"real": 1}\n```'
    assert extract_json_object(text) == {"real": 1}


def test_a_broken_fenced_answer_is_reported_not_replaced_by_prose() -> None:
    text = 'Format was {"example": true}.\n```json\n{"real": 1,}\n```'
    with pytest.raises(ParseError, match="trailing comma"):
        extract_json_object(text)


def test_prose_braces_that_are_not_json_are_skipped() -> None:
    assert extract_json_object('Replace {name} below.\n{"a": 1}') == {"a": 1}


def test_a_fence_in_another_language_is_not_the_answer() -> None:
    text = '```bash\n[ -f /tmp/x ] && echo {}\n```\nResult: {"a": 1}'
    assert extract_json_object(text) == {"a": 1}


def test_literal_newlines_inside_strings_are_tolerated() -> None:
    assert extract_json_object('{"a": "line one\nline two"}') == {"a": "line one\nline two"}


def test_no_object_at_all_quotes_the_text() -> None:
    with pytest.raises(ParseError, match=r"no JSON object found.*I cannot help"):
        extract_json_object("I cannot help with that request.")


@pytest.mark.parametrize("text", ["", "   \n", "\ufeff"])
def test_an_empty_answer(text: str) -> None:
    with pytest.raises(ParseError, match="empty"):
        extract_json_object(text)


def test_a_trailing_comma_is_not_fixed_silently() -> None:
    with pytest.raises(ParseError, match="trailing comma") as caught:
        extract_json_object('{"title": "x", "tree_structure": {"id": "root"},}')
    # The nested object must not be returned in place of the broken outer one.
    assert "line 1" in str(caught.value)


def test_a_truncated_answer_says_so() -> None:
    with pytest.raises(ParseError, match="never closed"):
        extract_json_object('{"title": "x", "tree_structure": {"id": "root"}, "desc')


def test_an_array_is_not_an_object() -> None:
    with pytest.raises(ParseError, match="array"):
        extract_json_object('[{"a": 1}]')


def test_nan_is_not_json() -> None:
    with pytest.raises(ParseError, match="NaN"):
        extract_json_object('{"a": NaN}')


def test_the_message_quotes_a_short_excerpt() -> None:
    with pytest.raises(ParseError) as caught:
        extract_json_object("x" * 5000)
    assert len(str(caught.value)) < 200


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
prose = st.text(alphabet=st.characters(blacklist_characters="{}[]`\ufeff"), max_size=40)


@given(value=st.dictionaries(st.text(), json_values, max_size=5), before=prose, after=prose)
def test_any_object_is_found_inside_any_prose(
    value: dict[str, Any], before: str, after: str
) -> None:
    text = f"{before}{json.dumps(value)}{after}"
    assert extract_json_object(text) == value
    assert extract_json_object(f"{before}\n```json\n{json.dumps(value, indent=2)}\n```\n") == value


# -- parse_flow_response -------------------------------------------------------------------


def flow(**changes: Any) -> str:
    data: dict[str, Any] = {
        "title": "Printer shows offline",
        "description": "When a network printer drops off.",
        "match_keywords": ["printer", "offline"],
        "problem_domain": "printing",
        "tree_structure": TREE,
    }
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not ...})


def test_a_complete_flow() -> None:
    parsed = parse_flow_response(flow(extra="kept"))
    assert parsed["title"] == "Printer shows offline"
    assert parsed["tree_structure"] == TREE
    assert parsed["match_keywords"] == ["printer", "offline"]
    assert parsed["problem_domain"] == "printing"
    assert parsed["extra"] == "kept"


def test_optional_flow_fields_get_defaults() -> None:
    parsed = parse_flow_response(flow(description=..., match_keywords=..., problem_domain=None))
    assert parsed["description"] == ""
    assert parsed["match_keywords"] == []
    assert parsed["problem_domain"] is None


def test_keywords_are_trimmed_and_deduplicated() -> None:
    parsed = parse_flow_response(flow(match_keywords=[" Spooler ", "spooler", "", "driver"]))
    assert parsed["match_keywords"] == ["Spooler", "driver"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ...}, "title"),
        ({"title": "  "}, "title"),
        ({"title": 7}, "title"),
        ({"tree_structure": ...}, "tree_structure"),
        ({"tree_structure": [TREE]}, "tree_structure"),
        ({"description": ["x"]}, "description"),
        ({"match_keywords": "printer, offline"}, "match_keywords"),
        ({"match_keywords": ["ok", 3]}, r"match_keywords\[1\]"),
        ({"problem_domain": 4}, "problem_domain"),
    ],
)
def test_missing_or_mistyped_flow_fields_are_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ParseError, match=field):
        parse_flow_response(flow(**changes))


@pytest.mark.parametrize(
    ("written", "domain"),
    [
        ("Active Directory", "active_directory"),
        ("networking", "networking"),
        (" M365 ", "m365"),
        ("quantum computing", "other"),
        ("", None),
        (None, None),
    ],
)
def test_domains_are_normalised(written: str | None, domain: str | None) -> None:
    assert normalise_domain(written) == domain


# -- parse_enhancement_response ------------------------------------------------------------

NEW_NODE = {
    "id": "n9",
    "type": "solution",
    "title": "Reinstall driver",
    "attach_after_node_id": "root",
}
OPTION = {"node_id": "root", "add_option": {"id": "o9", "label": "Driver", "next_node_id": "n9"}}


def enhancement(**changes: Any) -> str:
    data: dict[str, Any] = {
        "title": "Enhancement: driver branch",
        "description": "Sessions kept hitting a missing driver.",
        "diff_description": "Adds a driver branch at the root.",
        "new_nodes": [NEW_NODE],
        "modified_options": [OPTION],
    }
    data.update(changes)
    return "```json\n" + json.dumps({k: v for k, v in data.items() if v is not ...}) + "\n```"


def test_a_complete_enhancement() -> None:
    parsed = parse_enhancement_response(enhancement())
    assert parsed["new_nodes"] == [NEW_NODE]
    assert parsed["modified_options"] == [OPTION]
    assert parsed["diff_description"] == "Adds a driver branch at the root."


def test_enhancement_lists_default_to_empty() -> None:
    assert parse_enhancement_response(enhancement(new_nodes=...))["new_nodes"] == []
    assert parse_enhancement_response(enhancement(modified_options=None))["modified_options"] == []


def test_either_description_stands_in_for_the_other() -> None:
    parsed = parse_enhancement_response(enhancement(diff_description=...))
    assert parsed["diff_description"] == "Sessions kept hitting a missing driver."
    parsed = parse_enhancement_response(enhancement(description=...))
    assert parsed["description"] == "Adds a driver branch at the root."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ...}, "title"),
        ({"new_nodes": {"id": "n9"}}, "new_nodes"),
        ({"new_nodes": ["n9"]}, r"new_nodes\[0\]"),
        ({"modified_options": [OPTION, 5]}, r"modified_options\[1\]"),
        ({"diff_description": 3}, "diff_description"),
        ({"new_nodes": [], "modified_options": []}, "changes nothing"),
    ],
)
def test_missing_or_mistyped_enhancement_fields_are_named(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ParseError, match=field):
        parse_enhancement_response(enhancement(**changes))


def test_parse_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        parse_flow_response("no json here")
