"""Knowledge-base articles (Markdown, HTML) read into blocks and shaped into a proposed flow.

Pure: no database, no HTTP. Common shapes are structured deterministically:
- headings per symptom: a first question "Which of these matches?" with one branch per
  section, each section's steps in order;
- numbered steps: each step asks "did that fix it?", yes ends resolved, no goes on;
- "If <condition>, then <fix>" lines: a chain of yes/no checks.
Anything else is kept whole as a single-solution flow with the article text: never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import nh3
from markdown_it import MarkdownIt
from selectolax.parser import HTMLParser, Node

from resolutionflow.flows.structure import MAX_LABEL_LEN, MAX_TEXT_LEN, MAX_TITLE_LEN
from resolutionflow.text.words import KEYWORD_STOP

IF_THEN = re.compile(r"^\s*if\s+(?P<cond>.+?)(?:,\s*|\s+)then[,:]?\s+(?P<fix>.+)$", re.I | re.S)
MAX_BRANCHES = 5
MAX_STEPS = 40


@dataclass
class Section:
    heading: str | None
    steps: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


@dataclass
class Article:
    title: str
    sections: list[Section]
    plain: str  # the whole text, for the single-solution fallback and the model

    @property
    def shape(self) -> str:
        with_steps = [s for s in self.sections if s.steps or _conditions(s)]
        if len([s for s in with_steps if s.heading]) >= 2:
            return "symptoms"
        checks = sum(len(_conditions(s)) for s in self.sections)
        steps = sum(len(s.steps) for s in self.sections)
        if (checks >= 2 and checks * 2 >= steps) or (checks and not steps):
            return "if_then"
        if any(len(s.steps) >= 2 for s in self.sections):
            return "steps"
        return "unstructured"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _conditions(section: Section) -> list[tuple[str, str]]:
    found = []
    for line in section.steps + section.text:
        match = IF_THEN.match(line)
        if match:
            found.append((_clean(match["cond"]).rstrip("?."), _clean(match["fix"])))
    return found


def _assemble(title: str | None, blocks: list[tuple[str, Any]], fallback_title: str) -> Article:
    """blocks: ("h", (level, text)), ("ol", [items]), ("ul", [items]), ("p", text)."""
    headings = [b for b in blocks if b[0] == "h"]
    top = min((lvl for _, (lvl, _t) in headings), default=0)
    if title is None and headings and top == 1:
        title = headings[0][1][1]
        blocks = [b for b in blocks if b is not headings[0]]
        headings = [b for b in blocks if b[0] == "h"]
        top = min((lvl for _, (lvl, _t) in headings), default=0)
    sections: list[Section] = [Section(None)]
    for kind, value in blocks:
        if kind == "h" and value[0] == top:
            sections.append(Section(value[1]))
        elif kind == "h":
            sections[-1].text.append(value[1])
        elif kind == "ol":
            sections[-1].steps += [_clean(i) for i in value if _clean(i)]
        elif kind == "ul":
            items = [_clean(i) for i in value if _clean(i)]
            # Bullets of "If ..., then ..." lines are checks, like numbered steps.
            if items and all(IF_THEN.match(i) for i in items):
                sections[-1].steps += items
            else:
                sections[-1].text += items
        elif _clean(value):
            sections[-1].text.append(_clean(value))
    sections = [s for s in sections if s.heading or s.steps or s.text]
    plain_parts = []
    for s in sections:
        if s.heading:
            plain_parts.append(s.heading)
        plain_parts += s.text
        plain_parts += [f"{n}. {step}" for n, step in enumerate(s.steps, 1)]
    return Article(
        _clean(title or fallback_title)[:MAX_TITLE_LEN], sections, "\n".join(plain_parts)
    )


def parse_markdown(text: str, fallback_title: str) -> Article:
    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[tuple[str, Any]] = []
    stack: list[tuple[str, list[str]]] = []
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.type in ("ordered_list_open", "bullet_list_open"):
            depth += 1
            if depth == 1:
                stack.append(("ol" if tok.type.startswith("ordered") else "ul", []))
        elif tok.type in ("ordered_list_close", "bullet_list_close"):
            depth -= 1
            if depth == 0 and stack:
                blocks.append(stack.pop())
        elif tok.type == "inline":
            content = _inline_text(tok)
            previous = tokens[i - 1].type if i else ""
            if previous == "heading_open":
                blocks.append(("h", (int(tokens[i - 1].tag[1]), _clean(content))))
            elif depth >= 1 and stack:
                items = stack[-1][1]
                # A paragraph opening a list item starts it; nested text joins the item.
                if tokens[i - 2].type == "list_item_open" and depth == 1:
                    items.append(content)
                elif items:
                    items[-1] += " " + content
                else:
                    items.append(content)
            else:
                blocks.append(("p", content))
        elif tok.type in ("fence", "code_block") and tok.content.strip():
            target = stack[-1][1] if depth and stack and stack[-1][1] else None
            code = tok.content.strip()
            if target is not None:
                target[-1] += f" `{code}`"
            else:
                blocks.append(("p", code))
    return _assemble(None, blocks, fallback_title)


def _inline_text(tok: Any) -> str:
    parts = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content if child.type == "text" else f"`{child.content}`")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def sanitise_html(html: str) -> str:
    """Only structural tags survive: no script, style, event handlers or links to follow."""
    return nh3.clean(
        html,
        tags={
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "p",
            "ol",
            "ul",
            "li",
            "br",
            "pre",
            "code",
            "strong",
            "em",
            "b",
            "i",
            "div",
            "span",
            "table",
            "tr",
            "td",
            "th",
            "tbody",
            "thead",
            "title",
            "blockquote",
        },
        attributes={},
        url_schemes=set(),
    )


def parse_html(html: str, fallback_title: str) -> Article:
    title_node = HTMLParser(html).css_first("title")
    title = _clean(title_node.text()) if title_node is not None else None
    tree = HTMLParser(sanitise_html(html))
    blocks: list[tuple[str, Any]] = []

    def walk(node: Node) -> None:
        for child in node.iter(include_text=False):
            tag = child.tag
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                blocks.append(("h", (int(tag[1]), _clean(child.text()))))
            elif tag in ("ol", "ul"):
                items = [
                    _clean(li.text(separator=" "))
                    for li in child.iter(include_text=False)
                    if li.tag == "li"
                ]
                blocks.append(("ol" if tag == "ol" else "ul", items))
            elif tag in ("p", "pre", "blockquote", "td"):
                blocks.append(("p", _clean(child.text(separator=" "))))
            elif tag == "title":
                continue
            else:
                walk(child)

    root = tree.body or tree.root
    if root is not None:
        walk(root)
    return _assemble(title or None, blocks, fallback_title)


def parse_article(name: str, text: str) -> Article:
    fallback = re.sub(r"[-_]+", " ", name.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip()
    if name.lower().endswith((".html", ".htm")) or text.lstrip().lower().startswith(
        ("<!doctype", "<html")
    ):
        return parse_html(text, fallback or "Untitled article")
    return parse_markdown(text, fallback or "Untitled article")


def keywords(article: Article, limit: int = 8) -> list[str]:
    words = re.findall(r"[a-z0-9][a-z0-9\-]{2,}", article.title.lower())
    out: list[str] = []
    for word in words:
        if word not in KEYWORD_STOP and word not in out:
            out.append(word)
    return out[:limit]


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.count = 0

    def new_id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count}"

    def add(self, node: dict[str, Any]) -> str:
        self.nodes.append(node)
        return str(node["id"])

    def solution(self, title: str, description: str = "") -> str:
        return self.add(
            {
                "id": self.new_id("solution"),
                "type": "solution",
                "title": _cut(title, MAX_TITLE_LEN),
                "description": _cut(description, MAX_TEXT_LEN),
                "options": [],
                "next_node_id": None,
            }
        )

    def yes_no(self, question: str, yes: str, no: str, description: str = "") -> str:
        node_id = self.new_id("check")
        return self.add(
            {
                "id": node_id,
                "type": "decision",
                "title": _cut(question, MAX_TITLE_LEN),
                "question": _cut(question, MAX_TITLE_LEN),
                "description": _cut(description, MAX_TEXT_LEN),
                "next_node_id": None,
                "options": [
                    {"id": f"{node_id}-yes", "label": "Yes", "next_node_id": yes},
                    {"id": f"{node_id}-no", "label": "No", "next_node_id": no},
                ],
            }
        )

    def steps_chain(self, steps: list[str], heading: str, last_no: str) -> str:
        """Step n: "did that fix it?" yes -> resolved, no -> step n+1; the last no -> last_no."""
        steps = steps[:MAX_STEPS]
        nxt = last_no
        for n in range(len(steps), 0, -1):
            step = steps[n - 1]
            done = self.solution(f"Resolved by step {n}: {_cut(step, 200)}", step)
            nxt = self.yes_no(f"Step {n}: {_cut(step, 400)} Did that fix it?", done, nxt, step)
        return nxt

    def checks_chain(self, checks: list[tuple[str, str]], last_no: str) -> str:
        nxt = last_no
        for cond, fix in reversed(checks[:MAX_STEPS]):
            fixed = self.solution(_cut(fix, MAX_TITLE_LEN), fix)
            nxt = self.yes_no(f"Is it so that {cond}?", fixed, nxt)
        return nxt


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _root(builder: _Builder, first_id: str) -> dict[str, Any]:
    """The flow's root is the first decision; it comes out of `children`."""
    root = next(n for n in builder.nodes if n["id"] == first_id)
    builder.nodes.remove(root)
    root = {**root, "help_text": root.pop("description", "")}
    # Built from the end backwards; reversed, the nodes read in the article's order.
    root["children"] = builder.nodes[::-1]
    return root


