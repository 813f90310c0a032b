"""Charting a session's route as flow nodes, walking a flow along a session, and folding the
session's route into a proposed flow.

The same pieces serve the offline flow builder (a whole session becomes a flow), the
offline enhancement (the part of a session a flow does not cover becomes new nodes) and the
merge of similar proposals (`fold_session_into_flow`). All pure and deterministic.

Steps are compared by their normalised text (`step_key` in `resolutionflow.text.steps`: lower
case, punctuation and stop words dropped, each word stemmed), so "Did syncing resume after the
reset?" and "did sync resume after reset" are one step, and folding many sessions of one
problem yields one node per distinct step rather than one per session. A proposal takes in
its sessions in whatever order the workers place them, so a proposal's tree is built again
on each merge from the tree it started with and the distinct routes folded since, in one fixed
order (`refold`, `fold_routes`): the same sessions give the same flow whichever came first. The
rules of a single fold (`fold_session_into_flow` lists them) keep the flow the same for
sessions that agree on their steps' order even when folded one by one.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from resolutionflow.flows.structure import (
    MAX_NODES,
    MAX_OPTIONS,
    MIN_OPTIONS,
    find_problems,
    json_copy,
    node_index,
)
from resolutionflow.sessions.transcript import PathStep, diagnostic_path, session_payload
from resolutionflow.text.steps import (
    clip,
    clip_text,
    norm,
    short_label,
    similarity,
    step_key,
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


def decision_node(
    node_id: str, step: PathStep, next_id: str, uncharted_id: str, sessions: int = 1
) -> dict[str, Any]:
    """A question as a decision: the presented options plus the answer given (2-5 options);
    the answer leads on (taken by `sessions` sessions), the options nobody took go to the
    not-charted route."""
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
            option.update(next_node_id=next_id, session_count=sessions)
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
    node_id: str, step: PathStep, next_id: str | None, uncharted_id: str, sessions: int = 1
) -> dict[str, Any]:
    """The node for one route step: a decision, an action or the closing solution."""
    if step.kind == "question":
        assert next_id is not None
        return decision_node(node_id, step, next_id, uncharted_id, sessions)
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
    node in hand, or one further on that the session reached by skipping some) is followed;
    an option counts one more session ("session_count") only when the session answered it,
    so nothing is counted on the nodes it skipped, nor on "Not checked", and every session
    counts once on the "Yes" of the builder's opening "does this flow fit" question. A step
    the flow charts before where the session is (the same step done in another order) adds
    nothing. Where the session goes somewhere new:

    - its new answer becomes an option that leads on to the rest of its route;
    - a step the flow charts before the node in hand (the node is reached from it) is
      taken there: the link the walk came by is moved to it, so the routes that came this
      way still reach the node;
    - a step charted nowhere on the way goes in before the node in hand when the node is a
      solution, when the session comes to the node (or one the flow has before it) later,
      or, where no session has shown the order, when it sorts first (questions before
      actions, then by wording); a question put in before a node gets a "Not checked"
      option leading to it, for the sessions that came this way without asking it;
    - otherwise the session passes the node: an action by its way on, a decision by its
      "Not checked" option, added when there is none.

    A "Not checked" option goes again once the node it leads to is reached by the
    decision's other options, since a session that skips the question is then walked past
    it anyway. Each step of a new route re-joins the node that already charts it anywhere
    in the flow (when that makes no loop), and only steps charted nowhere become new nodes,
    so the flow grows by distinct steps, not by sessions. An action is always an action
    node, never an option's label; a question that asks about an action's result (its one
    way in is from that action, and it names it) is reached through that action; every new
    route ends in a solution. These rules make the result independent of the order
    sessions arrive in as long as no order has to be guessed and no two fixes compete for
    one place (tests/flows/test_fold_merging.py, `consistent_session`, says why not beyond).

    A decision that already has 5 options cannot gain one (nor can a flow at its size
    limit): the session is counted on the node's catch-all option ("Something else", "None
    of these", "Other") with its answer listed there under "other_answers", or, without
    one, the answer is listed under the node's "unplaced_answers" for a reviewer to place.
    Where the rest of the route asks nothing and ends in another fix than the one the flow
    reaches from here (the flow cannot tell the two apart), a failed action just done gets
    a question about its result ("No" leads to the session's route); without one, only what
    the session followed is counted. A session whose id is already listed under the root's
    "folded_session_ids" changes nothing.
    """
    session_id = str(session.get("id") or "")
    folded = list(tree.get(FOLDED_IDS_KEY) or [])
    if session_id and session_id in folded:
        return copy.deepcopy(tree)
    # A route that cannot be charted soundly (never expected) is left out, not forced.
    out = _fold_in_order(tree, [(diagnostic_path(session_payload(session)), 1)])[0]
    if session_id:
        out[FOLDED_IDS_KEY] = [*folded, session_id]
    return out


