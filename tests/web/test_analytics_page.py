"""The analytics dashboard: charts for each period, and the gap list's styles and evidence links."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.web.templating import env
from tests.fixtures.web import WebWorld
from tests.web.seed import seed

CHARTS = ("chart-tiers", "chart-outcomes", "chart-trend", "chart-psa", "chart-flywheel")


async def test_every_period_draws_every_chart(web: WebWorld, db: AsyncSession) -> None:
    await seed(db, web.account)
    for period in ("7", "30", "90", "12", "x"):
        page = (await web.engineer.client.get(f"/analytics?period={period}")).text
        for chart in CHARTS:
            assert re.search(rf'id="{chart}"><svg', page), (period, chart)
        shown = period if period in ("7", "30", "90") else "30"
        assert f'href="/analytics?period={shown}" aria-current="page"' in page
        assert 'id="gaps"' not in page and 'href="/gaps?period=' in page
        gaps = (await web.engineer.client.get(f"/gaps?period={period}")).text
        assert 'id="gaps"' in gaps and f'href="/gaps?period={shown}" aria-current="page"' in gaps
        assert 'href="/gaps" aria-current="page"' in gaps  # its own menu entry


def _gap(**fields: Any) -> SimpleNamespace:
    base: dict[str, Any] = {
        "gap_type": "weak_options",
        "domain": "printing",
        "severity": "high",
        "title": "t",
        "description": "d",
        "evidence": {},
        "suggested_action": "s",
    }
    return SimpleNamespace(**{**base, **fields})


def render_gaps(gaps: list[SimpleNamespace]) -> str:
    return env.get_template("_gaps.html").render(gaps=gaps, period=30, gaps_error=None)


def test_gap_severities_have_styles_with_a_fallback() -> None:
    html = render_gaps([_gap(severity="high"), _gap(severity="low"), _gap(severity="critical")])
    assert 'class="gap gap-high"' in html and 'class="gap gap-low"' in html
    assert 'class="gap gap-unknown"' in html and ">critical<" in html


def test_gap_evidence_links_and_rounding() -> None:
    html = render_gaps(
        [
            _gap(
                evidence={
                    "context_message": "Is the printer online?",
                    "total_responses": 9,
                    "free_text_count": 4,
                    "free_text_rate": 0.444,
                    "common_free_text_answers": [{"answer": "jammed", "count": 2}],
                }
            ),
            _gap(
                gap_type="high_escalation",
                domain="backup",
                evidence={
                    "domain": "backup",
                    "total": 7,
                    "resolved": 3,
                    "escalated": 4,
                    "escalation_rate": 0.5714,
                },
            ),
            _gap(
                gap_type="uncharted_territory",
                domain=None,
                severity="medium",
                evidence={"domain": "unknown domain", "discovery_resolution_count": 3},
            ),
            _gap(
                gap_type="repeated_pattern",
                domain=None,
                severity="low",
                evidence={
                    "label": "vpn token",
                    "unmatched_session_count": 3,
                    "typical_summaries": ["VPN token expired"],
                    "session_ids": ["a", "b"],
                },
            ),
        ]
    )
    assert "“Is the printer online?”" in html and "(44%)" in html and "“jammed” (2)" in html
    assert "(57%)" in html and 'href="/sessions?domain=backup"' in html
    assert 'href="/sessions?tier=discovery"' in html  # no real domain: every discovery session
    assert 'href="/sessions?ids=a,b"' in html


def test_gap_titles_read_as_sentences() -> None:
    html = render_gaps(
        [
            _gap(
                gap_type="uncharted_territory", domain="m365", title="Solved without a flow: m365"
            ),
            _gap(gap_type="high_escalation", domain="backup", title="Many escalations in backup"),
            _gap(
                gap_type="uncharted_territory", domain=None, title="Solved without a flow: unknown"
            ),
        ]
    )
    assert "Microsoft 365 problems solved without a flow" in html
    assert "Backup sessions often escalate" in html
    assert "Problems with no domain solved without a flow" in html
    assert "m365" not in html.replace("domain=m365", "") and "unknown" not in html


def test_gap_descriptions_name_the_domain() -> None:
    html = render_gaps(
        [
            _gap(
                gap_type="uncharted_territory",
                domain="m365",
                description="3 sessions in m365 were resolved with no flow.",
                suggested_action="Write flows for the m365 problems.",
            )
        ]
    )
    assert "3 sessions in Microsoft 365 were resolved" in html
    assert "Write flows for the Microsoft 365 problems." in html
