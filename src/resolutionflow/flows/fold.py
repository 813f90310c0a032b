"""Charting a session's route as flow nodes, walking a flow along a session, and folding the
session's route into a proposed flow.

The same pieces serve the offline flow builder (a whole session becomes a flow), the
offline enhancement (the part of a session a flow does not cover becomes new nodes) and the
merge of similar proposals (`fold_session_into_flow`). All pure and deterministic.
"""

from __future__ import annotations

import copy
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from resolutionflow.flows.structure import MAX_NODES, MAX_OPTIONS, node_index
from resolutionflow.sessions.transcript import PathStep, diagnostic_path, session_payload

UNCHARTED_TITLE = "Not charted yet"
UNCHARTED_DESCRIPTION = (
    "No session has charted this route yet. Escalate the ticket, or record what you find "
    "so this flow can learn it."
)
SOMETHING_ELSE = "Something else"
# Stand-ins for steps recorded without text; matching uses them too, so such steps still
# find their node again.
NO_QUESTION = "What does the engineer see?"
NO_ACTION = "Action"
_CATCH_ALL = {"something else", "none of these", "none of the above", "other"}
FOLDED_IDS_KEY = "folded_session_ids"
MAX_RECORDED_ANSWERS = 20
QUESTION_MATCH = 0.5
OPTION_MATCH = 0.75
LOOKAHEAD_NODES = 40

STOP_WORDS = frozenset(
    """a about after again all also am an and any are as at be been before being both but by
    can could did do does doing done for from get got had has have having he her here his how
    i if in into is it its itself just let me more most my no nor not now of off on once only
    or other our out over own same she should so some such than that the their them then there
    these they this those through to too under until up very was we were what when where which
    while who why will with would yes you your user users issue issues problem problems still
    any anything something see seems seem working work works try tried check show shows
    showing whole says getting""".split()  # noqa: SIM905
)

_WORD = re.compile(r"[a-z0-9][a-z0-9._+#-]*[a-z0-9+#]|[a-z0-9]")


def clip(text: Any, limit: int) -> str:
    """Text on one line, cut at a word boundary with an ellipsis when longer than limit."""
    value = " ".join(str(text or "").split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 3]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "..."


def clip_text(text: Any, limit: int) -> str:
    """Like `clip`, for descriptions: paragraph breaks are kept."""
    paragraphs = [clip(p, limit) for p in str(text or "").split("\n\n")]
    value = "\n\n".join(p for p in paragraphs if p)
    return value if len(value) <= limit else clip(value, limit)


def short_label(text: Any, limit: int = 80) -> str:
    """A free-text answer as an option label: one line, wrapping quotes trimmed, capitalised,
    short."""
    value = " ".join(str(text or "").split())
    while len(value) > 1 and value[0] == value[-1] and value[0] in "\"'`":
        value = value[1:-1].strip()
    value = clip(value, limit)
    return value[:1].upper() + value[1:]


