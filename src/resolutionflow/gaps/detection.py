"""Knowledge-gap scoring: the four signals' thresholds, limits, severities and wording (pure).

The signals (SPEC §10), over the sessions created in the period:

1. weak_options: a question (the step's `context_message`) answered at least 3 times whose
   free-text rate is at least 0.3; high above 0.6, else medium. Of the questions that
   qualify, the 5 with the most free-text answers are reported, each with its most common
   free-text answers.
2. high_escalation: a domain with at least 3 resolved / escalated / requesting_escalation
   sessions whose escalation rate is at least 0.4; high above 0.6, else medium.
3. uncharted_territory: at least 2 resolved discovery-tier sessions in a domain (sessions
   without one count as "unknown domain"); the 5 largest; high >= 5, medium >= 3, else low.
4. repeated_pattern: every unmatched session of the period is grouped by the meaning of its
   summary (`gaps.patterns`); every group of at least 3 sessions is reported, largest
   first (no cap: a display pages or limits them, the report never drops one), medium >= 5
   sessions, else low.

Thresholds are compared on exact fractions, so a rate of exactly 0.3, 0.4 or 0.6 falls on
the documented side whatever floating point would make of it. Gaps are ordered high,
medium, low; within a severity, in signal order. Evidence holds plain ints and floats.

Speed at a million sessions. Every signal reads only the period's sessions, which the
`(account_id, created_at)` index finds as one range. The questions of signal 1 live on the
steps, which carry no date, so their aggregate follows the period's sessions into
`session_steps` through a partial covering index of answered question steps
(`ix_session_steps_answers`: session_id, with context_message, was_free_text and
free_text_input stored in the index). PostgreSQL answers it as index-only probes, one per
session of the period, and never reads the ten-million-row steps table. An index entry
holds at most ~2.7 kB, so steps whose question and answer are longer than 2,000 bytes
together are indexed apart without their texts (`ix_session_steps_long_answers`, normally
empty) and read from the table; the query unions both, so nothing is left out. Rollup
tables maintained on every write were considered and rejected: the report must be exact to
the threshold over any 7/30/90-day window ending now, sessions are imported with past dates,
and the indexed probes already answer well inside the target. What remains expensive,
grouping summaries by meaning, scales with the number of distinct wordings rather than of
sessions and runs beside the SQL in a worker thread (see `gaps.patterns`, `gaps.service`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

GAP_TYPES = (
    "weak_options",
    "high_escalation",
    "uncharted_territory",
    "repeated_pattern",
    "flagged_steps",
)
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30

MIN_ANSWERS = 3
FREE_TEXT_RATE = Fraction(3, 10)
FREE_TEXT_HIGH = Fraction(6, 10)
WEAK_OPTIONS_LIMIT = 5
TOP_ANSWERS = 5

MIN_OUTCOMES = 3
ESCALATION_RATE = Fraction(4, 10)
ESCALATION_HIGH = Fraction(6, 10)

MIN_DISCOVERY = 2
UNCHARTED_LIMIT = 5

MIN_PATTERN_SESSIONS = 3
PATTERN_MEDIUM = 5


@dataclass(frozen=True)
class QuestionStat:
    question: str
    total: int
    free_text: int


@dataclass(frozen=True)
class DomainOutcome:
    domain: str
    total: int
    resolved: int
    escalated: int


@dataclass(frozen=True)
class DiscoveryCount:
    domain: str | None
    count: int


@dataclass(frozen=True)
class PatternGroup:
    """A recurring problem among unmatched sessions (see `gaps.patterns`)."""

    size: int
    label: str
    typical_summaries: list[str]
    session_ids: list[str]
    domain: str | None = None


@dataclass
class Gap:
    gap_type: str
    severity: str
    title: str
    description: str
    suggested_action: str
    domain: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "gap_type": self.gap_type,
            "domain": self.domain,
            "severity": self.severity,
            "title": self.title,
            "description": self.description,
            "evidence": self.evidence,
            "suggested_action": self.suggested_action,
        }


def check_period(period_days: int) -> int:
    """The period if offered (7, 30 or 90 days); ValueError otherwise."""
    if period_days not in PERIODS:
        raise ValueError(f"period_days must be one of 7, 30 or 90, not {period_days}")
    return period_days


def _percent(rate: Fraction) -> str:
    return f"{float(rate):.0%}"


def weak_option_questions(stats: list[QuestionStat]) -> list[QuestionStat]:
    """The questions signal 1 reports, most free text first (ties by question)."""
    qualifying = [
        s
        for s in stats
        if s.total >= MIN_ANSWERS
        and s.free_text > 0
        and Fraction(s.free_text, s.total) >= FREE_TEXT_RATE
    ]
    qualifying.sort(key=lambda s: (-s.free_text, s.question))
    return qualifying[:WEAK_OPTIONS_LIMIT]


def weak_options(
    stats: list[QuestionStat], answers: dict[str, list[tuple[str, int]]] | None = None
) -> list[Gap]:
    """Signal 1, from per-question counts and each question's common free-text answers."""
    answers = answers or {}
    gaps = []
    for s in weak_option_questions(stats):
        rate = Fraction(s.free_text, s.total)
        gaps.append(
            Gap(
                gap_type="weak_options",
                severity="high" if rate > FREE_TEXT_HIGH else "medium",
                title=f"Options fall short: {s.question[:80]}",
                description=(
                    f"{s.free_text} of {s.total} answers ({_percent(rate)}) to this question were "
                    "typed in rather than picked from the options offered."
                ),
                evidence={
                    "context_message": s.question,
                    "total_responses": int(s.total),
                    "free_text_count": int(s.free_text),
                    "free_text_rate": round(float(rate), 3),
                    "common_free_text_answers": [
                        {"answer": text, "count": int(count)}
                        for text, count in answers.get(s.question, [])[:TOP_ANSWERS]
                    ],
                },
                suggested_action=(
                    "Turn the most common typed answers into options of this question."
                ),
            )
        )
    return gaps