_STEP_FIELDS = tuple(f.name for f in fields(PathStep))


def route_record(path: list[PathStep]) -> list[dict[str, Any]]:
    """A route as JSON, to keep beside a proposal and fold again later."""
    out = []
    for step in path:
        values = {name: getattr(step, name) for name in _STEP_FIELDS}
        values["options"], values["notes"] = list(step.options), list(step.notes)
        out.append(values)
    return out


def route_from_record(steps: list[dict[str, Any]]) -> list[PathStep]:
    """The route a `route_record` kept."""
    out = []
    for step in steps:
        values = {k: v for k, v in step.items() if k in _STEP_FIELDS}
        values["options"] = tuple(values.get("options") or ())
        values["notes"] = tuple(values.get("notes") or ())
        out.append(PathStep(**values))
    return out


def _route_key(steps: list[dict[str, Any]]) -> tuple[int, str]:
    """The fixed order routes are folded in: longer routes first (the fullest procedure is
    charted first and shorter ones fold in as its shortcuts), then by content. The order does
    not depend on how many sessions took a route, so one more session on a known route only
    adds its counts."""
    return -len(steps), json.dumps(steps, sort_keys=True, ensure_ascii=False)


def _counts(tree: dict[str, Any]) -> dict[str, int]:
    """Each option's session count, keyed "node id/option id"."""
    out: dict[str, int] = {}
    for node_id, node in node_index(tree).items():
        for option in node.get("options") or []:
            count = option.get("session_count") if isinstance(option, dict) else None
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                out[f"{node_id}/{option.get('id')}"] = count
    return out


def _fold_one(tree: dict[str, Any], path: list[PathStep], sessions: int) -> dict[str, int]:
    """Fold one route in place; returns what each option gained per session."""
    before = _counts(tree)
    _Folder(tree, sessions).fold(path)
    gained = {}
    for key, count in _counts(tree).items():
        delta = count - before.get(key, 0)
        if delta > 0:
            gained[key] = delta // sessions
    return gained


def _add_counts(tree: dict[str, Any], gained: dict[str, int], sessions: int) -> None:
    index = node_index(tree)
    for key, per_session in gained.items():
        node_id, option_id = key.split("/", 1)
        for option in (index.get(node_id) or {}).get("options") or []:
            if isinstance(option, dict) and str(option.get("id")) == option_id:
                bump(option, per_session * sessions)


def _fold_in_order(
    base: dict[str, Any], routes: list[tuple[list[PathStep], int]]
) -> tuple[dict[str, Any], list[dict[str, int] | None]]:
    """The base with the routes folded in the order given; with, per route, what each option
    gained per session (None for a route left out because it cannot be charted soundly)."""
    out = json_copy(base)
    gains: list[dict[str, int] | None] = [_fold_one(out, path, n) for path, n in routes]
    if not find_problems(out) or find_problems(base):
        return out, gains
    # Some route cannot be charted soundly (never expected): fold them one by one and leave
    # out those that break the tree.
    out, gains = json_copy(base), []
    for path, sessions in routes:
        trial = json_copy(out)
        gained = _fold_one(trial, path, sessions)
        sound = not find_problems(trial)
        gains.append(gained if sound else None)
        out = trial if sound else out
    return out, gains