def words(text: Any) -> list[str]:
    """Meaningful lower-case words in order: stop words and one-letter words dropped."""
    found = _WORD.findall(str(text or "").casefold())
    return [w for w in found if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


def norm(text: Any) -> str:
    """Text for equality checks: lower-case words; text of symbols only compares as itself."""
    folded = str(text or "").casefold()
    return " ".join(re.findall(r"[a-z0-9]+", folded)) or " ".join(folded.split())


def similarity(a: Any, b: Any, *, every_word: bool = False) -> float:
    """1.0 for the same text; else the overlap of meaningful words (Jaccard). Option labels
    compare every word: "Not online" must not pass for "Online"."""
    if norm(a) and norm(a) == norm(b):
        return 1.0
    split = (lambda t: norm(t).split()) if every_word else words
    left, right = set(split(a)), set(split(b))
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


class IdMaker:
    """Fresh node ids ("q1", "a2", "s3") that avoid every id already taken."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)
        # Numbering past the ids already there keeps new nodes apart from old ones at a glance.
        self.counter = len(self.taken) + 1 if self.taken - {"root", "uncharted"} else 1

    def take(self, wanted: str) -> str:
        candidate, suffix = wanted, 2
        while candidate in self.taken:
            candidate, suffix = f"{wanted}-{suffix}", suffix + 1
        self.taken.add(candidate)
        return candidate

    def next(self, kind: str) -> str:
        letter = {"question": "q", "action": "a"}.get(kind, "s")
        while f"{letter}{self.counter}" in self.taken:
            self.counter += 1
        node_id = f"{letter}{self.counter}"
        self.taken.add(node_id)
        self.counter += 1
        return node_id


def uncharted_node(node_id: str) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "solution",
        "title": UNCHARTED_TITLE,
        "description": UNCHARTED_DESCRIPTION,
        "charted": False,
    }


def is_uncharted(node: dict[str, Any] | None) -> bool:
    return isinstance(node, dict) and node.get("charted") is False


def _notes_text(notes: tuple[str, ...]) -> str:
    return f"Context seen in the session: {' '.join(notes)}" if notes else ""


def decision_node(node_id: str, step: PathStep, next_id: str, uncharted_id: str) -> dict[str, Any]:
    """A question as a decision: the presented options plus the answer given (2-5 options);
    the answer leads on, the options nobody took go to the not-charted route."""
    labels: list[str] = []
    for label in step.options:
        label = clip(label, 200)
        if label and norm(label) not in {norm(x) for x in labels}:
            labels.append(label)
    answer = short_label(step.answer) if step.free else clip(step.answer, 200)
    chosen = next((i for i, x in enumerate(labels) if norm(x) == norm(answer)), None)
    if chosen is None:
        labels.append(answer)
        chosen = len(labels) - 1
    if len(labels) > MAX_OPTIONS:
        # The answer given always stays; the first of the others fill the remaining places.
        others = [i for i in range(len(labels)) if i != chosen][: MAX_OPTIONS - 1]
        kept = sorted([*others, chosen])
        chosen = kept.index(chosen)
        labels = [labels[i] for i in kept]
    if len(labels) < 2:
        padding = "None of these" if norm(labels[0]) == norm(SOMETHING_ELSE) else SOMETHING_ELSE
        labels.append(padding)
    options = []
    for number, label in enumerate(labels, start=1):
        option: dict[str, Any] = {"id": f"{node_id}-o{number}", "label": label}
        if number - 1 == chosen:
            option.update(next_node_id=next_id, session_count=1)
        else:
            option["next_node_id"] = uncharted_id
        options.append(option)
    return {
        "id": node_id,
        "type": "decision",
        "title": clip(step.text, 120) or NO_QUESTION,
        "question": clip(step.text, 480) or NO_QUESTION,
        "help_text": clip(_notes_text(step.notes), 3900),
        "options": options,
    }


def _result_text(step: PathStep) -> str:
    if step.success is None:
        return ""
    outcome = "it worked" if step.success else "it did not resolve the problem"
    return f"Result when this was charted: {outcome}" + (
        f" ({step.details})." if step.details else "."
    )


def step_node(
    node_id: str, step: PathStep, next_id: str | None, uncharted_id: str
) -> dict[str, Any]:
    """The node for one route step: a decision, an action or the closing solution."""
    if step.kind == "question":
        assert next_id is not None
        return decision_node(node_id, step, next_id, uncharted_id)
    if step.kind == "action":
        parts = [step.text, _result_text(step), _notes_text(step.notes)]
        return {
            "id": node_id,
            "type": "action",
            "title": clip(step.text, 120) or NO_ACTION,
            "description": clip_text("\n\n".join(p for p in parts if p), 3900)
            or "Carry out the step.",
            "next_node_id": next_id,
        }
    text = step.text or "Resolution not recorded"
    details = f"Recorded as the fix: {step.details}" if step.details else ""
    parts = [step.text or "The session recorded no resolution; escalate if this route does "
             "not help.", details, _notes_text(step.notes)]  # fmt: skip
    return {
        "id": node_id,
        "type": "solution",
        "title": clip(text, 120),
        "description": clip_text("\n\n".join(p for p in parts if p), 3900),
        "resolution_summary": clip(step.text, 3900),
    }


def chain_nodes(
    path: list[PathStep], ids: IdMaker, uncharted_id: str, first_id: str | None = None
) -> list[dict[str, Any]]:
    """Nodes for a route, in order, each leading to the next; the last is the solution."""
    node_ids = [first_id or ids.next(path[0].kind)] + [ids.next(s.kind) for s in path[1:]]
    return [
        step_node(node_ids[i], step, node_ids[i + 1] if i + 1 < len(path) else None, uncharted_id)
        for i, step in enumerate(path)
    ]


def references(nodes: Iterable[dict[str, Any]], target: str) -> bool:
    for node in nodes:
        if node.get("next_node_id") == target:
            return True
        if any(o.get("next_node_id") == target for o in node.get("options") or []):
            return True
    return False


@dataclass
class Walk:
    """Where a session went in a flow: the options it took, and where it left the flow.

    `left_at` is the node where the session's route stops being charted (None if it never
    left); `answer` the label it gave there when it answered that node's question with
    something new; `rest` the session's route from that point; `into_uncharted` is set when
    the last option taken leads to a not-charted node.
    """

    taken: list[tuple[str, str]] = field(default_factory=list)
    left_at: str | None = None
    answer: str | None = None
    rest: list[PathStep] = field(default_factory=list)
    into_uncharted: tuple[str, str] | None = None


def _matches(node: dict[str, Any], step: PathStep) -> bool:
    if step.kind == "question" and node.get("type") == "decision":
        asked = node.get("question") or node.get("title")
        return similarity(step.text or NO_QUESTION, asked) >= QUESTION_MATCH
    if step.kind == "action" and node.get("type") == "action":
        text = step.text or NO_ACTION
        return max(similarity(text, node.get("title")),
                   similarity(text, node.get("description"))) >= QUESTION_MATCH  # fmt: skip
    return False


def find_option(node: dict[str, Any], answer: str) -> dict[str, Any] | None:
    options = [o for o in node.get("options") or [] if isinstance(o, dict)]
    for option in options:
        if norm(option.get("label")) == norm(answer) and norm(answer):
            return option
    scored = [
        (similarity(o.get("label"), answer, every_word=True), i) for i, o in enumerate(options)
    ]
    best = max(scored, default=(0.0, -1))
    return options[best[1]] if best[0] >= OPTION_MATCH else None


def _successors(node: dict[str, Any]) -> list[str]:
    out = [o.get("next_node_id") for o in node.get("options") or [] if isinstance(o, dict)]
    out.append(node.get("next_node_id"))
    return [t for t in out if isinstance(t, str) and t]


def _look_ahead(index: dict[str, dict[str, Any]], start: str, step: PathStep) -> str | None:
    """A later node the step matches: the session skipped what lies between."""
    seen, queue = {start}, deque(_successors(index[start]))
    while queue and len(seen) < LOOKAHEAD_NODES:
        node_id = queue.popleft()
        if node_id in seen or node_id not in index:
            continue
        seen.add(node_id)
        if _matches(index[node_id], step):
            return node_id
        queue.extend(_successors(index[node_id]))
    return None


def walk_flow(tree: dict[str, Any], path: list[PathStep]) -> Walk:
    """Follow the flow along the session's route, matching questions to decision nodes by
    text and answers to options by label, until the route leaves the flow."""
    index = node_index(tree)
    walk = Walk()
    current = tree.get("id")
    position = 0
    visited: set[str] = set()
    while position < len(path) and isinstance(current, str) and current in index:
        step, node = path[position], index[current]
        if step.kind == "resolution" or current in visited:
            break
        visited.add(current)
        if _matches(node, step):
            if step.kind == "action":
                current, position = node.get("next_node_id"), position + 1
                continue
            option = find_option(node, step.answer)
            if option is None:
                walk.left_at, walk.answer = current, step.answer
                walk.rest = path[position + 1 :]
                return walk
            walk.taken.append((current, str(option.get("id"))))
            current, position = option.get("next_node_id"), position + 1
            if is_uncharted(index.get(str(current))):
                walk.into_uncharted = walk.taken[-1]
                walk.left_at, walk.rest = walk.taken[-1][0], path[position:]
                return walk
            continue
        ahead = _look_ahead(index, current, step)
        if ahead is not None:
            current = ahead
            continue
        walk.left_at, walk.rest = current, path[position:]
        return walk
    walk.rest = path[position:]
    return walk


def other_label(step: PathStep | None) -> str:
    """The label of a new option for a route that left the flow without an answer to give."""
    if step is None or not step.text:
        return SOMETHING_ELSE
    return short_label(f"Other: {step.text}", 80)


def fold_session_into_flow(tree: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
    """The flow with the session's route folded in; the input is left untouched.

    Along the route each option the session took counts one more session ("session_count").
    Where it answered with something new, the decision gains an option for that answer,
    leading to the rest of the session's route as new nodes. Where it took an option that led
    to "Not charted yet", that option now leads to the session's route instead. A decision
    that already has 5 options cannot gain one (nor can a flow at its size limit): the session
    is counted on the node's catch-all option ("Something else", "None of these", "Other")
    with its answer listed there under "other_answers", or, without one, the answer is
    listed under the node's "unplaced_answers" for a reviewer to place. Where the session
    leaves the flow at an action or a solution, only the options it took are counted. A session
    whose id is already listed under the root's "folded_session_ids" changes nothing.
    """
    out = copy.deepcopy(tree)
    session_id = str(session.get("id") or "")
    folded = list(out.get(FOLDED_IDS_KEY) or [])
    if session_id and session_id in folded:
        return out
    path = diagnostic_path(session_payload(session))
    walk = walk_flow(out, path)
    index = node_index(out)
    for node_id, option_id in walk.taken:
        option = next(o for o in index[node_id]["options"] if str(o.get("id")) == option_id)
        bump(option)
    if walk.left_at is not None and walk.rest:
        if walk.into_uncharted is not None:
            _chart(out, walk)
        elif index[walk.left_at].get("type") == "decision":
            label = short_label(walk.answer) if walk.answer else other_label(walk.rest[0])
            _branch(out, walk.left_at, label, walk.rest)
    if session_id:
        out[FOLDED_IDS_KEY] = [*folded, session_id]
    return out


def bump(option: dict[str, Any]) -> None:
    """One more session took this option (a count a model wrote as nonsense restarts at 0)."""
    count = option.get("session_count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        count = 0
    option["session_count"] = count + 1


def _room_for(tree: dict[str, Any], count: int) -> bool:
    return len(node_index(tree)) + count <= MAX_NODES


def _uncharted_id(tree: dict[str, Any], ids: IdMaker) -> tuple[str, bool]:
    """The flow's not-charted node, or a fresh id for one (True: it must be created)."""
    for node in node_index(tree).values():
        if is_uncharted(node) and node.get("type") == "solution":
            return str(node["id"]), False
    return ids.take("uncharted"), True


