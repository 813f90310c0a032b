"""The gap report over stored sessions, on SQLite and PostgreSQL: signals, scope, period, cache."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import Settings
from resolutionflow.errors import Invalid
from resolutionflow.gaps.cache import reports
from resolutionflow.gaps.service import knowledge_gaps
from resolutionflow.models import Account
from resolutionflow.sessions import importer
from resolutionflow.sessions.schemas import ResolveIn
from resolutionflow.sessions.service import resolve_session
from tests.gaps.factory import NOW, action, add_session, iso, question
from tests.helpers import create_account, create_flow


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    reports.clear()
    yield
    reports.clear()


async def _report(db: AsyncSession, account: Account, period: int = 30, **kw: Any) -> Any:
    return await knowledge_gaps(db, account=account, period_days=period, use_cache=False, **kw)


def _of(report: Any, kind: str) -> list[Any]:
    return [g for g in report.gaps if g.gap_type == kind]


async def test_weak_options_counts_answers_per_question(db: AsyncSession) -> None:
    account = await create_account(db)
    other = await create_account(db)
    q, few = "Is the printer showing online?", "Which tray is it?"
    # 10 answers, 3 typed (exactly 0.3), two of them the same answer written differently.
    typed = ["Driver unavailable", " driver unavailable ", "paper jam"]
    for k in range(10):
        await add_session(
            db,
            account,
            steps=[question(q, free=typed[k] if k < 3 else None), question(few, free="top")]
            if k < 2
            else [question(q, free=typed[k] if k < 3 else None)],
        )
    # Not counted: unanswered questions, old sessions, another account's sessions.
    await add_session(db, account, steps=[question(q, answered=False)])
    await add_session(db, account, steps=[question(q, free="old")], age=timedelta(days=40))
    for _ in range(5):
        await add_session(db, other, steps=[question(q, free="theirs")])
    await db.commit()

    (gap,) = _of(await _report(db, account), "weak_options")
    assert gap.severity == "medium"
    assert gap.evidence["context_message"] == q
    assert (gap.evidence["total_responses"], gap.evidence["free_text_count"]) == (10, 3)
    assert gap.evidence["free_text_rate"] == 0.3
    answers = gap.evidence["common_free_text_answers"]
    assert answers[0]["count"] == 2 and answers[0]["answer"].lower().split() == [
        "driver",
        "unavailable",
    ]
    assert answers[1] == {"answer": "paper jam", "count": 1}
    # "Which tray" had only 2 answers (both typed): below the minimum sample.
    assert all(
        g.evidence["context_message"] != few
        for g in _of(await _report(db, account), "weak_options")
    )


async def test_weak_options_severity_and_top_five(db: AsyncSession) -> None:
    account = await create_account(db)
    # Seven questions, 5 answers each, with 2..5 typed (0.4 .. 1.0): five reported, most typed
    # first; a question at 0.6 is medium, above it high.
    typed = {"Q1?": 2, "Q2?": 3, "Q3?": 3, "Q4?": 4, "Q5?": 4, "Q6?": 5, "Q7?": 5}
    for k in range(5):
        steps = [question(q, free="typed" if k < n else None) for q, n in typed.items()]
        await add_session(db, account, steps=steps)
    await db.commit()
    gaps = _of(await _report(db, account), "weak_options")
    assert [g.evidence["context_message"] for g in gaps] == ["Q6?", "Q7?", "Q4?", "Q5?", "Q2?"]
    assert [g.severity for g in gaps] == ["high", "high", "high", "high", "medium"]


async def test_high_escalation_by_domain(db: AsyncSession) -> None:
    account = await create_account(db)
    other = await create_account(db)
    plan = {
        "email": ["escalated", "escalated", "resolved", "resolved", "resolved"],  # exactly 0.4
        "backup": ["escalated", "requesting_escalation", "resolved"],  # 0.667: high
        "m365": ["escalated", "escalated"],  # 2 sessions only
        "cloud": ["escalated", "resolved", "resolved"],  # 0.333
    }
    for domain, statuses in plan.items():
        for status in statuses:
            await add_session(db, account, domain=domain, status=status)
    # Not counted: active and abandoned sessions, no domain, outside the period, elsewhere.
    for _ in range(3):
        await add_session(db, account, domain="cloud", status="abandoned")
        await add_session(db, account, domain=None, status="escalated")
        await add_session(db, account, domain="cloud", status="escalated", age=timedelta(days=31))
        await add_session(db, other, domain="cloud", status="escalated")
    await db.commit()
    gaps = _of(await _report(db, account), "high_escalation")
    assert [(g.domain, g.severity) for g in gaps] == [("backup", "high"), ("email", "medium")]
    assert gaps[1].evidence == {
        "domain": "email",
        "total": 5,
        "resolved": 3,
        "escalated": 2,
        "escalation_rate": 0.4,
    }


async def test_uncharted_territory(db: AsyncSession) -> None:
    account = await create_account(db)
    flow = await create_flow(db, account, key="printer-offline")
    counts = {"backup": 5, "email": 3, "cloud": 2, "m365": 1, None: 2}
    for domain, n in counts.items():
        for _ in range(n):
            await add_session(db, account, domain=domain, tier="discovery")
    # Not counted: guided sessions, unresolved ones, old ones.
    for _ in range(3):
        await add_session(db, account, domain="m365", tier="high", flow_key=flow.key)
        await add_session(db, account, domain="m365", status="escalated")
        await add_session(db, account, domain="m365", age=timedelta(days=8))
    await db.commit()
    gaps = _of(await _report(db, account, period=7), "uncharted_territory")
    assert [(g.domain, g.severity, g.evidence["discovery_resolution_count"]) for g in gaps] == [
        ("backup", "high", 5),
        ("email", "medium", 3),
        ("cloud", "low", 2),
        (None, "low", 2),
    ]
    assert "unknown domain" in gaps[-1].title


async def test_uncharted_keeps_five(db: AsyncSession) -> None:
    account = await create_account(db)
    domains = ["active_directory", "networking", "m365", "hardware", "endpoint", "security"]
    for k, domain in enumerate(domains):
        for _ in range(2 + k):
            await add_session(db, account, domain=domain)
    await db.commit()
    gaps = _of(await _report(db, account), "uncharted_territory")
    assert [g.domain for g in gaps] == domains[:0:-1]


async def test_repeated_pattern_groups_unmatched_sessions(db: AsyncSession) -> None:
    account = await create_account(db)
    other = await create_account(db)
    flow = await create_flow(db, account, key="vpn")
    vpn = [
        "VPN disconnects every few minutes",
        "VPN keeps dropping the connection",
        "The VPN drops out constantly",
        "VPN disconnecting all the time at home",
        "VPN connection drops every 5 minutes",
    ]
    mailbox = [
        "Shared mailbox not showing in Outlook",
        "Can't see the shared mailbox in Outlook",
        "Shared mailbox disappeared from Outlook",
    ]
    ids = {"vpn": [], "mailbox": []}
    for text in vpn:
        ids["vpn"].append(str((await add_session(db, account, summary=text, domain=None)).id))
    for text in mailbox:
        s = await add_session(db, account, summary=text, domain="email", status="active")
        ids["mailbox"].append(str(s.id))
    # Not grouped: a pair (too few), matched sessions, old sessions, another account's.
    await add_session(db, account, summary="Laptop battery drains overnight")
    await add_session(db, account, summary="Battery drains in sleep")
    for text in vpn:
        await add_session(db, account, summary=text, flow_key=flow.key, tier="high")
        await add_session(db, account, summary=text, age=timedelta(days=35))
        await add_session(db, other, summary=text)
    await db.commit()
    gaps = _of(await _report(db, account), "repeated_pattern")
    assert [(g.severity, g.evidence["unmatched_session_count"]) for g in gaps] == [
        ("medium", 5),
        ("low", 3),
    ]
    assert sorted(gaps[0].evidence["session_ids"]) == sorted(ids["vpn"])
    assert sorted(gaps[1].evidence["session_ids"]) == sorted(ids["mailbox"])
    assert gaps[1].domain == "email"
    assert "vpn" in gaps[0].evidence["label"].lower()
    assert set(gaps[1].evidence["typical_summaries"]) <= set(mailbox)


async def test_repeated_pattern_reports_every_recurring_group(db: AsyncSession) -> None:
    account = await create_account(db)
    problems = [
        ["Printer offline", "Printer shows offline", "printer offline again", "Printer is offline"],
        ["VPN drops", "VPN keeps dropping", "VPN dropped again"],
        ["Teams crashes", "Teams keeps crashing", "Teams crashed on launch"],
        ["OneDrive not syncing", "OneDrive sync stuck", "OneDrive won't sync", "OneDrive sync"],
    ]
    for texts in problems:
        for text in texts:
            await add_session(db, account, summary=text)
    await db.commit()
    gaps = _of(await _report(db, account), "repeated_pattern")
    # Every group that recurs is reported (there used to be a cap of three), largest first.
    assert [g.evidence["unmatched_session_count"] for g in gaps] == [4, 4, 3, 3]


async def test_report_orders_by_severity_and_holds_plain_numbers(db: AsyncSession) -> None:
    account = await create_account(db)
    for k in range(6):
        await add_session(
            db,
            account,
            domain="backup",
            status="escalated" if k < 4 else "resolved",
            steps=[question("Which job failed?", free="nightly")],
        )
    await db.commit()
    report = await _report(db, account)
    ranks = {"high": 0, "medium": 1, "low": 2}
    assert [ranks[g.severity] for g in report.gaps] == sorted(
        ranks[g.severity] for g in report.gaps
    )
    for gap in report.model_dump(mode="python")["gaps"]:
        for value in gap["evidence"].values():
            assert type(value) in (int, float, str, list, type(None)), type(value)


async def test_period_must_be_offered(db: AsyncSession) -> None:
    account = await create_account(db)
    with pytest.raises(Invalid, match="7, 30 or 90"):
        await knowledge_gaps(db, account=account, period_days=14)


async def test_cache_serves_repeats_until_a_session_resolves(
    db: AsyncSession, settings: Settings
) -> None:
    account = await create_account(db)
    for _ in range(2):
        await add_session(db, account, domain="backup")
    pending = await add_session(db, account, domain="backup", status="active")
    await db.commit()

    first = await knowledge_gaps(db, account=account, settings=settings)
    assert _of(first, "uncharted_territory")[0].evidence["discovery_resolution_count"] == 2
    await add_session(db, account, domain="backup", status="active")  # no version bump
    await db.commit()
    assert await knowledge_gaps(db, account=account, settings=settings) is first

    await resolve_session(db, account=account, session_id=pending.id, data=ResolveIn())
    await db.commit()
    second = await knowledge_gaps(db, account=account, settings=settings)
    assert second is not first
    assert _of(second, "uncharted_territory")[0].evidence["discovery_resolution_count"] == 3
    # Another period is cached on its own.
    assert await knowledge_gaps(db, account=account, period_days=7, settings=settings) is not second


async def test_cache_is_dropped_by_an_import(db: AsyncSession, settings: Settings) -> None:
    import json

    account = await create_account(db)
    await db.commit()
    first = await knowledge_gaps(db, account=account, settings=settings)
    assert first.gaps == []
    lines = [
        json.dumps(
            {
                "external_id": f"imp-{k}",
                "problem_summary": "Backup job failed",
                "problem_domain": "backup",
                "status": "resolved",
                "confidence_tier": "discovery",
                "created_at": iso(NOW - timedelta(days=2)),
                "steps": [action(False), action(True)],
            }
        )
        for k in range(3)
    ]
    summary = await importer.import_sessions(db, account=account, lines=lines)
    assert summary.stored == 3
    await db.commit()
    second = await knowledge_gaps(db, account=account, settings=settings)
    assert [g.gap_type for g in second.gaps] == ["uncharted_territory", "repeated_pattern"]


async def test_cache_lifetime_follows_the_setting(db: AsyncSession, settings: Settings) -> None:
    account = await create_account(db)
    await db.commit()
    no_cache = settings.model_copy(update={"gaps_cache_seconds": 0})
    first = await knowledge_gaps(db, account=account, settings=no_cache)
    assert await knowledge_gaps(db, account=account, settings=no_cache) is not first


async def test_groups_follow_the_problem_not_the_customer_or_person(db: AsyncSession) -> None:
    account = await create_account(db)
    # One customer raises five unrelated tickets, each tagged with its name and a person's.
    unrelated = [
        "Oakridge Pharmacy - printer lumen accounting",
        "Oakridge Pharmacy - Teams camera greyed out (Lukas)",
        "[Oakridge] BitLocker recovery key needed",
        "Oakridge Pharmacy: mapped drive missing after update - Lukas Becker",
        "Voicemail from Lukas at Oakridge, scanner jams",
    ]
    for text in unrelated:
        await add_session(db, account, summary=text, customer="Oakridge Pharmacy", domain=None)
    # And three customers report one problem in their own words.
    vpn = [
        ("Kestrel - VPN drops every few minutes", "Kestrel Logistics"),
        ("RE: vpn keeps dropping\n\nHi all,\n\nit drops again\n\nThanks, Mia", "Juniper Ltd"),
        ("VPN disconnects all the time for Yusuf Demir", "Harbour View Dental"),
    ]
    for text, customer in vpn:
        await add_session(db, account, summary=text, customer=customer, domain=None)
    await db.commit()
    gaps = _of(await _report(db, account), "repeated_pattern")
    assert len(gaps) == 1
    label = gaps[0].evidence["label"]
    assert "vpn" in label.lower() and "Oakridge" not in label and "Lukas" not in label
    assert gaps[0].evidence["unmatched_session_count"] == 3
