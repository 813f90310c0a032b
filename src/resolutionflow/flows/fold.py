"""Charting a session's route as flow nodes, walking a flow along a session, and folding the
session's route into a proposed flow.

The same pieces serve the offline flow builder (a whole session becomes a flow), the
offline enhancement (the part of a session a flow does not cover becomes new nodes) and the
merge of similar proposals (`fold_session_into_flow`). All pure and deterministic.

Steps are compared by their normalised text (`step_key` in `resolutionflow.text.steps`: lower
case, punctuation and stop words dropped, each word stemmed), so "Did syncing resume after the
reset?" and "did sync resume after reset" are one step, and folding many sessions of one
problem yields one node per distinct step rather than one per session.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from resolutionflow.flows.structure import MAX_NODES, MAX_OPTIONS, find_problems, node_index
from resolutionflow.sessions.transcript import PathStep, diagnostic_path, session_payload
from resolutionflow.text.steps import (
    clip,
    clip_text,
    norm,
    short_label,
    similarity,
)

UNCHARTED_TITLE = "Not charted yet"
UNCHARTED_DESCRIPTION = (
    "No session has charted this route yet. Escalate the ticket, or record what you find "
    "so this flow can learn it."
)
SOMETHING_ELSE = "Something else"
# The option a fold adds where a session went on without answering a decision's question.
NOT_CHECKED = "Not checked"
# The root question the offline builder puts before a route that starts with an action.
FIT_QUESTION_TITLE = "Does this flow fit the ticket?"
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
# Re-joining a node elsewhere in the flow has no route to back it up, so it asks for more.
REJOIN_MATCH = 0.6


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
    parts = [
        step.text or "The session recorded no resolution; escalate if this route does not help.",
        details,
        _notes_text(step.notes),
    ]
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


_KINDS = {"question": "decision", "action": "action", "resolution": "solution"}


def _node_text(node: dict[str, Any]) -> str:
    if node.get("type") == "decision":
        return str(node.get("question") or node.get("title") or NO_QUESTION)
    return str(node.get("title") or (NO_ACTION if node.get("type") == "action" else ""))


def _step_text(step: PathStep) -> str:
    if step.kind == "question":
        return clip(step.text, 480) or NO_QUESTION
    if step.kind == "action":
        return clip(step.text, 120) or NO_ACTION
    return clip(step.text or "Resolution not recorded", 120)


def _matches(node: dict[str, Any], step: PathStep) -> bool:
    """The node charts this step: same kind, identical or near-identical normalised text."""
    if _KINDS.get(step.kind) != node.get("type") or is_uncharted(node):
        return False
    return similarity(_step_text(step), _node_text(node)) >= QUESTION_MATCH


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
    """The label of a new option for a route that left the flow without an answer to give.

    The session went on without answering the question, so the option says just that; what
    it did next (an action, another question) becomes the node the option leads to, never
    the option's label."""
    return NOT_CHECKED


