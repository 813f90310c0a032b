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
LABEL_CHAR_W = 7.0  # an 11px character, wide enough for nearly all text
LABEL_MARGIN = 4.0
# Where on its link a label may sit (fractions of the curve), most preferred first.
LABEL_SPOTS = (0.5, 0.6, 0.4, 0.7, 0.3, 0.78, 0.22)
BACK_SPOTS = (0.5, 0.35, 0.65, 0.2, 0.8)
DENSE_SPOTS = tuple(i / 20 for i in range(2, 19))
SPREAD_STEP = 40.0  # extra room below a row whose labels collide, per attempt
MAX_SPREADS = 8

Point = tuple[float, float]
Rect = tuple[float, float, float, float]

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
            (x + d, y),
            (x + w - d, y),
            (x + w, y + h / 2),
            (x + w - d, y + h),
            (x + d, y + h),
            (x, y + h / 2),
        ]
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
    has_back = any(link.back for link in plan.links)
    width = PAD * 2 + plan.slots * SLOT_W - (SLOT_W - NODE_W) + (70 if has_back else 0)
    # Labels go on their own link, clear of every node and every other label: where a row
    # of links has no room for its labels, the gap below that row grows and all is redone.
    gaps = [float(LAYER_GAP)] * max(plan.layers - 1, 0)
    for _ in range(MAX_SPREADS):
        tops = []
        y = float(PAD)
        for index, height in enumerate(band):
            tops.append(y)
            y += height + (gaps[index] if index < len(gaps) else 0)
        height = y + PAD
        geometry: dict[str, tuple[float, float, float, float]] = {
            node_id: (PAD + box.slot * SLOT_W, tops[box.layer], NODE_W, texts[node_id].height)
            for node_id, box in plan.boxes.items()
        }
        curves = _curves(plan, geometry)
        spots, crowded = _place_labels(plan, curves, geometry)
        if not crowded:
            break
        for layer in crowded:
            gaps[layer] += SPREAD_STEP
    left, right, bottom = 0.0, width, height
    for x, y, w, h in spots.values():
        left, right = min(left, x - w / 2 - 4), max(right, x + w / 2 + 4)
        bottom = max(bottom, y + h / 2 + 4)
    for curve in curves:
        if curve.link.back:
            right = max(right, curve.c1[0] + 8)
    view_w = right - left
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" id="{dom_id}" '
        f'viewBox="{left:.0f} 0 {view_w:.0f} {bottom:.0f}" width="{view_w:.0f}" '
        f'height="{bottom:.0f}" role="img" aria-labelledby="{dom_id}-title">',
        f'<title id="{dom_id}-title">{_esc(label)}</title>',
        _defs(dom_id),
    ]
    if not plan.boxes:
        out.append(
            f'<text x="{PAD}" y="{PAD + 14}" class="fd-empty">This flow has no nodes.</text>'
        )
    out.append('<g class="fd-links">')
    out += _links(plan, curves, spots, set(added), dom_id)
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
    rate = (
        "no finished sessions"
        if figure.success_rate is None
        else (f"{figure.success_rate:.0%} success")
    )
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


class _Curve:
    """One link as a cubic Bezier curve, and where on it a label may sit."""

    def __init__(
        self, link: Link, p0: Point, c1: Point, c2: Point, p3: Point, candidates: tuple[float, ...]
    ) -> None:
        self.link, self.p0, self.c1, self.c2, self.p3 = link, p0, c1, c2, p3
        self.candidates = candidates

    def at(self, t: float) -> Point:
        u = 1 - t
        a, b, c, d = u**3, 3 * u * u * t, 3 * u * t * t, t**3
        return (
            a * self.p0[0] + b * self.c1[0] + c * self.c2[0] + d * self.p3[0],
            a * self.p0[1] + b * self.c1[1] + c * self.c2[1] + d * self.p3[1],
        )

    def path(self) -> str:
        (x1, y1), (ax, ay), (bx, by), (x2, y2) = self.p0, self.c1, self.c2, self.p3
        return f"M{x1:.1f},{y1:.1f} C{ax:.1f},{ay:.1f} {bx:.1f},{by:.1f} {x2:.1f},{y2:.1f}"


