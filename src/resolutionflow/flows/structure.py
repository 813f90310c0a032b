"""The flow structure (`tree_structure`): walking it, normalising it, and the one validator."""

from __future__ import annotations

import copy
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from resolutionflow.errors import Problem

J = TypeVar("J")


def json_copy(value: J) -> J:
    """A deep copy of JSON data (a tree, a node, a fold record): a round trip through orjson,
    many times faster than copy.deepcopy. Data orjson refuses (a lone surrogate a model wrote
    as an escape) is copied by copy.deepcopy instead."""
    try:
        copied: J = orjson.loads(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))
    except orjson.JSONEncodeError:
        return copy.deepcopy(value)
    return copied


NODE_TYPES = ("decision", "action", "solution")
MIN_OPTIONS = 2
MAX_OPTIONS = 5
MAX_NODES = 250
MAX_ID_LEN = 100
MAX_LABEL_LEN = 300
MAX_TITLE_LEN = 500
MAX_TEXT_LEN = 4000
TREE = "tree_structure"

_FIELD_LIMITS = {
    "title": MAX_TITLE_LEN,
    "question": MAX_TITLE_LEN,
    "description": MAX_TEXT_LEN,
    "help_text": MAX_TEXT_LEN,
}


@dataclass(frozen=True)
class Finding:
    """A problem with a machine-readable kind, so callers and tests need not parse messages."""

    kind: str
    location: str
    message: str

    def problem(self) -> Problem:
        return Problem(self.location, self.message)


def valid_id(value: Any) -> str | None:
    """The value as a node or option id, or None when it cannot serve as one."""
    return value if isinstance(value, str) and value.strip() else None


def show(value: Any, limit: int = 60) -> str:
    """A value quoted for a message, cut short so a huge id cannot flood the problem list."""
    text = value if isinstance(value, str) else repr(value)
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _location(node_id: str | None) -> str:
    if node_id is None:
        return TREE
    return node_id if len(node_id) <= MAX_ID_LEN else node_id[:MAX_ID_LEN] + "…"


def iter_nodes(tree: Any) -> Iterator[dict[str, Any]]:
    """Every node that is an object, root first, then `children` in their stored order."""
    if not isinstance(tree, dict):
        return
    yield tree
    children = tree.get("children")
    if isinstance(children, list):
        yield from (child for child in children if isinstance(child, dict))


def node_index(tree: Any) -> dict[str, dict[str, Any]]:
    """id -> node; where an id is used twice the first node keeps it."""
    index: dict[str, dict[str, Any]] = {}
    for node in iter_nodes(tree):
        node_id = valid_id(node.get("id"))
        if node_id is not None and node_id not in index:
            index[node_id] = node
    return index


def edges(tree: Any) -> list[tuple[str, str, str | None]]:
    """(from, to, label) for every option and next_node_id link; label None for next_node_id."""
    out: list[tuple[str, str, str | None]] = []
    for node in iter_nodes(tree):
        source = valid_id(node.get("id"))
        if source is not None:
            out += [(source, target, label) for target, label in links_of(node)]
    return out


