"""The dashboard's SVG charts and the page formatting filters."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from resolutionflow.web.charts import (
    Series,
    as_percent,
    bar_chart,
    grouped_bars,
    line_chart,
    nice_max,
)
from resolutionflow.web.templating import age, humanise, minutes, number, percent, query

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if "chart-bar" in r.get("class", "")]


def test_bar_heights_follow_the_values() -> None:
    svg = bar_chart(["high", "low"], [10, 5], title="Sessions by tier")
    heights = [float(r.get("height", 0)) for r in bars(svg)]
    assert heights[0] == 2 * heights[1] > 0
    assert "high Sessions by tier: 10" in svg


def test_grouped_bars_skip_missing_values_and_format_rates() -> None:
    svg = grouped_bars(
        ["high", "discovery"],
        [Series("resolved", [0.9, None], "ok"), Series("escalated", [0.1, 0.5], "bad")],
        title="Outcomes",
        fmt=as_percent,
        top=1.0,
    )
    assert len(bars(svg)) == 3 and "90%" in svg and "50%" in svg


def test_line_chart_draws_each_series() -> None:
    labels = [f"d{i}" for i in range(30)]
    svg = line_chart(
        labels, [Series("sessions", list(range(30))), Series("esc", [1] * 30, "bad")], title="Trend"
    )
    root = ET.fromstring(svg)
    assert len([p for p in root.iter(f"{SVG}path")]) == 2
    assert len(list(root.iter(f"{SVG}circle"))) == 60
    texts = [t.text for t in root.iter(f"{SVG}text") if t.text in labels]
    assert len(texts) <= 9  # labels thinned out


def test_empty_charts_are_well_formed() -> None:
    for svg in (bar_chart([], [], title="x"), line_chart([], [], title="y")):
        ET.fromstring(svg)


def test_axis_tops_are_round() -> None:
    assert [nice_max(v) for v in (0, 0.7, 3, 7, 12, 230)] == [1.0, 1.0, 5, 10, 20, 250]


def test_filters_round_for_reading() -> None:
    assert percent(0.4567) == "46%" and percent(0.034) == "3.4%" and percent(None) == "—"
    assert percent(0) == "0%" and percent(1) == "100%"
    assert number(3.0) == "3" and number(2.345) == "2.3" and number(1234) == "1,234"
    assert minutes(45) == "45 min" and minutes(150) == "2.5 h"
    assert humanise("ai_generated") == "AI generated" and humanise("m365") == "Microsoft 365"
    assert humanise("requesting_escalation") == "Requesting escalation"
    now = datetime(2026, 1, 10, tzinfo=UTC)
    assert age(now - timedelta(minutes=5), now) == "5 min ago"
    assert age(now - timedelta(days=1), now) == "1 day ago"
    assert query({"a": "1", "b": ""}, page=2) == "a=1&page=2"