def _graft(tree: dict[str, Any], rest: list[PathStep]) -> str | None:
    """Append nodes for a route; returns the first node's id, or None if it would not fit."""
    ids = IdMaker(node_index(tree))
    uncharted_id, create = _uncharted_id(tree, ids)
    nodes = chain_nodes(rest, ids, uncharted_id)
    if create and references(nodes, uncharted_id):
        nodes.append(uncharted_node(uncharted_id))
    if not _room_for(tree, len(nodes)):
        return None
    tree.setdefault("children", []).extend(nodes)
    return str(nodes[0]["id"])


def _chart(tree: dict[str, Any], walk: Walk) -> None:
    """Point the option that led to "Not charted yet" at the session's real route."""
    assert walk.into_uncharted is not None
    node_id, option_id = walk.into_uncharted
    head = _graft(tree, walk.rest)
    if head is None:
        return
    index = node_index(tree)
    option = next(o for o in index[node_id]["options"] if str(o.get("id")) == option_id)
    old_target = option["next_node_id"]
    option["next_node_id"] = head
    everything = list(index.values())
    if not references(everything, old_target):
        tree["children"] = [c for c in tree.get("children") or [] if c.get("id") != old_target]


def _branch(tree: dict[str, Any], node_id: str, label: str, rest: list[PathStep]) -> None:
    node = node_index(tree)[node_id]
    options = node.setdefault("options", [])
    same = next((o for o in options if norm(o.get("label")) == norm(label)), None)
    if same is not None:
        bump(same)
        return
    if len(options) < MAX_OPTIONS:
        head = _graft(tree, rest)
        if head is not None:
            used = {str(o.get("id")) for o in options}
            number = len(options) + 1
            while f"{node_id}-o{number}" in used:
                number += 1
            options.append(
                {"id": f"{node_id}-o{number}", "label": label, "next_node_id": head,
                 "session_count": 1}
            )  # fmt: skip
            return
    catch_all = next((o for o in options if norm(o.get("label")) in _CATCH_ALL), None)
    holder, key = (catch_all, "other_answers") if catch_all else (node, "unplaced_answers")
    if catch_all is not None:
        bump(catch_all)
    answers = list(holder.get(key) or [])
    if label not in answers and len(answers) < MAX_RECORDED_ANSWERS:
        answers.append(label)
    holder[key] = answers