def structure(article: Article) -> dict[str, Any]:
    """The proposed flow {title, description, match_keywords, problem_domain, tree_structure}."""
    b = _Builder()
    shape = article.shape
    escalate = b.solution(
        "Not covered by the article: escalate",
        f"The steps of '{article.title}' did not resolve it.",
    )
    if shape == "symptoms":
        branches = [s for s in article.sections if s.heading and (s.steps or _conditions(s))]
        targets: dict[int, str] = {}
        rest = branches[: MAX_BRANCHES - 1] if len(branches) > MAX_BRANCHES else branches
        for index in range(len(rest) - 1, -1, -1):
            section = rest[index]
            checks = _conditions(section)
            if checks and len(checks) >= len(section.steps) / 2:
                first = b.checks_chain(checks, escalate)
            else:
                first = b.steps_chain(section.steps, section.heading or "", escalate)
            targets[index] = first
        options = [(section.heading or "Other", targets[i]) for i, section in enumerate(rest)]
        if len(branches) > MAX_BRANCHES:
            options.append(("None of these", escalate))
        root_id = "root"
        b.add(
            {
                "id": root_id,
                "type": "decision",
                "title": "Which symptom matches?",
                "question": "Which symptom matches?",
                "description": article.title,
                "next_node_id": None,
                "options": [
                    {"id": f"root-{i}", "label": _cut(label, MAX_LABEL_LEN), "next_node_id": target}
                    for i, (label, target) in enumerate(options)
                ],
            }
        )
        tree = _root(b, root_id)
    elif shape == "if_then":
        checks = [c for s in article.sections for c in _conditions(s)]
        tree = _root(b, b.checks_chain(checks, escalate))
    elif shape == "steps":
        steps = [step for s in article.sections for step in s.steps]
        tree = _root(b, b.steps_chain(steps, article.title, escalate))
    else:
        whole = b.solution(article.title, article.plain)
        root_id = b.yes_no(f"Does this match: {article.title}?", whole, escalate, article.plain)
        tree = _root(b, root_id)
    description = next((t for s in article.sections for t in s.text), article.title)
    return {
        "title": article.title,
        "description": _cut(
            f"From the knowledge-base article '{article.title}'. {description}", MAX_TEXT_LEN
        ),
        "match_keywords": keywords(article),
        "problem_domain": None,
        "tree_structure": tree,
        "shape": shape,
    }
