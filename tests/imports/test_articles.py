"""Knowledge-base articles: shapes structured by rules, kept whole otherwise, proposed once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.ai.base import GenerationResult
from resolutionflow.flows.structure import validate_tree
from resolutionflow.imports import article_service
from resolutionflow.imports.articles import parse_article, sanitise_html, structure
from resolutionflow.models import FlowProposal, Notification, Session
from resolutionflow.review import service as review_service
from resolutionflow.review.schemas import ReviewIn
from tests.helpers import create_account, create_user

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"


def _load(name: str) -> tuple[str, str]:
    return name, (ARTICLES / name).read_text()


def _flow(name: str) -> dict[str, Any]:
    return structure(parse_article(*_load(name)))


def test_numbered_steps_become_a_did_that_fix_it_chain() -> None:
    flow = _flow("outlook-password-prompts.md")
    assert flow["shape"] == "steps"
    assert flow["title"] == "Outlook keeps asking for a password"
    tree = flow["tree_structure"]
    assert validate_tree(tree) == []
    assert tree["question"].startswith("Step 1: Check the user's sign-in logs")
    labels = [o["label"] for o in tree["options"]]
    assert labels == ["Yes", "No"]
    questions = [n["question"] for n in tree["children"] if n["type"] == "decision"]
    assert sorted(q.split(":")[0] for q in questions) == ["Step 2", "Step 3", "Step 4"]
    assert "`MicrosoftOffice16_Data`" in questions[0]


def test_headings_per_symptom_become_branches() -> None:
    flow = _flow("printer-troubleshooting.md")
    assert flow["shape"] == "symptoms"
    tree = flow["tree_structure"]
    assert validate_tree(tree) == []
    assert [o["label"] for o in tree["options"]] == [
        "Printer shows offline",
        "Jobs stuck in the queue",
        "Prints come out garbled",
    ]


def test_if_then_lines_become_checks_and_html_is_sanitised() -> None:
    article = parse_article(*_load("vpn-checks.html"))
    assert "alert" not in article.plain and "steal" not in article.plain
    flow = structure(article)
    assert flow["shape"] == "if_then"
    tree = flow["tree_structure"]
    assert validate_tree(tree) == []
    assert tree["question"] == 'Is it so that the client says "certificate expired"?'
    fixes = [n["title"] for n in tree["children"] if n["type"] == "solution"]
    assert "renew the user certificate from the portal." in fixes
    assert "<script" not in sanitise_html("<p>x</p><script>alert(1)</script>")


def test_unstructured_text_is_kept_as_one_solution() -> None:
    flow = _flow("onboarding-policy.html")
    assert flow["shape"] == "unstructured"
    tree = flow["tree_structure"]
    assert validate_tree(tree) == []
    [kept] = [
        n
        for n in tree["children"]
        if n["type"] == "solution" and n["title"] == "New starter equipment policy"
    ]
    assert "five working days" in kept["description"]


def test_many_symptoms_stay_within_five_options() -> None:
    text = "\n".join(f"## Symptom {n}\n\n1. Try a{n}\n2. Try b{n}\n" for n in range(8))
    tree = structure(parse_article("many.md", text))["tree_structure"]
    assert validate_tree(tree) == []
    assert len(tree["options"]) == 5 and tree["options"][-1]["label"] == "None of these"


async def test_articles_become_pending_proposals_once(db: AsyncSession) -> None:
    account = await create_account(db)
    await create_user(db, account, role="team_admin")
    articles = [_load(p.name) for p in sorted(ARTICLES.iterdir())]
    results = await article_service.import_articles(db, account=account, articles=articles)
    await db.commit()
    assert [r.status for r in results] == ["created"] * 4
    proposals = list((await db.execute(select(FlowProposal))).scalars())
    assert len(proposals) == 4
    assert {p.status for p in proposals} == {"pending"}
    assert {p.proposal_type for p in proposals} == {"new_flow"}
    notes = (await db.execute(select(func.count()).select_from(Notification))).scalar_one()
    assert notes == 4
    sessions = list((await db.execute(select(Session))).scalars())
    # Kept as analysed: the flywheel will not propose the same article a second time.
    assert {s.analysis_status for s in sessions} == {"completed"}

    again = await article_service.import_articles(db, account=account, articles=articles)
    await db.commit()
    assert [r.status for r in again] == ["already_present"] * 4
    assert (await db.execute(select(func.count()).select_from(FlowProposal))).scalar_one() == 4


async def test_a_bad_article_is_reported_and_the_rest_go_on(db: AsyncSession) -> None:
    account = await create_account(db)
    results = await article_service.import_articles(
        db,
        account=account,
        articles=[
            ("empty.md", "   \n"),
            _load("outlook-password-prompts.md"),
            ("nul.md", "a\x00b"),
        ],
    )
    await db.commit()
    assert [r.status for r in results] == ["error", "created", "error"]
    assert "is empty" in results[0].error and "NUL" in results[2].error
    assert (await db.execute(select(func.count()).select_from(Session))).scalar_one() == 1


class _Model:
    """A model that answers with a fixed text, and records what it was sent."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.sent: list[str] = []

    async def generate_json(
        self, system_prompt: str, messages: list[dict[str, Any]], max_tokens: int
    ) -> GenerationResult:
        self.sent.append(messages[0]["content"])
        return GenerationResult(self.answer, 10, 10, "test-model", "test", 0.0)


async def test_a_configured_model_builds_it_from_redacted_text(db: AsyncSession) -> None:
    account = await create_account(db)
    tree = structure(parse_article(*_load("vpn-checks.html")))["tree_structure"]
    model = _Model(
        json.dumps(
            {
                "title": "VPN will not connect",
                "description": "d",
                "match_keywords": ["vpn"],
                "problem_domain": "networking",
                "tree_structure": tree,
            }
        )
    )
    text = "# Reset\n\nCall jane.doe@example.com with password hunter2.\n\n1. a\n2. b\n"
    [result] = await article_service.import_articles(
        db,
        account=account,
        articles=[("reset.md", text)],
        provider=model,  # type: ignore[arg-type]
    )
    assert result.built_by == "model" and result.title == "VPN will not connect"
    assert "jane.doe@example.com" not in model.sent[0]

    broken = _Model("not json at all")
    [fallback] = await article_service.import_articles(
        db,
        account=account,
        articles=[_load("printer-troubleshooting.md")],
        provider=broken,  # type: ignore[arg-type]
    )
    assert fallback.built_by == "rules" and fallback.shape == "symptoms"


async def test_approving_an_article_proposal_publishes_its_flow(db: AsyncSession) -> None:
    account = await create_account(db)
    lead = await create_user(db, account, role="team_admin")
    [result] = await article_service.import_articles(
        db, account=account, articles=[_load("printer-troubleshooting.md")]
    )
    await db.commit()
    assert result.proposal_id is not None
    done = await review_service.review(
        db,
        account=account,
        proposal_id=result.proposal_id,
        reviewer=lead,
        body=ReviewIn(action="approve"),
    )
    await db.commit()
    assert done.status == "approved" and done.published_flow_id is not None
