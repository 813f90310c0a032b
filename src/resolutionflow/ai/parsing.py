"""Turning a model's text into the JSON object it was asked for, and checking its top-level shape.

Models wrap JSON in code fences and prose, so the object is found by scanning for the first
balanced `{...}` (strings and escapes respected) that parses as JSON, preferring the inside
of a fenced block. Nothing is repaired silently: a trailing comma, a truncated object or a
wrongly typed field raises `ParseError`, whose message is written to be sent back to the
model in a repair request. Deeper checks of the flow itself belong to the flow validator.
"""

from __future__ import annotations

import json
import re
from typing import Any

from resolutionflow.vocabulary import PROBLEM_DOMAINS

# A closing fence starts its own line (as in Markdown), so a "```" inside a JSON string does not
# end the block; a fence closed on the object's last line runs on to the next line-start fence
# or the end, and the decoder stops at the object's end.
_FENCE = re.compile(
    r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\r?\n(.*?)(?:^[ \t]*```|\Z)", re.DOTALL | re.MULTILINE
)
_JSON_LANGS = ("", "json", "jsonc", "json5", "javascript", "js")


class ParseError(ValueError):
    """The text holds no usable JSON object of the expected shape."""


def _excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(strict=False, parse_constant=_reject_constant)


def _balanced_end(text: str, start: int) -> int | None:
    """Index just past the `}` closing the `{` at `start`, or None if it never closes."""
    depth = 0
    in_string = False
    escaped = False
    for i in range(start, len(text)):
        char = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _describe_json_error(candidate: str, exc: json.JSONDecodeError | ValueError) -> str:
    if not isinstance(exc, json.JSONDecodeError):
        return str(exc)
    before = candidate[: exc.pos].rstrip()
    if before.endswith(",") and candidate[exc.pos : exc.pos + 1] in ("}", "]"):
        what = f"a trailing comma before {candidate[exc.pos]!r}"
    else:
        what = exc.msg
    around = candidate[max(0, exc.pos - 30) : exc.pos + 30]
    return f"{what} at line {exc.lineno} column {exc.colno}, near {_excerpt(around, 60)}"


def _scan(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The first balanced object in `text` that parses, else (None, why the first one failed)."""
    first_error: str | None = None
    position = 0
    while (start := text.find("{", position)) != -1:
        # Most answers are well-formed JSON: the decoder finds where the object ends itself.
        try:
            value, _end = _DECODER.raw_decode(text, start)
        except ValueError:
            pass
        else:
            if isinstance(value, dict):
                return value, None
        end = _balanced_end(text, start)
        if end is None:
            return None, first_error or (
                f"the JSON object starting {_excerpt(text[start:], 40)} is never closed "
                "(was the answer cut off?)"
            )
        candidate = text[start:end]
        try:
            value = json.loads(candidate, strict=False, parse_constant=_reject_constant)
        except ValueError as exc:
            first_error = first_error or _describe_json_error(candidate, exc)
            # Skip the whole span: looking inside it would return a nested object as if it
            # were the answer.
            position = end
            continue
        if isinstance(value, dict):
            return value, None
        position = end
    return None, first_error


def extract_json_object(text: str) -> dict[str, Any]:
    """The JSON object in a model's answer, tolerating fences, surrounding prose and a BOM."""
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}")
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise ParseError("the answer is empty")
    # A fenced JSON block is the model's answer even when the prose around it holds braces.
    fenced = [m.group(2) for m in _FENCE.finditer(text) if m.group(1).lower() in _JSON_LANGS]
    # Then the text without code in other languages (a shell `{}` is not the answer), then,
    # for a model that fenced its JSON under the wrong language, everything.
    outside = _FENCE.sub(lambda m: m.group(0) if m.group(1).lower() in _JSON_LANGS else " ", text)
    first_error: str | None = None
    for body in (*fenced, outside, text):
        _reject_array(body)
        value, error = _scan(body)
        if value is not None:
            return value
        if error is not None and body in fenced:
            # A broken fenced answer is the answer: do not fall back to an example in the prose.
            raise ParseError(f"the answer is not valid JSON: {error}")
        first_error = first_error or error
    if first_error is not None:
        raise ParseError(f"the answer is not valid JSON: {first_error}")
    raise ParseError(f"no JSON object found in the answer: {_excerpt(text)}")


def _reject_array(body: str) -> None:
    body = body.strip()
    if not body.startswith("["):
        return
    try:
        value = json.loads(body, strict=False)
    except ValueError:
        return
    if isinstance(value, list):
        raise ParseError(f"expected a JSON object, found a JSON array: {_excerpt(body, 60)}")


def _text_field(data: dict[str, Any], key: str, *, required: bool, default: str = "") -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise ParseError(f"missing field {key!r} (a non-empty string)")
        return default
    if not isinstance(value, str):
        raise ParseError(f"field {key!r} must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise ParseError(f"field {key!r} must not be empty")
    return value.strip()


def _list_field(data: dict[str, Any], key: str, item_type: type, item_name: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"field {key!r} must be a list, got {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, item_type):
            raise ParseError(f"{key}[{index}] must be {item_name}, got {type(item).__name__}")
    return value


def normalise_domain(value: str | None) -> str | None:
    """A known problem domain from what the model wrote ("Active Directory" -> active_directory).

    An answer outside the list becomes "other"; no answer stays None so the caller can fall
    back to the session's own domain.
    """
    if value is None or not value.strip():
        return None
    key = re.sub(r"[\s\-/]+", "_", value.strip().lower())
    return key if key in PROBLEM_DOMAINS else "other"


def parse_flow_response(text: str) -> dict[str, Any]:
    """A new flow: {title, description, match_keywords, problem_domain, tree_structure}.

    Extra keys the model added are kept. `problem_domain` is None when the model gave none.
    """
    data = extract_json_object(text)
    title = _text_field(data, "title", required=True)
    tree = data.get("tree_structure")
    if tree is None:
        raise ParseError("missing field 'tree_structure' (an object with the root node)")
    if not isinstance(tree, dict):
        raise ParseError(f"field 'tree_structure' must be an object, got {type(tree).__name__}")
    domain = data.get("problem_domain")
    if domain is not None and not isinstance(domain, str):
        raise ParseError(f"field 'problem_domain' must be a string, got {type(domain).__name__}")
    keywords: list[str] = []
    for word in _list_field(data, "match_keywords", str, "a string"):
        word = word.strip()
        if word and word.lower() not in (k.lower() for k in keywords):
            keywords.append(word)
    return {
        **data,
        "title": title,
        "description": _text_field(data, "description", required=False),
        "match_keywords": keywords,
        "problem_domain": normalise_domain(domain),
        "tree_structure": tree,
    }


def parse_enhancement_response(text: str) -> dict[str, Any]:
    """An enhancement: {title, description, diff_description, new_nodes, modified_options}.

    `diff_description` falls back to `description` (and the other way round), since the
    proposal shows one of them whichever the model filled in.
    """
    data = extract_json_object(text)
    title = _text_field(data, "title", required=True)
    description = _text_field(data, "description", required=False)
    diff_description = _text_field(data, "diff_description", required=False)
    new_nodes = _list_field(data, "new_nodes", dict, "an object")
    modified_options = _list_field(data, "modified_options", dict, "an object")
    if not new_nodes and not modified_options:
        raise ParseError(
            "the enhancement changes nothing: 'new_nodes' and 'modified_options' are both empty"
        )
    return {
        **data,
        "title": title,
        "description": description or diff_description,
        "diff_description": diff_description or description,
        "new_nodes": new_nodes,
        "modified_options": modified_options,
    }
