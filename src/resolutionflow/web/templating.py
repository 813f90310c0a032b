"""The Jinja2 environment of the web pages and the small formatting filters they share."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from jinja2 import Undefined
from markupsafe import Markup

from resolutionflow.vocabulary import DOMAIN_NAMES
from resolutionflow.web.diagram import render_flow_svg

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
env = templates.env

TYPE_NAMES = {
    "new_flow": "New flow",
    "enhancement": "Enhancement",
    "branch_addition": "Branch addition",
    "auto_reinforced": "Reinforcement",
}
OTHER_NAMES = {
    "ai_generated": "AI generated",
    "ai_enhanced": "AI enhanced",
    "psa": "PSA",
    "connectwise": "ConnectWise",
    "autotask": "Autotask",
    "halo": "HaloPSA",
    "powershell": "PowerShell",
    "bash": "Bash",
}


def humanise(value: Any) -> str:
    """A code such as 'requesting_escalation' as words people read."""
    if value is None or value == "":
        return "—"
    text = str(value)
    return (
        DOMAIN_NAMES.get(text)
        or TYPE_NAMES.get(text)
        or OTHER_NAMES.get(text)
        or text.replace("_", " ").capitalize()
    )


def age(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, coarse: '5 min ago', '3 h ago', '2 days ago'."""
    if value is None:
        return "—"
    now = now or datetime.now(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    seconds = max(0, int((now - value).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''} ago"
    return value.strftime("%d %b %Y")


def when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


def percent(value: Any, digits: int = 0) -> str:
    """A 0..1 rate as a percentage; '—' when unknown. Small non-zero rates keep one decimal."""
    if value is None or isinstance(value, Undefined):
        return "—"
    try:
        number = float(value) * 100
    except (TypeError, ValueError):
        return "—"
    if digits == 0 and 0 < abs(number) < 10 and round(number) != number:
        return f"{number:.1f}%"
    return f"{number:.{digits}f}%"


def number(value: Any, digits: int = 1) -> str:
    """A figure rounded for reading: integers stay whole, others keep `digits` decimals."""
    if value is None or isinstance(value, Undefined):
        return "—"
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        return str(value)
    if as_float.is_integer():
        return f"{int(as_float):,}"
    return f"{as_float:,.{digits}f}"


def minutes(value: Any) -> str:
    if value is None or isinstance(value, Undefined):
        return "—"
    try:
        total = float(value)
    except (TypeError, ValueError):
        return "—"
    if total < 90:
        return f"{total:.0f} min"
    return f"{total / 60:.1f} h"


def query(params: dict[str, Any], **changes: Any) -> str:
    """The query string of `params` with `changes` applied; empty values are dropped."""
    merged = {**params, **changes}
    clean = {k: v for k, v in merged.items() if v not in (None, "", [])}
    return urlencode(clean, doseq=True)


def choices(values: Any) -> list[tuple[str, str]]:
    """(value, readable name) pairs for a select."""
    return [(str(v), humanise(v)) for v in values]


def problem_map(problems: Any) -> dict[str, list[str]]:
    """Problems grouped by node id, for markers on a diagram."""
    out: dict[str, list[str]] = {}
    for problem in problems or []:
        out.setdefault(problem.location, []).append(problem.message)
    return out


def gap_title(gap: Any) -> str:
    """A gap's headline as a sentence people read ('Microsoft 365 problems solved without a
    flow'), from its type and evidence; the stored title when the type is unknown."""
    kind = getattr(gap, "gap_type", "")
    domain = getattr(gap, "domain", None)
    evidence = getattr(gap, "evidence", None) or {}
    area = DOMAIN_NAMES.get(domain or "", "")
    if kind == "uncharted_territory":
        return (
            f"{area} problems solved without a flow"
            if area
            else ("Problems with no domain solved without a flow")
        )
    if kind == "high_escalation":
        return f"{area} sessions often escalate" if area else "Unsorted sessions often escalate"
    if kind == "weak_options":
        question = str(evidence.get("context_message") or "").strip()
        if question:
            short = question if len(question) <= 80 else question[:79] + "…"
            return f"Engineers type their own answer to “{short}”"
    if kind == "repeated_pattern":
        label = str(evidence.get("label") or "").strip()
        if label:
            return f"A recurring problem has no flow: “{label}”"
    return str(getattr(gap, "title", "") or "Knowledge gap")


def gap_text(text: Any, domain: Any) -> str:
    """A gap's description or suggestion with its domain code ('m365') as its name."""
    text = str(text or "")
    name = DOMAIN_NAMES.get(str(domain or ""))
    if not name:
        return text
    return re.sub(
        rf"(?<=\bin ){re.escape(domain)}\b|(?<=\bthe ){re.escape(domain)}(?= problems)", name, text
    )


def diagram(tree: Any, **kwargs: Any) -> Markup:
    return Markup(render_flow_svg(tree, **kwargs))


env.filters.update(
    humanise=humanise, age=age, when=when, percent=percent, number=number, minutes=minutes
)
env.globals.update(
    query=query,
    diagram=diagram,
    choices=choices,
    problem_map=problem_map,
    gap_title=gap_title,
    gap_text=gap_text,
    DOMAIN_NAMES=DOMAIN_NAMES,
    TYPE_NAMES=TYPE_NAMES,
)