def _curves(plan: Layout, geometry: dict[str, tuple[float, float, float, float]]) -> list[_Curve]:
    fan: dict[str, list[Link]] = {}
    for link in plan.links:
        if not link.back:
            fan.setdefault(link.source, []).append(link)
    out = []
    for link in plan.links:
        sx, sy, sw, sh = geometry[link.source]
        tx, ty, tw, th = geometry[link.target]
        if link.back:
            x1, y1 = sx + sw, sy + sh / 2
            x2, y2 = tx + tw, ty + th / 2
            bulge = max(x1, x2) + 60
            out.append(_Curve(link, (x1, y1), (bulge, y1), (bulge, y2), (x2, y2), BACK_SPOTS))
            continue
        siblings = fan[link.source]
        index = siblings.index(link)
        spread = min(34.0, (sw - 40) / max(1, len(siblings) - 1)) if len(siblings) > 1 else 0
        x1 = sx + sw / 2 + (index - (len(siblings) - 1) / 2) * spread
        y1 = sy + sh
        x2, y2 = tx + tw / 2, ty
        bend = max(30.0, (y2 - y1) / 2)
        out.append(
            _Curve(link, (x1, y1), (x1, y1 + bend), (x2, y2 - bend), (x2, y2 - 2), LABEL_SPOTS)
        )
    return out


def _label_lines(link: Link) -> list[str]:
    lines = wrap(_text(link.label), LABEL_CHARS, 2) if link.label else []
    if link.sessions:
        lines.append(f"{link.sessions} session{'s' if link.sessions != 1 else ''}")
    return lines


def _label_size(lines: list[str]) -> tuple[float, float]:
    return max(len(line) for line in lines) * LABEL_CHAR_W + 12, len(lines) * 14 + 6


def _overlap(a: Rect, b: Rect) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _place_labels(
    plan: Layout, curves: list[_Curve], geometry: dict[str, tuple[float, float, float, float]]
) -> tuple[dict[int, Rect], set[int]]:
    """Each label's centre and size (keyed by the link's index), at the first spot on its own
    curve that is clear of nodes and of the labels placed before it; and the rows whose
    links found no clear spot."""
    margin = LABEL_MARGIN
    obstacles: list[Rect] = [
        (x - margin, y - margin, w + 2 * margin, h + 2 * margin) for x, y, w, h in geometry.values()
    ]
    spots: dict[int, Rect] = {}
    crowded: set[int] = set()
    order = sorted(
        range(len(curves)),
        key=lambda i: (curves[i].link.back, curves[i].p0[1], curves[i].p0[0], i),
    )
    for i in order:
        curve = curves[i]
        lines = _label_lines(curve.link)
        if not lines:
            continue
        w, h = _label_size(lines)
        best: tuple[float, Point] | None = None
        for t in curve.candidates:
            x, y = curve.at(t)
            box = (x - w / 2 - margin, y - h / 2 - margin, w + 2 * margin, h + 2 * margin)
            cost = sum(_overlap(box, other) for other in obstacles)
            if best is None or cost < best[0]:
                best = (cost, (x, y))
            if cost == 0:
                break
        assert best is not None
        if best[0] > 0:
            # Nothing clear at the usual spots: try all along the curve, and just beside it.
            for t in DENSE_SPOTS:
                cx, cy = curve.at(t)
                for dx in (0.0, -(w / 2 + 6), w / 2 + 6):
                    x, y = cx + dx, cy
                    box = (x - w / 2 - margin, y - h / 2 - margin, w + 2 * margin, h + 2 * margin)
                    cost = sum(_overlap(box, other) for other in obstacles)
                    if cost < best[0]:
                        best = (cost, (x, y))
                if best[0] == 0:
                    break
        cost, (x, y) = best
        if cost > 0 and curve.link.back:
            # A link back up has room to its right: take the curve past every node and
            # label so far, and put its label there.
            right = max(o[0] + o[2] for o in obstacles)
            x = right + w / 2 + 2 * margin
            bulge = (x - (curve.p0[0] + curve.p3[0]) / 8) / 0.75
            curve.c1, curve.c2 = (bulge, curve.c1[1]), (bulge, curve.c2[1])
            y = curve.at(0.5)[1]
        elif cost > 0:
            crowded.add(plan.boxes[curve.link.source].layer)
        spots[i] = (x, y, w, h)
        obstacles.append((x - w / 2, y - h / 2, w, h))
    return spots, crowded


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
    curves: list[_Curve],
    spots: dict[int, Rect],
    added: set[str],
    dom_id: str,
) -> list[str]:
    out: list[str] = []
    labels: list[str] = []
    for i, curve in enumerate(curves):
        link = curve.link
        is_new = plan.boxes[link.target].node.get("id") in added
        if link.back:
            out.append(
                f'<path class="fd-link fd-link-back" d="{curve.path()}" '
                f'marker-end="url(#{dom_id}-arrow-back)"/>'
            )
        else:
            cls = "fd-link fd-link-new" if is_new else "fd-link"
            arrow = f"{dom_id}-arrow-new" if is_new else f"{dom_id}-arrow"
            out.append(f'<path class="{cls}" d="{curve.path()}" marker-end="url(#{arrow})"/>')
        if i in spots:
            x, y, w, h = spots[i]
            labels.append(_label(link, x, y, w, h, is_new))
    return out + labels


def _label(link: Link, x: float, y: float, w: float, h: float, is_new: bool) -> str:
    lines = _label_lines(link)
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