def fold_routes(base: dict[str, Any], routes: list[tuple[list[PathStep], int]]) -> dict[str, Any]:
    """The tree with every route folded in, each counted as many times as sessions took it,
    in one fixed order (`_route_key`), so the result is the same whatever order the routes
    are given in. A route that cannot be charted soundly is left out, as
    `fold_session_into_flow` leaves it out. The input is left untouched."""
    ordered = sorted(routes, key=lambda r: _route_key(route_record(r[0])))
    return _fold_in_order(base, ordered)[0]


def refold(
    tree: dict[str, Any], record: dict[str, Any] | None, session: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A proposal's tree with one more session folded in, and the record to keep for the next.

    The record holds the tree the proposal started with ("base") and the distinct routes
    folded into it so far, in `fold_routes`' fixed order, each with how many sessions took it
    and what each option gained per session when it was folded. The tree is
    always the base with every route folded in that order (`fold_routes`), so it does not
    depend on the order the sessions came in, node ids and counts included. It is built
    again only when the new session's route is new and does not come last in that order:
    one more session on a known route only adds that route's counts, and a new route that
    comes last folds into the tree as it stands. Without a record (a proposal from before
    records were kept) the tree as it stands is the base. A session already folded (listed
    under the tree's "folded_session_ids") changes nothing."""
    if record is None or not isinstance(record.get("base"), dict):
        record = {"base": json_copy(tree), "routes": []}
    base = record["base"]
    routes = [dict(r) for r in record.get("routes") or [] if isinstance(r, dict)]
    session_id = str(session.get("id") or "")
    before = [str(i) for i in base.get(FOLDED_IDS_KEY) or []]
    known = {str(i) for i in tree.get(FOLDED_IDS_KEY) or []}
    if session_id and session_id in known:
        return tree, record
    steps = route_record(diagnostic_path(session_payload(session)))
    same = next((r for r in routes if r.get("steps") == steps), None)
    folded: dict[str, Any] | None = None
    if same is not None:
        same["sessions"] = int(same.get("sessions") or 0) + 1
        if "gained" in same:  # None: the route was left out, and still is
            folded = json_copy(tree)
            _add_counts(folded, same.get("gained") or {}, 1)
    else:
        added: dict[str, Any] = {"steps": steps, "sessions": 1}
        # The routes are kept in folding order: is the new one last?
        if not routes or _route_key(routes[-1].get("steps") or []) < _route_key(steps):
            trial = json_copy(tree)
            gained = _fold_one(trial, route_from_record(steps), 1)
            if not find_problems(trial) or find_problems(base):
                folded, added["gained"] = trial, gained
        routes.append(added)
        routes.sort(key=lambda r: _route_key(r.get("steps") or []))
    if folded is None:
        folded, gains = _fold_in_order(
            base,
            [
                (route_from_record(r.get("steps") or []), int(r.get("sessions") or 0))
                for r in routes
            ],
        )
        for route, gain in zip(routes, gains, strict=True):
            route["gained"] = gain
    # The base's sessions first, then every session folded since, sorted (not by arrival).
    since = (known - set(before)) | ({session_id} if session_id else set())
    folded[FOLDED_IDS_KEY] = [*before, *sorted(since)]
    return folded, {"base": base, "routes": routes}


def bump(option: dict[str, Any], sessions: int = 1) -> None:
    """More sessions took this option (a count a model wrote as nonsense restarts at 0)."""
    count = option.get("session_count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        count = 0
    option["session_count"] = count + sessions


# A link the walk came by or still has to make: ("new", decision id, label) adds an option,
# ("retarget", decision id, option id) is an existing option, ("next", action id, "") is an
# action's way on.
_Slot = tuple[str, str, str]
_PENDING = "\x00pending"
# Where a walk goes on: (the node it is at, or None when the link still leads nowhere; the
# link it came by, or None at the root or after looking ahead).
_At = tuple[str | None, _Slot | None]
# One turn of the walk: where it goes on (as `_At`), how many steps of the route it used,
# and whether the route ends there.
_Move = tuple[str | None, _Slot | None, int, bool]
_KIND_ORDER = {"question": 0, "decision": 0, "action": 1}


def _order_key(kind: str, text: str) -> tuple[int, tuple[str, ...]]:
    """Where no session has shown which of two steps comes first, the one with the lower key
    goes first: questions before actions (ask, then act), then by normalised wording. Any
    fixed rule would do; a fixed one makes the flow the same whichever session came first."""
    return _KIND_ORDER.get(kind, 2), tuple(sorted(step_key(text)))


class _Folder:
    """One session's route folded into a tree in place (the caller passes a copy).

    The rules are chosen so that the result does not depend on the order sessions arrive in:
    an option is counted only when a session answered it; a node the session did not do is
    passed without a trace where the flow leads on to its next step (an action by its way
    on, a decision by any option); only where nothing leads on does a decision gain a "Not
    checked" option, and that option goes again once the step it leads to is reachable by
    the decision's other options. A link that already leads somewhere is only moved to a
    node from which its old target is still reached, so no earlier session's route is cut.
    """

    def __init__(self, tree: dict[str, Any], sessions: int = 1) -> None:
        self.tree = tree
        self.sessions = sessions  # how many sessions took the route: what each count gains
        self.index = node_index(tree)
        self.ids = IdMaker(self.index)
        self.visited: set[str] = set()

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

    def _target(self, node_id: Any) -> str | None:
        """The node a link leads to, or None where it leads nowhere charted."""
        if isinstance(node_id, str) and node_id in self.index:
            return None if is_uncharted(self.index[node_id]) else node_id
        return None

    def _option(self, node_id: str, option_id: str) -> dict[str, Any]:
        return next(o for o in self.index[node_id]["options"] if str(o.get("id")) == option_id)

    def _not_checked(self, node_id: str) -> dict[str, Any] | None:
        options = self.index[node_id].get("options") or []
        return next((o for o in options if norm(o.get("label")) == norm(NOT_CHECKED)), None)

    # --- walking --------------------------------------------------------------------------

    def _ahead(self, start: str, step: PathStep) -> str | None:
        """The nearest node further on that charts the step: the session skipped the ones
        between (nothing is counted on the way: it answered none of them)."""
        seen, queue = {start}, deque(self._next_ids(start))
        while queue:
            node_id = queue.popleft()
            if node_id in seen:
                continue
            seen.add(node_id)
            if _matches(self.index[node_id], step):
                return node_id
            queue.extend(self._next_ids(node_id))
        return None

    def _charting(self, step: PathStep) -> str | None:
        """The node anywhere in the flow that charts the step best (the first in the flow's
        order on a tie), close enough to re-join."""
        best: tuple[float, str] | None = None
        text = _step_text(step)
        for node_id, node in self.index.items():
            if _matches(node, step):
                score = similarity(text, _node_text(node))
                if score >= REJOIN_MATCH and (best is None or score > best[0]):
                    best = (score, node_id)
        return best[1] if best else None

    def _fit_yes(self, node_id: str) -> dict[str, Any] | None:
        """The "Yes" of the offline builder's opening "does this flow fit" question: every
        session folded into a proposal fits it, so every one is counted there."""
        node = self.index[node_id]
        if node_id != self.tree.get("id") or node.get("title") != FIT_QUESTION_TITLE:
            return None
        return next((o for o in node.get("options") or [] if norm(o.get("label")) == "yes"), None)

    def fold(self, path: list[PathStep]) -> None:
        self.visited = set()
        self._walk(path)
        self._tidy()

    def _walk(self, path: list[PathStep]) -> None:
        current: str | None = str(self.tree.get("id"))
        link: _Slot | None = None
        position = 0
        budget = 4 * len(path) + 2 * MAX_NODES  # a guard: each turn uses a step or moves on
        while position < len(path) and budget > 0:
            budget -= 1
            step = path[position]
            if current is None or current not in self.index or is_uncharted(self.index[current]):
                if link is None:
                    return
                current, link, used, done = self._place(link, step)
            else:
                current, link, used, done = self._at(current, link, path, position)
            position += used
            if done:
                return
        if current is None and link is not None:
            self._fill(link, self._uncharted())

    def _at(self, node_id: str, link: _Slot | None, path: list[PathStep], position: int) -> _Move:
        """One turn of the walk at a charted node: the step is done here, further on, before
        here, or goes in here; returns where the walk goes on (see `_Move`)."""
        step, node = path[position], self.index[node_id]
        if _matches(node, step):
            self.visited.add(node_id)
            if step.kind == "resolution":
                return None, None, 1, True
            if step.kind == "action":
                return self._target(node.get("next_node_id")), ("next", node_id, ""), 1, False
            current, way = self._answer(node_id, step)
            return current, way, 1, way is None  # None: a full decision set the answer aside
        yes = self._fit_yes(node_id)
        if yes is not None:
            return *self._follow(node_id, yes), 0, False
        ahead = self._ahead(node_id, step)
        if ahead is not None:
            return ahead, None, 0, False
        earlier = self._charted_before(node_id, link, step)
        if earlier is not None:
            return earlier
        kind = node.get("type")
        if kind != "decision" and self._dead_end(node_id, path[position:]):
            branch = self._result_branch(link, path[position - 1] if position else None)
            return None, branch, 0, branch is None  # without one, only what it followed counts
        rest = path[position + 1 :]
        if step.kind != "resolution" and link and self._goes_before(node_id, step, rest):
            inserted = self._insert_before(node_id, link, step)
            if inserted is not None:
                return inserted
        if kind == "action":
            return self._target(node.get("next_node_id")), ("next", node_id, ""), 0, False
        passed = self._pass(node_id) if kind == "decision" else None
        if passed is None:
            return None, None, 0, True  # no room to chart the rest of the route here
        return *passed, 0, False

    def _charted_before(self, node_id: str, link: _Slot | None, step: PathStep) -> _Move | None:
        """Where the flow charts the step before this node (the node is reached from it), the
        link the walk came by now leads to the step's node: the session takes it, and the
        routes that came this way still reach this node. Where that would make a loop the
        session did the step later than the flow has it, and the step adds nothing."""
        found = self._charting(step)
        if found is None or step.kind == "resolution" or not self._reaches(found, node_id):
            return None
        if link is not None and found != link[1] and not self._reaches(found, link[1]):
            found = self._through_action(found)
            self._fill(link, found)
            return found, None, 0, False
        return node_id, link, 1, False

    def _dead_end(self, node_id: str, rest: list[PathStep]) -> bool:
        """The rest of the route cannot be charted from this node on: it asks nothing (a
        question of its own could tell it apart), its fix is charted nowhere further on, and
        the way on of a session that skips what it did not do ends at another solution."""
        if any(s.kind == "question" for s in rest) or rest[-1].kind != "resolution":
            return False
        if self._ahead(node_id, rest[-1]) is not None:
            return False
        seen: set[str] = set()
        current: str | None = node_id
        while current is not None and current not in seen:
            seen.add(current)
            node = self.index[current]
            if node.get("type") == "solution":
                return not _matches(node, rest[-1])
            if node.get("type") == "decision":
                option = self._not_checked(current)
                if option is None:
                    return False
                current = self._target(option.get("next_node_id"))
            else:
                current = self._target(node.get("next_node_id"))
        return False

    def _goes_before(self, node_id: str, step: PathStep, rest: list[PathStep]) -> bool:
        """A step charted nowhere before this node goes in before it rather than further on:
        before a solution (a fix ends the route), before a node the session comes to later
        (or one the flow has before it), and where no session has shown the order, when
        `_order_key` puts it first."""
        node = self.index[node_id]
        if node.get("type") == "solution":
            return True
        for later in rest:
            found = self._charting(later)
            if found is not None and (found == node_id or self._reaches(found, node_id)):
                return True
        return _order_key(step.kind, _step_text(step)) < _order_key(
            str(node.get("type")), _node_text(node)
        )

    def _insert_before(self, node_id: str, link: _Slot, step: PathStep) -> _Move | None:
        """The step on the link into `node_id`, leading on to that node: a step charted
        elsewhere is re-joined (see `_join_before`); a new action leads on to the node; a new
        question's answer leads on to the session's route and its "Not checked" option to
        the node, for the sessions that came this way without asking it. None where the step
        cannot go in here."""
        found = self._charting(step)
        if found is not None:
            joined = self._join_before(found, node_id, link)
            if joined is not None or self.index[node_id].get("type") != "solution":
                return joined
        if not self._room(2):
            return None
        new_id = self.ids.next(step.kind)
        if step.kind == "action":
            self._add(step_node(new_id, step, node_id, "", self.sessions))
            self._fill(link, new_id)
            self.visited.add(new_id)
            return node_id, ("next", new_id, ""), 1, False
        node = step_node(new_id, step, _PENDING, self._uncharted(), self.sessions)
        options = node["options"]
        if len(options) >= MAX_OPTIONS:
            return None
        options.append(
            {"id": f"{new_id}-o{len(options) + 1}", "label": NOT_CHECKED, "next_node_id": node_id}
        )
        chosen = next(o for o in options if o.get("next_node_id") == _PENDING)
        chosen["next_node_id"] = None
        self._add(node)
        self._fill(link, new_id)
        self.visited.add(new_id)
        return None, ("retarget", new_id, str(chosen["id"])), 1, False

    def _join_before(self, found: str, node_id: str, link: _Slot) -> _Move | None:
        """A step charted elsewhere put before `node_id`: the link leads to its node, and
        where the way on of a session that skips everything from there (actions' next
        steps, decisions' "Not checked" options) first meets a decision without a "Not
        checked" option, that decision gains one leading to `node_id`."""
        found = self._through_action(found)
        if found == link[1] or self._reaches(found, link[1]):
            return None
        current: str | None = found
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            node = self.index[current]
            if node.get("type") == "action":
                current = self._target(node.get("next_node_id"))
                continue
            if node.get("type") != "decision":
                return None
            option = self._not_checked(current)
            if option is not None:
                current = self._target(option.get("next_node_id"))
                continue
            if len(node.get("options") or []) >= MAX_OPTIONS or self._reaches(node_id, current):
                return None
            self._fill(("new", current, NOT_CHECKED), node_id)
            self._fill(link, found)
            return found, None, 0, False
        return None

    def _pass(self, node_id: str) -> _At | None:
        """Past a decision the session did not answer: by its "Not checked" option, added
        when there is none (and room for one)."""
        option = self._not_checked(node_id)
        if option is not None:
            return self._follow(node_id, option, count=False)
        if len(self.index[node_id].get("options") or []) < MAX_OPTIONS and self._room(2):
            return None, ("new", node_id, NOT_CHECKED)
        return None

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
                {
                    "id": f"{node_id}-o2",
                    "label": "No",
                    "next_node_id": None,
                    "session_count": self.sessions,
                },
            ],
        }
        self._add(question)
        action["next_node_id"] = node_id
        self.visited.add(node_id)
        return ("retarget", node_id, f"{node_id}-o2")

    def _answer(self, node_id: str, step: PathStep) -> _At:
        option = find_option(self.index[node_id], step.answer)
        if option is not None:
            return self._follow(node_id, option)
        label = short_label(step.answer) if step.free else clip(step.answer, 200)
        return self._take_label(node_id, label or SOMETHING_ELSE, step.answer)

    def _follow(self, node_id: str, option: dict[str, Any], count: bool = True) -> _At:
        if count:
            bump(option, self.sessions)
        return self._target(option.get("next_node_id")), ("retarget", node_id, str(option["id"]))

    def _take_label(self, node_id: str, label: str, answer: str) -> _At:
        """Go on by the option with this label, or make room for a new one; (None, None)
        when the decision is full and the answer was set aside for a reviewer."""
        node = self.index[node_id]
        options = node.setdefault("options", [])
        same = next((o for o in options if norm(o.get("label")) == norm(label)), None)
        if same is not None:
            return self._follow(node_id, same)
        if len(options) < MAX_OPTIONS and self._room(2):
            return None, ("new", node_id, label)
        catch_all = next((o for o in options if norm(o.get("label")) in _CATCH_ALL), None)
        holder, key = (catch_all, "other_answers") if catch_all else (node, "unplaced_answers")
        if catch_all is not None:
            bump(catch_all, self.sessions)
        kept = short_label(answer) if answer else label
        answers = list(holder.get(key) or [])
        if kept not in answers and len(answers) < MAX_RECORDED_ANSWERS:
            answers.append(kept)
        holder[key] = answers
        return None, None

    # --- placing new steps ----------------------------------------------------------------

    def _existing(self, step: PathStep, owner: str) -> tuple[str | None, bool]:
        """The node that already charts the step, and whether following `owner` with it
        would make a loop (the flow has the step before `owner`)."""
        found = self._charting(step)
        if found is None:
            return None, False
        found = self._through_action(found)
        if step.kind != "resolution" and (found == owner or self._reaches(found, owner)):
            return found, True
        return found, False

    def _through_action(self, node_id: str) -> str:
        """A question about an action's result (its one way in is from that action, and it
        names what the action did) is reached through that action, unless the session
        already did it."""
        node = self.index[node_id]
        if node.get("type") != "decision":
            return node_id
        parents = self._parents(node_id)
        if len(parents) == 1:
            parent = next(iter(parents))
            action = self.index[parent]
            if (
                action.get("type") == "action"
                and parent not in self.visited
                and step_key(_node_text(node)) & step_key(_node_text(action))
            ):
                return parent
        return node_id

    def _place(self, slot: _Slot, step: PathStep) -> _Move:
        """Fill a link that leads nowhere yet with the node charting the step (re-joined or
        new); returns the node the walk is at, the link to fill next, whether the step was
        used (1) or is still to be walked from that node (0), and whether the route ends."""
        found, loops = self._existing(step, slot[1])
        if loops:
            return None, slot, 1, False  # the flow has it earlier than the session did it
        if found is not None:
            self._fill(slot, found)
            return found, None, 0, False  # walked on from the re-joined node
        if not self._room(2):
            self._fill(slot, self._uncharted())
            return None, None, 1, True
        kind = step.kind if step.kind in ("question", "action") else "resolution"
        node_id = self.ids.next(kind)
        uncharted = self._uncharted() if kind == "question" else ""
        node = step_node(
            node_id, step, _PENDING if kind != "resolution" else None, uncharted, self.sessions
        )
        self._add(node)
        self._fill(slot, node_id)
        self.visited.add(node_id)
        if kind == "resolution":
            return None, None, 1, True
        if kind == "action":
            node["next_node_id"] = None
            return None, ("next", node_id, ""), 1, False
        chosen = next(o for o in node["options"] if o.get("next_node_id") == _PENDING)
        chosen["next_node_id"] = None
        return None, ("retarget", node_id, str(chosen["id"])), 1, False

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
            option = {"id": f"{owner}-o{number}", "label": detail, "next_node_id": target}
            if detail != NOT_CHECKED:
                # nobody answers "Not checked": it is not counted
                option["session_count"] = self.sessions
            options.append(option)
        self._drop_unused_uncharted()

    # --- tidying --------------------------------------------------------------------------

    def _tidy(self) -> None:
        """A "Not checked" option goes once its node is reached by the decision's other
        options: a session that skips the question is then walked past it anyway, and
        whether the option is there must not depend on which session came first."""
        for node_id, node in list(self.index.items()):
            option = self._not_checked(node_id) if node.get("type") == "decision" else None
            if option is None or len(node.get("options") or []) <= MIN_OPTIONS:
                continue
            target = option.get("next_node_id")
            others = [o for o in node["options"] if o is not option]
            if isinstance(target, str) and any(
                self._reaches(str(o.get("next_node_id")), target)
                for o in others
                if isinstance(o.get("next_node_id"), str) and o.get("next_node_id") in self.index
            ):
                node["options"] = others
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
