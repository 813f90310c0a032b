"""Server-side SVG drawing of a flow: decision, action and solution shapes, labelled links,
highlighted additions and problem markers. Pure: takes a tree, returns SVG text."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from resolutionflow.web.diagram_layout import MISSING, Box, Layout, Link, layout

NODE_W = 212
SLOT_W = 240
LAYER_GAP = 86
PAD = 24
CAPTION_H = 16
TITLE_LINE = 17
DETAIL_LINE = 15
TITLE_CHARS = 26
DETAIL_CHARS = 33
LABEL_CHARS = 24
OVERLAY_H = 20

_CAPTIONS = {
    "decision": "QUESTION",
    "action": "ACTION",
    "solution": "SOLUTION",
    MISSING: "MISSING NODE",
    "unknown": "UNKNOWN TYPE",
}
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _esc(value: Any) -> str:
    """Text for SVG: escaped, and without the characters XML cannot hold at all."""
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Lines of at most `width` characters; the last one ends in an ellipsis if cut."""
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    kept[-1] = kept[-1][: max(1, width - 1)].rstrip() + "…"
    return kept


class _NodeText:
    def __init__(self, box: Box) -> None:
        node = box.node
        if box.kind == MISSING:
            self.title = [f"'{_text(node.get('id'))[:40]}'"]
            self.detail = wrap("a link leads here, but no node has this id", DETAIL_CHARS, 2)
        else:
            title = _text(node.get("title")) or _text(node.get("id"))
            self.title = wrap(title, TITLE_CHARS, 2)
            detail = _text(node.get("question")) if box.kind == "decision" else ""
            detail = detail or _text(node.get("description"))
            if detail.rstrip("?.! ").lower() == title.rstrip("?.! ").lower():
                detail = ""
            self.detail = wrap(detail, DETAIL_CHARS, 2)
        self.height = 14 + CAPTION_H + len(self.title) * TITLE_LINE
        self.height += len(self.detail) * DETAIL_LINE + 10


def _shape(kind: str, x: float, y: float, w: float, h: float) -> str:
    if kind == "decision":
        d = 14
        points = [
            (x + d, y), (x + w - d, y), (x + w, y + h / 2),
            (x + w - d, y + h), (x + d, y + h), (x, y + h / 2),
        ]  # fmt: skip
        joined = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        return f'<polygon class="fd-shape" points="{joined}"/>'
    radius = min(h / 2, 24) if kind == "solution" else 5
    return (
        f'<rect class="fd-shape" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
        f'rx="{radius:.1f}"/>'
    )


@dataclass(frozen=True)
class NodeOverlay:
    """Figures drawn on a node: sessions that reached it and ended there, and the success
    rate of those that reached it (None when none of them has finished)."""

    reached: int
    ended: int
    success_rate: float | None


def overlay_class(success_rate: float | None) -> str:
    """The colour of a node's figures: good from 70%, poor under 40%, else mixed."""
    if success_rate is None:
        return "fd-fig-none"
    if success_rate >= 0.7:
        return "fd-fig-good"
    return "fd-fig-poor" if success_rate < 0.4 else "fd-fig-mixed"


