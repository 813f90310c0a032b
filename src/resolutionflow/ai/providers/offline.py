"""The offline provider: builds flows and enhancement diffs from the session itself.

No network, no randomness, no clock: the same request gives the same answer, byte for byte.
It reads the task from the system prompt's `TASK:` line and the session (and flow) from the
data blocks of the user messages, exactly as a model would receive them. What it builds
follows the session: each answered question becomes a decision with the options that were
offered, each action an action node, the resolution a solution, and every option nobody took
leads to one "Not charted yet" node.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from resolutionflow.ai import prompts
from resolutionflow.ai.base import (
    GenerationResult,
    PermanentProviderError,
    ResponseSchema,
    UsageRecorder,
    report_usage,
)
from resolutionflow.flows.fold import (
    FOLDED_IDS_KEY,
    IdMaker,
    PathStep,
    Walk,
    chain_nodes,
    is_uncharted,
    other_label,
    references,
    uncharted_node,
    walk_flow,
)
from resolutionflow.flows.structure import MAX_NODES, MAX_OPTIONS, node_index
from resolutionflow.sessions.transcript import diagnostic_path
from resolutionflow.text import clean
from resolutionflow.text.steps import clip, norm, short_label

MODEL = "offline-flow-builder"
UNCHARTED_ID = "uncharted"
MAX_KEYWORDS = 10
DOMAIN_LABELS = {
    "active_directory": "Active Directory",
    "networking": "networking",
    "m365": "Microsoft 365",
    "hardware": "hardware",
    "endpoint": "endpoint",
    "virtualization": "virtualization",
    "security": "security",
    "backup": "backup",
    "email": "email",
    "printing": "printing",
    "cloud": "cloud",
    "other": "general",
}


def estimate_tokens(text: str) -> int:
    return len(text) // 4


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks, as some chat APIs send them
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class OfflineProvider:
    """A deterministic, network-free provider for the flow builder's tasks."""

    def __init__(
        self, name: str = "offline", *, usage_recorder: UsageRecorder | None = None
    ) -> None:
        self.name = name
        self.model = MODEL
        self.usage_recorder = usage_recorder

    # No model reads the prompt, so there is no context to fit it to: sessions go whole.
    unlimited_context = True

    def schema_in_prompt(self) -> bool:
        return False

    async def generate_json(
        self,
        system_prompt: str,
        messages: list[dict[str, Any]],
        max_tokens: int = 4096,
        *,
        schema: ResponseSchema | None = None,
    ) -> GenerationResult:
        # `schema` needs no handling: what this provider builds has that shape by construction.
        text = self.answer(system_prompt, messages)
        sent = system_prompt + "".join(_text_of(m) for m in messages)
        result = GenerationResult(
            text=text,
            input_tokens=estimate_tokens(sent),
            output_tokens=estimate_tokens(text),
            model=self.model,
            provider=self.name,
            latency_seconds=0.0,
        )
        await report_usage(self.usage_recorder, result)
        return result

    def answer(self, system_prompt: str, messages: list[dict[str, Any]]) -> str:
        """The raw text of the answer (what `generate_json` returns), computed synchronously."""
        task = prompts.task_of(system_prompt)
        if task not in (prompts.TASK_NEW_FLOW, prompts.TASK_ENHANCEMENT, prompts.TASK_REPAIR):
            raise PermanentProviderError(
                f"the offline provider cannot do this request (task {task!r})", provider=self.name
            )
        session, flow = self._data(messages)
        if task == prompts.TASK_REPAIR and session is None:
            # Nothing to rebuild from: what the offline provider gave before was valid.
            previous = self._previous_output(messages)
            if previous is not None:
                return previous
        if session is None:
            raise PermanentProviderError(
                "no <session_data> block in the messages", provider=self.name
            )
        if task == prompts.TASK_ENHANCEMENT or (task == prompts.TASK_REPAIR and flow):
            if not isinstance(flow, dict):
                raise PermanentProviderError(
                    "an enhancement needs the flow in a <flow_data> block", provider=self.name
                )
            return to_json(build_enhancement(flow, session, provider=self.name))
        return to_json(build_new_flow(session))

    @staticmethod
    def _data(messages: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, Any]:
        """The session and flow of the latest user message that carries a session; a repair
        request comes after it and carries none."""
        for message in reversed(messages):
            if message.get("role", "user") != "user":
                continue
            text = _text_of(message)
            session = prompts.read_block(text, prompts.SESSION_TAG)
            if isinstance(session, dict):
                return session, prompts.read_block(text, prompts.FLOW_TAG)
        return None, None

    @staticmethod
    def _previous_output(messages: list[dict[str, Any]]) -> str | None:
        for message in reversed(messages):
            text = _text_of(message)
            start, end = f"<{prompts.PREVIOUS_TAG}>", f"</{prompts.PREVIOUS_TAG}>"
            if start in text and end in text:
                return text.split(start, 1)[1].rsplit(end, 1)[0].strip()
        return None


