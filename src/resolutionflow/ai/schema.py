"""The shape of a model's answer as pydantic models: they check answers and give the JSON Schema.

One source: the same classes validate what a model returned (`check_flow_answer`,
`check_enhancement_answer`) and produce the JSON Schema sent to servers that accept one
(`flow_json_schema`, `enhancement_json_schema`), as OpenAI's `response_format.json_schema`,
as Anthropic's tool `input_schema`, or written into the prompt for servers that take neither.

The models check shape and types only, and allow extra keys (the schema sent asks for the
known keys only, so a constrained generator adds none): the flow validator
(`flows.structure.validate_tree`) checks the graph (ids, links, reachability, loops), and
its limits are the ones used here, so the schema never asks for something it would reject.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from resolutionflow.ai.parsing import PROBLEM_DOMAINS
from resolutionflow.errors import Problem
from resolutionflow.flows.structure import (
    MAX_ID_LEN,
    MAX_LABEL_LEN,
    MAX_NODES,
    MAX_OPTIONS,
    MAX_TEXT_LEN,
    MAX_TITLE_LEN,
    MIN_OPTIONS,
)

FLOW_SCHEMA_NAME = "troubleshooting_flow"
ENHANCEMENT_SCHEMA_NAME = "flow_enhancement"

NodeId = str


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow")


class Option(_Shape):
    """One answer a decision offers, leading to another node."""

    id: str = Field(min_length=1, max_length=MAX_ID_LEN)
    label: str = Field(min_length=1, max_length=MAX_LABEL_LEN)
    next_node_id: str = Field(min_length=1, max_length=MAX_ID_LEN)


class Node(_Shape):
    """A node in the root's flat `children` list, linked to the others by id."""

    id: str = Field(min_length=1, max_length=MAX_ID_LEN)
    type: Literal["decision", "action", "solution"]
    title: str | None = Field(default=None, max_length=MAX_TITLE_LEN)
    question: str | None = Field(
        default=None, max_length=MAX_TITLE_LEN, description="decision nodes: what to ask"
    )
    description: str | None = Field(
        default=None, max_length=MAX_TEXT_LEN, description="action and solution nodes"
    )
    help_text: str | None = Field(default=None, max_length=MAX_TEXT_LEN)
    options: list[Option] | None = Field(
        default=None, max_length=MAX_OPTIONS, description="decision nodes only"
    )
    next_node_id: str | None = Field(
        default=None, max_length=MAX_ID_LEN, description="action nodes: the next node"
    )


class RootNode(_Shape):
    """The tree itself: the first decision, holding every other node in `children`."""

    id: str = Field(min_length=1, max_length=MAX_ID_LEN, examples=["root"])
    type: Literal["decision"]
    question: str = Field(min_length=1, max_length=MAX_TITLE_LEN)
    help_text: str | None = Field(default=None, max_length=MAX_TEXT_LEN)
    options: list[Option] = Field(min_length=MIN_OPTIONS, max_length=MAX_OPTIONS)
    children: list[Node] = Field(max_length=MAX_NODES - 1)


def _domain_choices(schema: dict[str, Any]) -> None:
    schema.pop("anyOf", None)
    schema.pop("default", None)
    schema.update({"type": "string", "enum": [*PROBLEM_DOMAINS]})


class FlowAnswer(_Shape):
    """A new flow built from one session."""

    title: str = Field(min_length=1, max_length=255)
    description: str | None = None
    match_keywords: list[str] = Field(default_factory=list, max_length=50)
    # Checked leniently ("Active Directory" is normalised later); the schema lists the choices.
    problem_domain: str | None = Field(default=None, json_schema_extra=_domain_choices)
    tree_structure: RootNode


class NewNode(Node):
    attach_after_node_id: str | None = Field(default=None, max_length=MAX_ID_LEN)
    new_option_label: str | None = Field(default=None, max_length=MAX_LABEL_LEN)


class ModifiedOption(_Shape):
    node_id: str = Field(min_length=1, max_length=MAX_ID_LEN)
    add_option: Option


class EnhancementAnswer(_Shape):
    """The smallest addition to an existing flow."""

    title: str = Field(min_length=1, max_length=255)
    description: str | None = None
    diff_description: str | None = None
    new_nodes: list[NewNode] = Field(default_factory=list)
    modified_options: list[ModifiedOption] = Field(default_factory=list)


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every `$ref` replaced by its definition (the models do not recurse).

    Some servers' grammar converters handle `$defs` poorly; a flat schema works everywhere.
    """
    defs = schema.get("$defs", {})

    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(copy.deepcopy(defs[ref.rsplit("/", 1)[1]]))
            # pydantic's generated titles ("Next Node Id") only cost a small model's context;
            # a string-valued "title" is such a label, a dict-valued one is the field `title`.
            out = {
                k: resolve(v) for k, v in value.items() if not (k == "title" and isinstance(v, str))
            }
            # The check tolerates extra keys; the schema sent asks for the known ones only,
            # so a constrained generator does not wander into keys nobody reads.
            if out.get("additionalProperties") is True:
                out["additionalProperties"] = False
            return out
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    out: dict[str, Any] = resolve({k: v for k, v in schema.items() if k != "$defs"})
    return out


def _schema_for(model: type[BaseModel]) -> dict[str, Any]:
    return _inline(model.model_json_schema())


@cache
def _flow_schema_text() -> str:
    return json.dumps(_schema_for(FlowAnswer), sort_keys=True)


@cache
def _enhancement_schema_text() -> str:
    return json.dumps(_schema_for(EnhancementAnswer), sort_keys=True)


def flow_json_schema() -> dict[str, Any]:
    """The JSON Schema of a new-flow answer (a fresh copy the caller may change)."""
    return json.loads(_flow_schema_text())


def enhancement_json_schema() -> dict[str, Any]:
    """The JSON Schema of an enhancement answer (a fresh copy the caller may change)."""
    return json.loads(_enhancement_schema_text())


def schema_text(schema: dict[str, Any]) -> str:
    """Compact JSON of a schema, as written into a prompt."""
    return json.dumps(schema, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _problems(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error.get("loc", ())) or "response"
        problems.append(Problem(where, error.get("msg", "invalid value")))
    return problems


def check_flow_answer(data: dict[str, Any]) -> list[Problem]:
    """Problems with a new-flow answer's shape, one per field ([] when it fits the schema)."""
    try:
        FlowAnswer.model_validate(data)
    except ValidationError as exc:
        return _problems(exc)
    return []


def check_enhancement_answer(data: dict[str, Any]) -> list[Problem]:
    """Problems with an enhancement answer's shape ([] when it fits the schema)."""
    try:
        EnhancementAnswer.model_validate(data)
    except ValidationError as exc:
        return _problems(exc)
    return []