def render_flow_svg(
    tree: Any,
    *,
    added: Collection[str] = (),
    changed: Collection[str] = (),
    problems: Mapping[str, list[str]] | None = None,
    label: str = "Flow diagram",
    dom_id: str = "flow",
    figures: Mapping[str, NodeOverlay] | None = None,
) -> str:
    """The flow as one <svg> element. `added` nodes and the links into them are highlighted,
    `changed` nodes marked, and nodes with `problems` flagged with their messages. With
    `figures`, every node carries a strip of its session figures, coloured by success."""
    problems = problems or {}
    dom_id = _SAFE_ID.sub("-", dom_id) or "flow"
    plan = layout(tree)
    texts = {node_id: _NodeText(box) for node_id, box in plan.boxes.items()}
    if figures is not None:
        for node_text in texts.values():
            node_text.height += OVERLAY_H
    band = [0.0] * plan.layers
    for node_id, box in plan.boxes.items():
        band[box.layer] = max(band[box.layer], texts[node_id].height)
    tops = []
    y = float(PAD)
    for height in band:
        tops.append(y)
        y += height + LAYER_GAP
    has_back = any(link.back for link in plan.links)
    width = PAD * 2 + plan.slots * SLOT_W - (SLOT_W - NODE_W) + (70 if has_back else 0)
    height = y - LAYER_GAP + PAD
    geometry: dict[str, tuple[float, float, float, float]] = {
        node_id: (PAD + box.slot * SLOT_W, tops[box.layer], NODE_W, texts[node_id].height)
        for node_id, box in plan.boxes.items()
    }
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" id="{dom_id}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-labelledby="{dom_id}-title">',
        f'<title id="{dom_id}-title">{_esc(label)}</title>',
        _defs(dom_id),
    ]
    if not plan.boxes:
        out.append(
            f'<text x="{PAD}" y="{PAD + 14}" class="fd-empty">This flow has no nodes.</text>'
        )
    out.append('<g class="fd-links">')
    out += _links(plan, geometry, set(added), dom_id)
    out.append("</g>")
    out.append('<g class="fd-nodes">')
    for node_id, box in plan.boxes.items():
        out.append(
            _node(
                box,
                texts[node_id],
                geometry[node_id],
                node_id in added,
                node_id in changed,
                problems.get(str(box.node.get("id")) if box.kind == MISSING else node_id, []),
            )
        )
    out.append("</g>")
    if figures is not None:
        out.append('<g class="fd-figures">')
        for node_id, box in plan.boxes.items():
            figure = figures.get(str(box.node.get("id")))
            if box.kind != MISSING:
                out.append(_overlay(str(box.node.get("id")), figure, geometry[node_id]))
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _overlay(
    node_id: str, figure: NodeOverlay | None, geometry: tuple[float, float, float, float]
) -> str:
    x, y, w, h = geometry
    figure = figure or NodeOverlay(0, 0, None)
    rate = "no finished sessions" if figure.success_rate is None else (
        f"{figure.success_rate:.0%} success")  # fmt: skip
    text = f"{figure.reached:,} reached · {figure.ended:,} ended"
    top = y + h - OVERLAY_H
    return (
        f'<g class="fd-figure {overlay_class(figure.success_rate)}" data-node="{_esc(node_id)}" '
        f'data-reached="{figure.reached}" data-ended="{figure.ended}">'
        f"<title>{_esc(f'{text}; {rate}')}</title>"
        f'<rect x="{x + 16:.1f}" y="{top:.1f}" width="{w - 32:.1f}" height="{OVERLAY_H - 4}" '
        f'rx="4"/><text x="{x + w / 2:.1f}" y="{top + 11:.1f}" text-anchor="middle">'
        f"{_esc(text)}</text></g>"
    )


def _defs(dom_id: str) -> str:
    marker = (
        '<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerUnits="userSpaceOnUse" markerHeight="9" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="{cls}"/></marker>'
    )
    return (
        "<defs>"
        + marker.format(id=f"{dom_id}-arrow", cls="fd-arrow")
        + marker.format(id=f"{dom_id}-arrow-new", cls="fd-arrow fd-arrow-new")
        + marker.format(id=f"{dom_id}-arrow-back", cls="fd-arrow fd-arrow-back")
        + "</defs>"
    )


def _links(
    plan: Layout,
    geometry: dict[str, tuple[float, float, float, float]],
    added: set[str],
    dom_id: str,
) -> list[str]:
    out: list[str] = []
    labels: list[str] = []
    fan: dict[str, list[Link]] = {}
    for link in plan.links:
        if not link.back:
            fan.setdefault(link.source, []).append(link)
    for link in plan.links:
        sx, sy, sw, sh = geometry[link.source]
        tx, ty, tw, th = geometry[link.target]
        target_id = plan.boxes[link.target].node.get("id")
        is_new = target_id in added
        if link.back:
            x1, y1 = sx + sw, sy + sh / 2
            x2, y2 = tx + tw, ty + th / 2
            bulge = max(x1, x2) + 60
            path = (
                f"M{x1:.1f},{y1:.1f} C{bulge:.1f},{y1:.1f} {bulge:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
            )
            out.append(
                f'<path class="fd-link fd-link-back" d="{path}" '
                f'marker-end="url(#{dom_id}-arrow-back)"/>'
            )
            lx, ly = bulge - 8, (y1 + y2) / 2
        else:
            siblings = fan[link.source]
            index = siblings.index(link)
            spread = min(34.0, (sw - 40) / max(1, len(siblings) - 1)) if len(siblings) > 1 else 0
            x1 = sx + sw / 2 + (index - (len(siblings) - 1) / 2) * spread
            y1 = sy + sh
            x2, y2 = tx + tw / 2, ty
            bend = max(30.0, (y2 - y1) / 2)
            path = (
                f"M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 + bend:.1f} {x2:.1f},{y2 - bend:.1f} "
                f"{x2:.1f},{y2 - 2:.1f}"
            )
            cls = "fd-link fd-link-new" if is_new else "fd-link"
            arrow = f"{dom_id}-arrow-new" if is_new else f"{dom_id}-arrow"
            out.append(f'<path class="{cls}" d="{path}" marker-end="url(#{arrow})"/>')
            # A point past the middle of the curve, so labels of one fan spread apart.
            t = 0.58
            lx = (1 - t) ** 3 * x1 + 3 * (1 - t) ** 2 * t * x1 + 3 * (1 - t) * t**2 * x2
            lx += t**3 * x2
            ly = (1 - t) ** 3 * y1 + 3 * (1 - t) ** 2 * t * (y1 + bend)
            ly += 3 * (1 - t) * t**2 * (y2 - bend) + t**3 * y2
        labels.append(_label(link, lx, ly, is_new))
    return out + [label for label in labels if label]