# --- new flow -------------------------------------------------------------------------------


def _capped(path: list[PathStep]) -> list[PathStep]:
    """A route that fits the size limit with a root and a not-charted node to spare."""
    room = MAX_NODES - 3
    return path if len(path) <= room else [*path[: room - 1], path[-1]]


def build_new_flow(payload: dict[str, Any]) -> dict[str, Any]:
    """{title, description, match_keywords, problem_domain, tree_structure} for one session."""
    path = _capped(diagnostic_path(payload))
    summary = clip(payload.get("problem_summary"), 300)
    ids = IdMaker({"root", UNCHARTED_ID})
    if path[0].kind == "question":
        nodes = chain_nodes(path, ids, UNCHARTED_ID, first_id="root")
        root, children = nodes[0], nodes[1:]
    else:
        children = chain_nodes(path, ids, UNCHARTED_ID)
        root = {
            "id": "root",
            "type": "decision",
            "title": "Does this flow fit the ticket?",
            "question": f"Does the problem match: {summary}?"
            if summary
            else "Does the problem match the one this flow was charted from?",
            "help_text": "Start here when a ticket reports these symptoms.",
            "options": [
                {
                    "id": "root-o1",
                    "label": "Yes",
                    "next_node_id": children[0]["id"],
                    "session_count": 1,
                },
                {"id": "root-o2", "label": "No", "next_node_id": UNCHARTED_ID},
            ],
        }
    if references([root, *children], UNCHARTED_ID):
        children.append(uncharted_node(UNCHARTED_ID))
    root["children"] = children
    if payload.get("session_id"):
        root[FOLDED_IDS_KEY] = [str(payload["session_id"])]
    domain = payload.get("problem_domain")
    domain = domain if domain in DOMAIN_LABELS else "other"
    names = [str(n) for n in (payload.get("customer"),) if n]
    return {
        "title": flow_title(payload.get("problem_summary") or "", domain, names=names),
        "description": flow_description(payload.get("problem_summary") or "", path, names=names),
        "match_keywords": flow_keywords(payload, path, domain, names=names),
        "problem_domain": domain,
        "tree_structure": root,
    }


def flow_title(summary: str, domain: str, *, names: Sequence[str] = ()) -> str:
    """The ticket's own subject line with names, greetings and ticket numbers taken out, at
    most 10 words, capitalisation as written ("OneDrive", "Hyper-V")."""
    title = clean.short_title(clean.subject(summary, names=names))
    if not title:
        label = DOMAIN_LABELS[domain]
        return f"{label[:1].upper()}{label[1:]} problem"
    return clip(title, 120)


def flow_description(summary: str, path: list[PathStep], *, names: Sequence[str] = ()) -> str:
    """What the ticket reported (cleaned, as written) and how it was resolved."""
    reported = clip(clean.one_line(summary, names=names), 240).rstrip(".")
    ending = clip(clean.one_line(path[-1].text, names=names), 160).rstrip(".") if path else ""
    parts = []
    if reported:
        parts.append(f"Reported as: {reported}.")
    if ending:
        parts.append(f"Resolved by: {ending}.")
    return " ".join(parts) or "A resolved session with no summary recorded."


def flow_keywords(
    payload: dict[str, Any], path: list[PathStep], domain: str, *, names: Sequence[str] = ()
) -> list[str]:
    """Up to 10 keywords: the summary's words first, then the words the route uses most,
    then the domain. No names, no filler, capitalisation as most often written."""
    route: list[str] = []
    counts: Counter[str] = Counter()
    for step in path:
        for word in clean.shared_keywords(
            [" ".join([step.text, step.answer, step.details])], names=names, limit=40
        ):
            if word not in counts:
                route.append(word)
            counts[word] += 1
    route.sort(key=lambda w: -counts[w])
    extra = [*route, *([DOMAIN_LABELS[domain]] if domain != "other" else [])]
    summary = clean.subject(payload.get("problem_summary"), names=names)
    found = clean.shared_keywords([summary], names=names, limit=MAX_KEYWORDS, extra=extra)
    return found or [DOMAIN_LABELS[domain]]


# --- enhancement ----------------------------------------------------------------------------


def _room(node: dict[str, Any] | None) -> bool:
    return (
        isinstance(node, dict)
        and node.get("type") == "decision"
        and len(node.get("options") or []) < MAX_OPTIONS
    )


def _unique_label(node: dict[str, Any], label: str) -> str:
    taken = {norm(o.get("label")) for o in node.get("options") or [] if isinstance(o, dict)}
    candidate, number = label, 2
    while norm(candidate) in taken:
        candidate, number = f"{label} (route {number})", number + 1
    return candidate