def fold_session_into_flow(tree: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
    """The flow with the session's route folded in; the input is left untouched.

    The route is walked through the flow step by step. A step the flow already charts (the
    node in hand, or one further on that the session reached by skipping some) is counted:
    each option taken counts one more session ("session_count"). A step the flow charted
    earlier on the way (the same action done in another order) adds nothing. Where the
    session goes somewhere new, the route continues from a new option: its answer, or "Not
    checked" when it went on without answering the question; an option that led to "Not
    charted yet" is pointed at the route instead. Each step of the new part re-joins the
    node that already charts it anywhere in the flow (when that makes no loop), and only
    steps charted nowhere become new nodes, so the flow grows by distinct steps, not by
    sessions. An action is always an action node, never an option's label; a question
    that asks about an action's result is reached through that action; every new route
    ends in a solution.

    A decision that already has 5 options cannot gain one (nor can a flow at its size
    limit): the session is counted on the node's catch-all option ("Something else", "None
    of these", "Other") with its answer listed there under "other_answers", or, without
    one, the answer is listed under the node's "unplaced_answers" for a reviewer to place.
    Where the session leaves the flow at an action or a solution (they have one way on),
    only what it followed is counted. A session whose id is already listed under the
    root's "folded_session_ids" changes nothing.
    """
    out = copy.deepcopy(tree)
    session_id = str(session.get("id") or "")
    folded = list(out.get(FOLDED_IDS_KEY) or [])
    if session_id and session_id in folded:
        return out
    path = diagnostic_path(session_payload(session))
    _Folder(out).fold(path)
    if find_problems(out) and not find_problems(tree):
        # Never expected; if a route cannot be charted soundly it is left out, not forced.
        out = copy.deepcopy(tree)
    if session_id:
        out[FOLDED_IDS_KEY] = [*folded, session_id]
    return out


def bump(option: dict[str, Any]) -> None:
    """One more session took this option (a count a model wrote as nonsense restarts at 0)."""
    count = option.get("session_count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        count = 0
    option["session_count"] = count + 1


# A link still to be made: ("new", decision id, label) adds an option, ("retarget",
# decision id, option id) points an existing option elsewhere, ("next", action id) sets an
# action's next node.
_Slot = tuple[str, str, str]
_PENDING = "\x00pending"
# Where a walk goes on: (node it is at, link to fill, link it came by).
_Next = tuple[str | None, _Slot | None, _Slot | None]


class _Folder:
    """One session's route folded into a tree in place (the caller passes a copy)."""

    def __init__(self, tree: dict[str, Any]) -> None:
        self.tree = tree
        self.index = node_index(tree)
        self.ids = IdMaker(self.index)
        self.visited: set[str] = set()
        self.passed: set[str] = set()

    # --- the graph ------------------------------------------------------------------------

    def _next_ids(self, node_id: str) -> list[str]:
        return [t for t in _successors(self.index[node_id]) if t in self.index]

    def _reaches(self, start: str, goal: str) -> bool:
        seen, queue = {start}, deque([start])
        while queue:
            node_id = queue.popleft()
            if node_id == goal:
                return True
            for target in self._next_ids(node_id):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return False

    def _parents(self, node_id: str) -> set[str]:
        return {source for source, node in self.index.items() if node_id in _successors(node)}

    def _uncharted(self) -> str:
        for node_id, node in self.index.items():
            if is_uncharted(node) and node.get("type") == "solution":
                return node_id
        node = uncharted_node(self.ids.take("uncharted"))
        self._add(node)
        return str(node["id"])

    def _add(self, node: dict[str, Any]) -> None:
        self.tree.setdefault("children", []).append(node)
        self.index[str(node["id"])] = node

    def _room(self, count: int) -> bool:
        return len(self.index) + count <= MAX_NODES

    # --- walking --------------------------------------------------------------------------

    def _look_ahead(self, start: str, step: PathStep) -> list[tuple[str, str | None]] | None:
        """The way (node, option taken) to a later node matching the step, ending with
        (that node, None); None when nothing further on matches."""
        came: dict[str, tuple[str, str | None]] = {}
        seen, queue = {start}, deque([start])
        while queue and len(seen) < LOOKAHEAD_NODES:
            node_id = queue.popleft()
            node = self.index[node_id]
            links: list[tuple[Any, str | None]] = [
                (o.get("next_node_id"), str(o.get("id")))
                for o in node.get("options") or []
                if isinstance(o, dict)
            ]
            links.append((node.get("next_node_id"), None))
            for target, option_id in links:
                if not isinstance(target, str) or target not in self.index or target in seen:
                    continue
                seen.add(target)
                came[target] = (node_id, option_id)
                if _matches(self.index[target], step):
                    way: list[tuple[str, str | None]] = [(target, None)]
                    while way[0][0] != start:
                        way.insert(0, came[way[0][0]])
                    return way
                queue.append(target)
        return None

    def _charted_before(self, step: PathStep) -> bool:
        """The step matches a node the route already passed (or skipped on the way): the
        flow has it earlier than the session did it."""
        if step.kind == "resolution":
            return False
        return any(_matches(self.index[n], step) for n in self.passed | self.visited)

    def _descendants(self, start: str) -> set[str]:
        seen, queue = {start}, deque([start])
        while queue:
            for target in self._next_ids(queue.popleft()):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return seen

    def _comes_back(self, node_id: str, rest: list[PathStep]) -> bool:
        """A later step of the route is this node, and the steps before it are charted
        nowhere past the node: put in before it, they lead back to it."""
        node = self.index[node_id]
        later = next((i for i, s in enumerate(rest) if i and _matches(node, s)), None)
        if later is None:
            return False
        beyond = self._descendants(node_id)
        return not any(_matches(self.index[n], s) for s in rest[:later] for n in beyond)

    def _option(self, node_id: str, option_id: str) -> dict[str, Any]:
        return next(o for o in self.index[node_id]["options"] if str(o.get("id")) == option_id)

    def _fit_yes(self, node_id: str) -> dict[str, Any] | None:
        """The "Yes" of the offline builder's opening "does this flow fit" question: every
        session folded into a proposal fits it."""
        node = self.index[node_id]
        if node_id != self.tree.get("id") or node.get("title") != FIT_QUESTION_TITLE:
            return None
        return next((o for o in node.get("options") or [] if norm(o.get("label")) == "yes"), None)

    def fold(self, path: list[PathStep]) -> None:
        current: str | None = str(self.tree.get("id"))
        came_by: _Slot | None = None  # the link the walk last followed, into `current`
        slot: _Slot | None = None
        position = 0
        budget = 4 * len(path) + MAX_NODES
        while position < len(path) and budget > 0:
            budget -= 1
            step = path[position]
            if slot is not None:
                came_by = slot
                slot, current, stop, consumed = self._place(slot, step)
                position += consumed
                if stop:
                    return
                continue
            if current is None or current not in self.index:
                return
            node = self.index[current]
            if _matches(node, step):
                self.visited.add(current)
                position += 1
                if step.kind == "resolution":
                    return
                if step.kind == "action":
                    came_by = ("next", current, "")
                    target = node.get("next_node_id")
                    if isinstance(target, str) and target in self.index:
                        current = target
                    else:
                        slot = came_by
                    continue
                current, slot, came_by = self._answer(current, step)
                if current is None and slot is None:
                    return
                continue
            way = self._look_ahead(current, step)
            if way is not None:
                # Options on the way are not counted: the session did not answer them.
                self.passed.update(node_id for node_id, _ in way[:-1])
                last, option_id = way[-2]
                came_by = ("retarget", last, option_id) if option_id else ("next", last, "")
                current = way[-1][0]
                continue
            if self._charted_before(step):
                position += 1
                continue
            if came_by is not None and self._comes_back(current, path[position:]):
                # The session did something first that the flow does not chart before this
                # node: it goes in on the way here, and the route comes back to the node.
                slot = came_by
                continue
            if node.get("type") != "decision":
                slot = self._result_branch(came_by, path[position - 1] if position else None)
                if slot is None:
                    return  # an action or a solution has one way on: only counts are kept
                continue
            yes = self._fit_yes(current)
            self.visited.add(current)
            if yes is not None:
                bump(yes)
                current, slot, came_by = self._follow(current, yes)
                continue
            current, slot, came_by = self._take_label(current, NOT_CHECKED, "")
            if current is None and slot is None:
                return
        if slot is not None:
            self._fill(slot, self._uncharted())

    def _result_branch(self, came_by: _Slot | None, done: PathStep | None) -> _Slot | None:
        """After an action that did not fix the problem, the session went another way than
        the flow: a question about that action's result goes in after it ("Yes" keeps the
        flow's way on, "No" leads to the session's route); returns the link to fill."""
        if came_by is None or came_by[0] != "next" or done is None or done.kind != "action":
            return None
        action_id = came_by[1]
        action = self.index[action_id]
        if done.success is not False or not _matches(action, done) or not self._room(3):
            return None
        node_id = self.ids.next("question")
        title = clip(action.get("title"), 100) or NO_ACTION
        question = {
            "id": node_id,
            "type": "decision",
            "title": "Did it fix the problem?",
            "question": f"Did it fix the problem: {title}?",
            "help_text": "Asked after the step because sessions went on differently when it "
            "did not help.",
            "options": [
                {"id": f"{node_id}-o1", "label": "Yes", "next_node_id": action["next_node_id"]},
                {"id": f"{node_id}-o2", "label": "No", "next_node_id": None, "session_count": 1},
            ],
        }
        self._add(question)
        action["next_node_id"] = node_id
        self.visited.add(node_id)
        return ("retarget", node_id, f"{node_id}-o2")

    def _answer(self, node_id: str, step: PathStep) -> _Next:
        option = find_option(self.index[node_id], step.answer)
        if option is not None:
            bump(option)
            return self._follow(node_id, option)
        label = short_label(step.answer) if step.free else clip(step.answer, 200)
        return self._take_label(node_id, label or SOMETHING_ELSE, step.answer)

    def _follow(self, node_id: str, option: dict[str, Any]) -> _Next:
        """(node the option leads to, None, the link) or, where it leads nowhere charted,
        (None, the link to fill, None)."""
        link: _Slot = ("retarget", node_id, str(option.get("id")))
        target = option.get("next_node_id")
        if (
            isinstance(target, str)
            and target in self.index
            and not is_uncharted(self.index[target])
        ):
            return target, None, link
        return None, link, None

    def _take_label(self, node_id: str, label: str, answer: str) -> _Next:
        """Go on by the option with this label, or make room for a new one; (None, None)
        when the decision is full and the answer was set aside for a reviewer."""
        node = self.index[node_id]
        options = node.setdefault("options", [])
        same = next((o for o in options if norm(o.get("label")) == norm(label)), None)
        if same is not None:
            bump(same)
            return self._follow(node_id, same)
        if len(options) < MAX_OPTIONS and self._room(2):
            return None, ("new", node_id, label), None
        catch_all = next((o for o in options if norm(o.get("label")) in _CATCH_ALL), None)
        holder, key = (catch_all, "other_answers") if catch_all else (node, "unplaced_answers")
        if catch_all is not None:
            bump(catch_all)
        kept = short_label(answer) if answer else label
        answers = list(holder.get(key) or [])
        if kept not in answers and len(answers) < MAX_RECORDED_ANSWERS:
            answers.append(kept)
        holder[key] = answers
        return None, None, None

    # --- placing new steps ----------------------------------------------------------------

    def _existing(self, step: PathStep, owner: str) -> str | None:
        """The node that already charts the step and can follow `owner` without a loop."""
        best: tuple[float, int, str] | None = None
        text = _step_text(step)
        for rank, (node_id, node) in enumerate(self.index.items()):
            if not _matches(node, step):
                continue
            score = similarity(text, _node_text(node))
            if score < REJOIN_MATCH:
                continue
            if best is None or (score, -rank) > (best[0], best[1]):
                best = (score, -rank, node_id)
        if best is None:
            return None
        found = best[2]
        if step.kind == "question":
            # A question about an action's result is reached through that action.
            parents = self._parents(found)
            if len(parents) == 1:
                parent = next(iter(parents))
                if self.index[parent].get("type") == "action" and parent not in self.visited:
                    found = parent
        if step.kind != "resolution" and (found == owner or self._reaches(found, owner)):
            return None
        return found

    def _place(self, slot: _Slot, step: PathStep) -> tuple[_Slot | None, str | None, bool, int]:
        """Fill the slot with the node charting the step (re-joined or new); returns the
        next slot, the node the walk is at, whether the route ends here, and whether the
        step was used (1) or is still to be walked from that node (0)."""
        found = self._existing(step, slot[1])
        if found is not None:
            self._fill(slot, found)
            if not _matches(self.index[found], step):
                return None, found, False, 0  # the action a question asks about comes first
            return None, found, False, 0  # walked on from the re-joined node
        if not self._room(2):
            self._fill(slot, self._uncharted())
            return None, None, True, 1
        kind = step.kind if step.kind in ("question", "action") else "resolution"
        node_id = self.ids.next(kind)
        uncharted = self._uncharted() if kind == "question" else ""
        node = step_node(node_id, step, _PENDING if kind != "resolution" else None, uncharted)
        self._add(node)
        self._fill(slot, node_id)
        self.visited.add(node_id)
        if kind == "resolution":
            return None, None, True, 1
        if kind == "action":
            node["next_node_id"] = None
            return ("next", node_id, ""), None, False, 1
        chosen = next(o for o in node["options"] if o.get("next_node_id") == _PENDING)
        chosen["next_node_id"] = None
        return ("retarget", node_id, str(chosen["id"])), None, False, 1

    def _fill(self, slot: _Slot, target: str) -> None:
        kind, owner, detail = slot
        node = self.index[owner]
        if kind == "next":
            node["next_node_id"] = target
        elif kind == "retarget":
            option = self._option(owner, detail)
            option["next_node_id"] = target
        else:
            options = node.setdefault("options", [])
            used = {str(o.get("id")) for o in options}
            number = len(options) + 1
            while f"{owner}-o{number}" in used:
                number += 1
            options.append(
                {
                    "id": f"{owner}-o{number}",
                    "label": detail,
                    "next_node_id": target,
                    "session_count": 1,
                }
            )
        self._drop_unused_uncharted()

    def _drop_unused_uncharted(self) -> None:
        """The not-charted node goes once no option leads to it."""
        unused = [
            node_id
            for node_id, node in self.index.items()
            if is_uncharted(node) and node_id != self.tree.get("id")
            if not references(self.index.values(), node_id)
        ]
        for node_id in unused:
            del self.index[node_id]
            self.tree["children"] = [
                c for c in self.tree.get("children") or [] if c.get("id") != node_id
            ]
