"""The three analysis paths of a resolved session, and the model round trips behind two of them.

Pure: no database here. `choose_path` applies the seed's rules exactly; `generate_new_flow`
and `generate_enhancement` ask the provider, parse, validate, and make one repair request
when the output is not a valid flow, before giving up with every problem listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resolutionflow.ai import prompts
from resolutionflow.ai.base import GenerationResult, Provider
from resolutionflow.ai.parsing import ParseError, parse_enhancement_response, parse_flow_response
from resolutionflow.errors import Problem
from resolutionflow.flows.merge import apply_enhancement
from resolutionflow.flows.structure import validate_tree

REINFORCE = "auto_reinforce"
ENHANCEMENT = "enhancement"
NEW_FLOW = "new_flow"
MAX_TOKENS = 4096


def choose_path(*, has_match: bool, match_score: float | None, divergence: bool) -> str:
    """Which analysis a session gets. Thresholds and edge cases are the seed's, unchanged:

    - a match scored above 0.8 that the engineer followed without free text: reinforce;
    - otherwise a match above 0.5 with free text: enhancement;
    - otherwise no match, or a score below 0.5: new flow;
    - otherwise (a moderate match without divergence, or a score of exactly 0.5): reinforce.
    """
    score = match_score or 0.0
    if has_match and score > 0.8 and not divergence:
        return REINFORCE
    if has_match and score > 0.5 and divergence:
        return ENHANCEMENT
    if not has_match or score < 0.5:
        return NEW_FLOW
    return REINFORCE


def has_divergence(steps: list[dict[str, Any]]) -> bool:
    return any(bool(step.get("was_free_text")) for step in steps)


def reinforced_success_rate(old: float | None) -> float:
    """A moving average that moves 10% of the way towards success."""
    return round((old or 0.0) * 0.9 + 0.1, 4)


class AnalysisFailed(Exception):
    """The provider's output could not be turned into a valid proposal, even after a repair."""

    def __init__(self, message: str, problems: list[Problem], usage: list[GenerationResult]):
        super().__init__(message)
        self.problems = problems
        self.usage = usage

    def describe(self) -> str:
        lines = [str(self)] + [f"- {p}" for p in self.problems[:50]]
        return "\n".join(lines)


@dataclass
class Generated:
    data: dict[str, Any]
    usage: list[GenerationResult] = field(default_factory=list)
    repaired: bool = False


def _check_new_flow(text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        parsed = parse_flow_response(text)
    except ParseError as exc:
        return None, [Problem("response", str(exc))]
    return parsed, validate_tree(parsed.get("tree_structure"))


def _check_enhancement(
    text: str, tree: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        parsed = parse_enhancement_response(text)
    except ParseError as exc:
        return None, [Problem("response", str(exc))]
    merged, problems = apply_enhancement(tree, parsed)
    parsed["merged_tree"] = merged
    return parsed, problems


async def _ask_with_repair(
    provider: Provider,
    system_prompt: str,
    message: str,
    check: Any,
    what: str,
) -> Generated:
    messages = [{"role": "user", "content": message}]
    first = await provider.generate_json(system_prompt, messages, MAX_TOKENS)
    usage = [first]
    parsed, problems = check(first.text)
    if not problems and parsed is not None:
        return Generated(parsed, usage)
    repair_messages = [
        *messages,
        {"role": "assistant", "content": first.text},
        {"role": "user", "content": prompts.repair_message(first.text, problems)},
    ]
    second = await provider.generate_json(system_prompt, repair_messages, MAX_TOKENS)
    usage.append(second)
    parsed, problems = check(second.text)
    if not problems and parsed is not None:
        return Generated(parsed, usage, repaired=True)
    raise AnalysisFailed(
        f"the model's {what} was still invalid after one repair request", problems, usage
    )


async def generate_new_flow(provider: Provider, session: dict[str, Any]) -> Generated:
    return await _ask_with_repair(
        provider,
        prompts.NEW_FLOW_SYSTEM_PROMPT,
        prompts.new_flow_message(session),
        _check_new_flow,
        "flow",
    )


async def generate_enhancement(
    provider: Provider, session: dict[str, Any], *, flow_name: str, tree: dict[str, Any]
) -> Generated:
    return await _ask_with_repair(
        provider,
        prompts.ENHANCEMENT_SYSTEM_PROMPT,
        prompts.enhancement_message(session, flow_name, tree),
        lambda text: _check_enhancement(text, tree),
        "enhancement",
    )