def links_of(node: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(target, label) for each link out of one node that names an id, options first."""
    out: list[tuple[str, str | None]] = []
    options = node.get("options")
    for option in options if isinstance(options, list) else []:
        if isinstance(option, dict) and valid_id(option.get("next_node_id")):
            label = option.get("label")
            out.append((option["next_node_id"], label if isinstance(label, str) else None))
    if valid_id(node.get("next_node_id")):
        out.append((node["next_node_id"], None))
    return out


def validate_tree(tree: Any) -> list[Problem]:
    """Every problem with the structure, each located at a node id (or at the whole tree)."""
    return [finding.problem() for finding in find_problems(tree)]


def find_problems(tree: Any) -> list[Finding]:
    """The validator proper: never raises, whatever it is given."""
    if not isinstance(tree, dict):
        return [
            Finding(
                "not_object",
                TREE,
                f"the flow must be an object (its root node), not {_kind_of(tree)}",
            )
        ]
    found: list[Finding] = []
    positioned: list[tuple[str, Any]] = [("the root", tree)]
    children = tree.get("children")
    if isinstance(children, list):
        positioned += [(f"children[{i}]", child) for i, child in enumerate(children)]
    elif children is not None:
        found.append(
            Finding(
                "bad_children", TREE, f"children must be a list of nodes, not {_kind_of(children)}"
            )
        )
    if len(positioned) > MAX_NODES:
        found.append(
            Finding(
                "oversize",
                TREE,
                f"the flow has {len(positioned)} nodes; at most {MAX_NODES} are allowed",
            )
        )
    nodes = _identify(positioned, found)
    known = {node_id for node_id, _ in nodes if node_id is not None}
    for node_id, (position, node) in nodes:
        _check_node(node, node_id, position, position == "the root", known, found)
    _check_graph(tree, nodes, found)
    return found


def _identify(
    positioned: list[tuple[str, Any]], found: list[Finding]
) -> list[tuple[str | None, tuple[str, dict[str, Any]]]]:
    """Each object node with its usable id (or None); reports bad, long and duplicate ids."""
    nodes: list[tuple[str | None, tuple[str, dict[str, Any]]]] = []
    where_used: dict[str, list[str]] = {}
    for position, node in positioned:
        if not isinstance(node, dict):
            found.append(
                Finding("not_object", TREE, f"{position} must be an object, not {_kind_of(node)}")
            )
            continue
        raw = node.get("id")
        node_id = valid_id(raw)
        if node_id is None:
            what = _id_trouble(raw)
            found.append(Finding("missing_id", TREE, f"{position} {what}; every node needs one"))
        else:
            where_used.setdefault(node_id, []).append(position)
            if len(node_id) > MAX_ID_LEN:
                found.append(
                    Finding(
                        "oversize",
                        _location(node_id),
                        f"the id is {len(node_id)} characters long; at most {MAX_ID_LEN}",
                    )
                )
        nodes.append((node_id, (position, node)))
    for node_id, positions in where_used.items():
        if len(positions) > 1:
            found.append(
                Finding(
                    "duplicate_id",
                    _location(node_id),
                    f"the id {show(node_id)} is used by {len(positions)} nodes "
                    f"({', '.join(positions)}); ids must be unique",
                )
            )
    return nodes


def _id_trouble(raw: Any) -> str:
    if raw is None or raw == "":
        return "has no id"
    return "has a blank id" if isinstance(raw, str) else f"has an id that is {_kind_of(raw)}"


def _check_node(
    node: dict[str, Any],
    node_id: str | None,
    position: str,
    is_root: bool,
    known: set[str],
    found: list[Finding],
) -> None:
    where = _location(node_id)
    # Without an id the location cannot say which node, so the message does.
    prefix = "" if node_id is not None else f"{position}: "

    def add(kind: str, message: str, *, prefixed: bool = True) -> None:
        found.append(Finding(kind, where, prefix + message if prefixed else message))

    node_type = node.get("type")
    if is_root and node_type != "decision":
        add(
            "root_not_decision",
            f"the root must be a decision node, not {_type_name(node_type)}",
            prefixed=False,
        )
    elif node_type not in NODE_TYPES:
        if node_type is None:
            add("unknown_type", "the node has no type; use decision, action or solution")
        else:
            add("unknown_type", f"type {show(node_type)} is not one of decision, action, solution")
    for field, limit in _FIELD_LIMITS.items():
        value = node.get(field)
        if value is not None and not isinstance(value, str):
            add("bad_field", f"{field} must be text, not {_kind_of(value)}")
        elif isinstance(value, str) and len(value) > limit:
            add("oversize", f"{field} is {len(value)} characters long; at most {limit}")

    options = node.get("options")
    if options is not None and not isinstance(options, list):
        add("bad_options", f"options must be a list, not {_kind_of(options)}")
        options = []
    options = options or []
    next_id = node.get("next_node_id")
    if node_type == "solution":
        if options:
            add(
                "solution_leads_on",
                f"a solution ends the flow, so it cannot have options (it has {len(options)})",
            )
        if next_id is not None:
            add(
                "solution_leads_on",
                f"a solution ends the flow, so it cannot lead on to {show(next_id)}",
            )
        return
    if node_type == "decision":
        if len(options) < MIN_OPTIONS:
            add(
                "too_few_options",
                f"a decision needs at least {MIN_OPTIONS} options; it has {len(options)}",
            )
        elif len(options) > MAX_OPTIONS:
            add(
                "too_many_options",
                f"a decision offers at most {MAX_OPTIONS} options; it has {len(options)}",
            )
    _check_options(options, known, add)
    if node_type == "action" and (next_id is None or next_id == ""):
        add("action_no_next", "an action must lead on to another node, but next_node_id is empty")
    elif next_id is not None and not isinstance(next_id, str):
        add("bad_link", f"next_node_id must be a node id, not {_kind_of(next_id)}")
    elif isinstance(next_id, str) and next_id and next_id not in known:
        add("dangling", f"next_node_id leads to {show(next_id)}, which does not exist")


def _check_options(options: list[Any], known: set[str], add: Any) -> None:
    ids = Counter(valid_id(o.get("id")) for o in options if isinstance(o, dict))
    for option_id, count in ids.items():
        if option_id is not None and count > 1:
            add(
                "duplicate_option_id",
                f"option id {show(option_id)} is used {count} times on this node",
            )
    for number, option in enumerate(options, start=1):
        if not isinstance(option, dict):
            add("bad_option", f"option {number} must be an object, not {_kind_of(option)}")
            continue
        option_id = valid_id(option.get("id"))
        name = f"option {show(option_id)}" if option_id else f"option {number}"
        if option_id is None:
            add("option_missing_id", f"option {number} has no id")
        elif len(option_id) > MAX_ID_LEN:
            add(
                "oversize", f"{name} has an id of {len(option_id)} characters; at most {MAX_ID_LEN}"
            )
        label = option.get("label")
        if not isinstance(label, str) or not label.strip():
            add("option_missing_label", f"{name} has no label")
        elif len(label) > MAX_LABEL_LEN:
            add(
                "oversize",
                f"{name} has a label of {len(label)} characters; at most {MAX_LABEL_LEN}",
            )
        target = option.get("next_node_id")
        if target is None or target == "":
            add("option_no_target", f"{name} leads nowhere: it has no next_node_id")
        elif not isinstance(target, str):
            add("bad_link", f"{name} has a next_node_id that is {_kind_of(target)}, not a node id")
        elif target not in known:
            add("dangling", f"{name} leads to {show(target)}, which does not exist")


def _type_name(value: Any) -> str:
    return show(value) if isinstance(value, str) else _kind_of(value)


def _check_graph(
    tree: dict[str, Any],
    nodes: list[tuple[str | None, tuple[str, dict[str, Any]]]],
    found: list[Finding],
) -> None:
    """Reachability from the root, then cycles; both over the links that name real nodes."""
    order = list(dict.fromkeys(node_id for node_id, _ in nodes if node_id is not None))
    graph: dict[str, list[str]] = {node_id: [] for node_id in order}
    for source, target, _ in edges(tree):
        if target in graph:
            graph[source].append(target)
    root_id = valid_id(tree.get("id"))
    # A root without an id is already reported; still walk from its links so that one
    # problem does not make every other node look unreachable.
    start = [root_id] if root_id else [t for t, _ in links_of(tree) if t in graph]
    seen = set(start)
    queue = deque(start)
    while queue:
        for target in graph.get(queue.popleft(), []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    for node_id in order:
        if node_id not in seen:
            found.append(
                Finding(
                    "unreachable",
                    _location(node_id),
                    f"node {show(node_id)} cannot be reached from the root: "
                    "no option or next_node_id on a reachable node leads to it",
                )
            )
    rank = {node_id: i for i, node_id in enumerate(order)}
    for component in _cycles(graph, order):
        first = min(component, key=rank.__getitem__)
        path = _cycle_path(graph, first, component)
        found.append(
            Finding(
                "cycle",
                _location(first),
                f"node {show(first)} is on a cycle ({' -> '.join(path)}); a flow must not loop",
            )
        )


def _cycles(graph: dict[str, list[str]], order: list[str]) -> list[set[str]]:
    """Strongly connected components that loop (Tarjan's algorithm, iterative: no recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    for start in order:
        if start in index:
            continue
        work = [(start, 0)]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, i = work[-1]
            targets = graph[node]
            if i < len(targets):
                work[-1] = (node, i + 1)
                target = targets[i]
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    out.append(component)
    return out


def _cycle_path(graph: dict[str, list[str]], first: str, component: set[str]) -> list[str]:
    """One concrete loop from `first` back to itself, for a message a person can follow."""
    came_from: dict[str, str] = {}
    queue = deque([first])
    while queue:
        node = queue.popleft()
        for target in graph[node]:
            if target == first:
                back: list[str] = []
                while node != first:
                    back.append(node)
                    node = came_from[node]
                return [first, *reversed(back), first]
            if target in component and target not in came_from:
                came_from[target] = node
                queue.append(target)
    return [first, first]