def _first_free_answer(path: list[PathStep]) -> str | None:
    return next((s.answer for s in path if s.kind == "question" and s.free), None)


def _attach_point(
    tree: dict[str, Any], walk: Walk, path: list[PathStep]
) -> tuple[str, str, list[PathStep]] | None:
    """(decision node to branch from, label of the new option, route the branch charts)."""
    index = node_index(tree)
    rest = walk.rest or path[-1:]
    left = index.get(walk.left_at or "")
    if _room(left) and walk.into_uncharted is None:
        label = short_label(walk.answer) if walk.answer else other_label(rest[0])
        return str(walk.left_at), label, rest
    if _room(left) and walk.into_uncharted is not None:
        node_id, option_id = walk.into_uncharted
        options = left.get("options") or [] if left is not None else []
        taken = next(o for o in options if str(o.get("id")) == option_id)
        return node_id, short_label(f"{taken.get('label')} (charted)"), rest
    # The session left where no option can be added (an action, a solution, a decision that
    # is full) or never visibly left: branch from the deepest decision it passed that has
    # room, else from the first such decision in the flow.
    candidates = [node_id for node_id, _ in reversed(walk.taken)]
    candidates += [node_id for node_id in index if node_id not in candidates]
    for node_id in candidates:
        if _room(index[node_id]):
            answer = walk.answer or _first_free_answer(path)
            label = short_label(answer) if answer else other_label(rest[0])
            return node_id, label, rest
    return None


def build_enhancement(
    tree: dict[str, Any], payload: dict[str, Any], *, provider: str = "offline"
) -> dict[str, Any]:
    """The addition to `tree` that charts the part of the session the flow does not cover,
    in the enhancement diff format."""
    path = diagnostic_path(payload)
    walk = walk_flow(tree, path)
    point = _attach_point(tree, walk, path)
    if point is None:
        raise PermanentProviderError(
            "no decision in the flow has room for another option", provider=provider
        )
    attach_id, label, rest = point
    index = node_index(tree)
    attach = index[attach_id]
    label = _unique_label(attach, label)
    ids = IdMaker(index)
    uncharted = next((i for i, n in index.items() if is_uncharted(n)), None)
    uncharted_id = uncharted or ids.take(UNCHARTED_ID)
    if len(index) + len(rest) + 1 > MAX_NODES:
        rest = rest[-1:]
    nodes = chain_nodes(rest, ids, uncharted_id)
    if uncharted is None and references(nodes, uncharted_id):
        nodes.append(uncharted_node(uncharted_id))
    head = nodes[0]["id"]
    option_ids = {str(o.get("id")) for o in attach.get("options") or [] if isinstance(o, dict)}
    number = len(option_ids) + 1
    while f"{attach_id}-o{number}" in option_ids:
        number += 1
    new_option = {
        "id": f"{attach_id}-o{number}",
        "label": label,
        "next_node_id": head,
        "session_count": 1,
    }
    attach_title = clip(attach.get("title") or attach.get("question") or attach_id, 100)
    titles = ", ".join(f'"{clip(n["title"], 60)}"' for n in nodes if not is_uncharted(n))
    summary = clip(payload.get("problem_summary"), 100) or "a session that left the flow"
    return {
        "title": clip(f"Enhancement: {summary}", 255),
        "description": (
            f'A session ("{summary}") left this flow at "{attach_title}" and was still '
            "resolved; this charts the route it took."
        ),
        "diff_description": (
            f'Adds the option "{label}" to "{attach_title}", leading to {len(nodes)} new '
            f"node{'s' * (len(nodes) != 1)}: {titles}."
        ),
        "new_nodes": _placed(nodes, attach_id, label),
        "modified_options": [{"node_id": attach_id, "add_option": new_option}],
    }


def _placed(nodes: list[dict[str, Any]], attach_id: str, label: str) -> list[dict[str, Any]]:
    """The new nodes with where each hangs: the first from the attach point by the new
    option, every other from the first new node that leads to it."""
    placed: list[dict[str, Any]] = []
    for position, node in enumerate(nodes):
        parent_id, via = (attach_id, label) if position == 0 else (None, None)
        for earlier in nodes[:position]:
            if parent_id is not None:
                break
            if earlier.get("next_node_id") == node["id"]:
                parent_id = earlier["id"]
            for option in earlier.get("options") or []:
                if option.get("next_node_id") == node["id"]:
                    parent_id, via = earlier["id"], option["label"]
                    break
        placed.append(
            {
                "options": [],
                "next_node_id": None,
                **node,
                "attach_after_node_id": parent_id,
                "new_option_label": via,
            }
        )
    return placed
