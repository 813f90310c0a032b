"""The three analysis paths of a resolved session, and the model round trips behind two of them.

Pure: no database here. `choose_path` applies the seed's rules exactly; `generate_new_flow`
and `generate_enhancement` ask the provider, parse, validate, and make one repair request
when the output is not a valid flow, before giving up with every problem listed.

Each request carries the answer's JSON Schema (`ai.schema`) for providers that can enforce
it, and is fitted to the model's context size (`ai.prompts.fit_message`). When the model's
answer cannot be used, `offline_draft` builds the offline provider's draft from the same
(redacted) session, marked as such, so the session's knowledge is not lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from resolutionflow.ai import prompts, schema
from resolutionflow.ai.base import GenerationResult, Provider, ResponseSchema
from resolutionflow.ai.parsing import ParseError, parse_enhancement_response, parse_flow_response
from resolutionflow.errors import Problem
from resolutionflow.flows.merge import apply_enhancement
from resolutionflow.flows.structure import validate_tree

log = logging.getLogger(__name__)

REINFORCE = "auto_reinforce"
ENHANCEMENT = "enhancement"
NEW_FLOW = "new_flow"
MAX_TOKENS = 4096
# What made a proposal's content: the configured provider's name, or this for the offline
# draft used in place of a model answer that could not be used.
OFFLINE_FALLBACK = "offline_fallback"


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
    generated_by: str = ""  # the provider's name, or OFFLINE_FALLBACK
    model_error: str | None = None  # why the model's answer was not used (fallback only)
    trim_level: int = 0  # how far the session was trimmed to fit the context (0 = not at all)

    @property
    def is_fallback(self) -> bool:
        return self.generated_by == OFFLINE_FALLBACK


def flow_schema() -> ResponseSchema:
    return ResponseSchema(schema.FLOW_SCHEMA_NAME, schema.flow_json_schema())


def enhancement_schema() -> ResponseSchema:
    return ResponseSchema(schema.ENHANCEMENT_SCHEMA_NAME, schema.enhancement_json_schema())


def _check_new_flow(text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        parsed = parse_flow_response(text)
    except ParseError as exc:
        return None, [Problem("response", str(exc))]
    # The validator's messages say more about a broken graph; the schema check then catches
    # what it does not look at (a title too long to store, a wrongly typed keyword).
    problems = validate_tree(parsed.get("tree_structure"))
    return parsed, problems or schema.check_flow_answer(parsed)


def _check_enhancement(
    text: str, tree: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        parsed = parse_enhancement_response(text)
    except ParseError as exc:
        return None, [Problem("response", str(exc))]
    shape = schema.check_enhancement_answer(parsed)
    if shape:
        return parsed, shape
    merged, problems = apply_enhancement(tree, parsed)
    parsed["merged_tree"] = merged
    return parsed, problems


def _schema_tokens(provider: Provider, response_schema: ResponseSchema) -> int:
    """What the schema costs in the prompt: nothing when the provider says the server takes
    it beside the prompt (a grammar), else its estimated tokens."""
    in_prompt = getattr(provider, "schema_in_prompt", None)
    if callable(in_prompt) and not in_prompt():
        return 0
    return prompts.estimate_tokens(schema.schema_text(response_schema.schema))


async def _ask_with_repair(
    provider: Provider,
    system_prompt: str,
    build: Callable[[int], str],
    check: Any,
    what: str,
    response_schema: ResponseSchema,
    context_tokens: int,
) -> Generated:
    if getattr(provider, "unlimited_context", False):
        context_tokens = 0
    reply = prompts.reply_tokens(context_tokens, MAX_TOKENS)
    budget = context_tokens - reply if context_tokens > 0 else None
    fixed = (
        prompts.estimate_tokens(system_prompt)
        + prompts.MESSAGE_OVERHEAD_TOKENS
        + _schema_tokens(provider, response_schema)
    )
    message, level, fits = prompts.fit_message(build, budget, fixed)
    if not fits:
        log.warning(
            "the %s prompt is over the context budget of %s tokens even fully trimmed; "
            "sending it anyway",
            what,
            context_tokens,
        )
    messages = [{"role": "user", "content": message}]
    first = await provider.generate_json(system_prompt, messages, reply, schema=response_schema)
    usage = [first]
    parsed, problems = check(first.text)
    name = str(getattr(provider, "name", "model"))
    if not problems and parsed is not None:
        return Generated(parsed, usage, generated_by=name, trim_level=level)
    repair_messages = [
        *messages,
        {"role": "assistant", "content": first.text},
        {"role": "user", "content": prompts.repair_message(first.text, problems)},
    ]
    if budget is not None and fixed + prompts.conversation_tokens("", repair_messages) > budget:
        # The repair request quotes the previous answer; the assistant turn repeats it.
        repair_messages = [repair_messages[0], repair_messages[2]]
    second = await provider.generate_json(
        system_prompt, repair_messages, reply, schema=response_schema
    )
    usage.append(second)
    parsed, problems = check(second.text)
    if not problems and parsed is not None:
        return Generated(parsed, usage, repaired=True, generated_by=name, trim_level=level)
    raise AnalysisFailed(
        f"the model's {what} was still invalid after one repair request", problems, usage
    )


async def generate_new_flow(
    provider: Provider, session: dict[str, Any], *, context_tokens: int = 0
) -> Generated:
    """A new flow from `session`; `context_tokens` > 0 fits the prompt to that context."""
    return await _ask_with_repair(
        provider,
        prompts.NEW_FLOW_SYSTEM_PROMPT,
        lambda level: prompts.new_flow_message(session, level),
        _check_new_flow,
        "flow",
        flow_schema(),
        context_tokens,
    )


async def generate_enhancement(
    provider: Provider,
    session: dict[str, Any],
    *,
    flow_name: str,
    tree: dict[str, Any],
    context_tokens: int = 0,
) -> Generated:
    return await _ask_with_repair(
        provider,
        prompts.ENHANCEMENT_SYSTEM_PROMPT,
        lambda level: prompts.enhancement_message(session, flow_name, tree, level),
        lambda text: _check_enhancement(text, tree),
        "enhancement",
        enhancement_schema(),
        context_tokens,
    )


async def offline_draft(
    path: str,
    session: dict[str, Any],
    *,
    reason: str,
    flow_name: str | None = None,
    tree: dict[str, Any] | None = None,
) -> Generated:
    """The offline provider's answer for `path`, in place of a model answer that could not be
    used, with `reason` (the model's error) kept beside it.

    `session` and `tree` must be the redacted copies the model was shown. Raises
    `AnalysisFailed` if even the draft is not valid (an enhancement the flow cannot take).
    """
    from resolutionflow.ai.providers.offline import OfflineProvider

    offline = OfflineProvider()
    if path == ENHANCEMENT and tree is not None:
        made = await generate_enhancement(offline, session, flow_name=flow_name or "", tree=tree)
    else:
        made = await generate_new_flow(offline, session)
    # The offline provider costs nothing: no usage to count against the model's.
    return Generated(made.data, [], generated_by=OFFLINE_FALLBACK, model_error=reason)