def high_escalation(rows: list[DomainOutcome]) -> list[Gap]:
    """Signal 2, from per-domain counts of closed sessions; highest rate first."""
    qualifying = [
        (Fraction(r.escalated, r.total), r)
        for r in rows
        if r.total >= MIN_OUTCOMES
        and r.escalated > 0
        and Fraction(r.escalated, r.total) >= ESCALATION_RATE
    ]
    gaps = []
    for rate, row in sorted(qualifying, key=lambda x: (-x[0], x[1].domain)):
        gaps.append(
            Gap(
                gap_type="high_escalation",
                domain=row.domain,
                severity="high" if rate > ESCALATION_HIGH else "medium",
                title=f"Many escalations in {row.domain}",
                description=(
                    f"{row.escalated} of {row.total} closed sessions in {row.domain} "
                    f"({_percent(rate)}) were escalated; {row.resolved} were resolved by the desk."
                ),
                evidence={
                    "domain": row.domain,
                    "total": int(row.total),
                    "resolved": int(row.resolved),
                    "escalated": int(row.escalated),
                    "escalation_rate": round(float(rate), 3),
                },
                suggested_action=(
                    f"Write or extend flows for the {row.domain} problems that escalate."
                ),
            )
        )
    return gaps


def uncharted_territory(rows: list[DiscoveryCount]) -> list[Gap]:
    """Signal 3, from per-domain counts of resolved discovery-tier sessions."""
    kept = sorted(
        (r for r in rows if r.count >= MIN_DISCOVERY),
        key=lambda r: (-r.count, r.domain is None, r.domain or ""),
    )[:UNCHARTED_LIMIT]
    gaps = []
    for row in kept:
        where = row.domain or "unknown domain"
        severity = "high" if row.count >= 5 else "medium" if row.count >= 3 else "low"
        gaps.append(
            Gap(
                gap_type="uncharted_territory",
                domain=row.domain,
                severity=severity,
                title=f"Solved without a flow: {where}",
                description=(
                    f"{row.count} sessions in {where} were resolved with no flow to guide them. "
                    "What the engineers did is knowledge worth keeping; the review queue may "
                    "already hold proposals drawn from them."
                ),
                evidence={"domain": row.domain, "discovery_resolution_count": int(row.count)},
                suggested_action=(
                    "Review the proposals from these sessions or write a flow for them."
                ),
            )
        )
    return gaps


def repeated_patterns(groups: list[PatternGroup]) -> list[Gap]:
    """Signal 4, from the groups of unmatched sessions: every one that recurs, largest first."""
    kept = sorted(
        (g for g in groups if g.size >= MIN_PATTERN_SESSIONS), key=lambda g: (-g.size, g.label)
    )
    gaps = []
    for g in kept:
        gaps.append(
            Gap(
                gap_type="repeated_pattern",
                domain=g.domain,
                severity="medium" if g.size >= PATTERN_MEDIUM else "low",
                title=f"Recurring problem without a flow: {g.label}",
                description=(
                    f"{g.size} sessions described this problem in their own words and no flow "
                    "matched any of them."
                ),
                evidence={
                    "label": g.label,
                    "unmatched_session_count": int(g.size),
                    "domain": g.domain,
                    "typical_summaries": list(g.typical_summaries),
                    "session_ids": [str(s) for s in g.session_ids],
                },
                suggested_action=("Read a few of these sessions and write a flow for the problem."),
            )
        )
    return gaps


def order_gaps(gaps: list[Gap]) -> list[Gap]:
    """High, medium, low; a stable sort keeps signal order within a severity."""
    return sorted(gaps, key=lambda g: SEVERITY_ORDER.get(g.severity, len(SEVERITY_ORDER)))


# Signal 5 (beyond the seeds): steps engineers flagged as wrong or unclear in the runner.
FLAGGED_LIMIT = 5
FLAGGED_HIGH = 5
FLAGGED_MEDIUM = 2
FLAGGED_NOTES = 5


@dataclass
class FlaggedStep:
    """The flags on one node of one flow over the period, notes newest first."""

    flow_id: str
    flow_name: str
    domain: str | None
    node_id: str
    node_title: str | None
    count: int
    notes: list[str] = field(default_factory=list)


def flagged_steps(rows: list[FlaggedStep]) -> list[Gap]:
    """Signal 5: the most flagged steps; high from 5 flags, medium from 2, else low."""
    kept = sorted(rows, key=lambda r: (-r.count, r.flow_name, r.node_id))[:FLAGGED_LIMIT]
    gaps = []
    for row in kept:
        severity = (
            "high"
            if row.count >= FLAGGED_HIGH
            else "medium"
            if row.count >= FLAGGED_MEDIUM
            else "low"
        )
        step = row.node_title or row.node_id
        gaps.append(
            Gap(
                gap_type="flagged_steps",
                domain=row.domain,
                severity=severity,
                title=f"Flagged as wrong or unclear: “{step}” in {row.flow_name}",
                description=(
                    f"Engineers running the flow flagged this step {row.count} time"
                    f"{'s' if row.count != 1 else ''}: the flow may be wrong, out of date or hard "
                    "to follow here."
                ),
                evidence={
                    "flow_id": row.flow_id,
                    "flow_name": row.flow_name,
                    "node_id": row.node_id,
                    "flag_count": int(row.count),
                    "notes": row.notes[:FLAGGED_NOTES],
                },
                suggested_action=(
                    "Read the engineers' notes and publish a clearer version of the step."
                ),
            )
        )
    return gaps