def _label(link: Link, x: float, y: float, is_new: bool) -> str:
    lines = wrap(_text(link.label), LABEL_CHARS, 2) if link.label else []
    if link.sessions:
        lines.append(f"{link.sessions} session{'s' if link.sessions != 1 else ''}")
    if not lines:
        return ""
    widest = max(len(line) for line in lines)
    w = widest * 6.3 + 12
    h = len(lines) * 14 + 6
    cls = "fd-label fd-label-new" if is_new else "fd-label"
    count_class = ' class="fd-count"'
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 14}"'
        f"{count_class if link.sessions and i == len(lines) - 1 else ''}>"
        f"{_esc(line)}</tspan>"
        for i, line in enumerate(lines)
    )
    return (
        f'<g class="{cls}"><rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" '
        f'height="{h:.1f}" rx="4"/><text x="{x:.1f}" y="{y - h / 2 + 14:.1f}" '
        f'text-anchor="middle">{spans}</text></g>'
    )


def _node(
    box: Box,
    text: _NodeText,
    geometry: tuple[float, float, float, float],
    is_added: bool,
    is_changed: bool,
    problems: list[str],
) -> str:
    x, y, w, h = geometry
    classes = ["fd-node", f"fd-{box.kind}"]
    uncharted = box.node.get("charted") is False
    if uncharted:
        classes.append("fd-uncharted")
    if is_added:
        classes.append("fd-added")
    elif is_changed:
        classes.append("fd-changed")
    if problems or box.kind == MISSING:
        classes.append("fd-has-problem")
    node_id = _text(box.node.get("id"))
    tooltip = [f"{_CAPTIONS[box.kind].title()}: {node_id}"]
    for field in ("title", "question", "description"):
        value = _text(box.node.get(field))
        if value:
            tooltip.append(value)
    tooltip += [f"Problem: {p}" for p in problems]
    parts = [
        f'<g class="{" ".join(classes)}" data-node="{_esc(node_id)}">',
        f"<title>{_esc(chr(10).join(tooltip))}</title>",
        _shape(box.kind if box.kind != MISSING else "action", x, y, w, h),
    ]
    caption = "UNCHARTED" if uncharted else _CAPTIONS[box.kind]
    cx = x + w / 2
    line_y = y + 14 + 10
    parts.append(
        f'<text class="fd-caption" x="{cx:.1f}" y="{line_y:.1f}" text-anchor="middle">'
        f"{caption}</text>"
    )
    line_y += CAPTION_H + 2
    for line in text.title:
        parts.append(
            f'<text class="fd-title" x="{cx:.1f}" y="{line_y:.1f}" text-anchor="middle">'
            f"{_esc(line)}</text>"
        )
        line_y += TITLE_LINE
    for line in text.detail:
        parts.append(
            f'<text class="fd-detail" x="{cx:.1f}" y="{line_y - 2:.1f}" text-anchor="middle">'
            f"{_esc(line)}</text>"
        )
        line_y += DETAIL_LINE
    if is_added or is_changed:
        word = "NEW" if is_added else "CHANGED"
        bw = 34 if is_added else 60
        parts.append(
            f'<g class="fd-badge"><rect x="{x + 8:.1f}" y="{y - 9:.1f}" width="{bw}" height="18" '
            f'rx="9"/><text x="{x + 8 + bw / 2:.1f}" y="{y + 4:.1f}" text-anchor="middle">'
            f"{word}</text></g>"
        )
    if problems or box.kind == MISSING:
        parts.append(
            f'<g class="fd-problem-mark"><circle cx="{x + w - 10:.1f}" cy="{y + 2:.1f}" r="11"/>'
            f'<text x="{x + w - 10:.1f}" y="{y + 7:.1f}" text-anchor="middle">!</text></g>'
        )
    parts.append("</g>")
    return "".join(parts)
