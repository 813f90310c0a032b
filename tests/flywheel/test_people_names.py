"""The account's users' names stay out of proposals: call logs name the engineer who took it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.text.clean import person_names, without_names
from tests.fixtures.desk import Desk, assert_nothing_lost, import_lines, proposals
from tests.flywheel.test_worker import novel
from tests.helpers import create_user

NAMES = ("thorvald", "quennell", "brannoch", "ivelle")


async def _people(db: AsyncSession, desk: Desk) -> None:
    for name in ("Thorvald Quennell", "Brannoch Ivelle"):
        user = await create_user(db, desk.account)
        user.name = name
    await db.commit()


def _shown(proposal: object) -> str:
    p = proposal
    text = [p.title, p.description or "", *p.match_keywords, *p.supporting_summaries]  # type: ignore[attr-defined]
    return " ".join(text).lower()


async def test_a_users_name_in_the_call_log_is_not_in_the_proposal(
    db: AsyncSession, desk: Desk
) -> None:
    await _people(db, desk)
    session = novel(
        "p1",
        "Thorvald picked this up: Teams camera not detected after update",
        "Quennell found the camera privacy switch off",
    )
    session["resolution_summary"] = "Brannoch Ivelle turned camera access back on"
    await import_lines(db, desk.account, [session])
    stats = await desk.drain()
    assert stats.outcomes == {"proposed": 1}
    [proposal] = await proposals(db)
    shown = _shown(proposal)
    assert "camera" in shown  # the problem itself is kept
    for name in NAMES:
        assert name not in shown, name
    await assert_nothing_lost(db)


async def test_merged_proposals_stay_free_of_users_names(db: AsyncSession, desk: Desk) -> None:
    await _people(db, desk)
    await import_lines(
        db,
        desk.account,
        [
            novel("q1", "Teams camera not detected after Windows update - Thorvald"),
            novel("q2", "Quennell: Teams camera not detected since Windows update"),
            novel("q3", "Camera not detected in Teams after Windows update (Brannoch on it)"),
        ],
    )
    stats = await desk.drain()
    assert stats.outcomes == {"proposed": 1, "merged": 2}
    [proposal] = await proposals(db)
    shown = _shown(proposal)
    assert "teams camera" in shown
    for name in NAMES:
        assert name not in shown, name


def test_person_names_whole_and_by_part() -> None:
    assert person_names(["Thorvald  Quennell", "Al Li", "", "Thorvald Quennell"]) == [
        "Thorvald Quennell",
        "Thorvald",
        "Quennell",
        "Al Li",
    ]
    names = person_names(["Thorvald Quennell"])
    text = "Reported as: Thorvald picked this up.\nResolved by: restarting the dock"
    assert (
        without_names(text, names)
        == "Reported as: picked this up.\nResolved by: restarting the dock"
    )
    assert without_names("Nothing to take out", names) == "Nothing to take out"
    untouched = "First paragraph.\n\n  Second, as written  "
    assert without_names(untouched, names) == untouched
    assert without_names("Fixed (Quennell) today.\n\nThen Thorvald, again", names) == (
        "Fixed today.\n\nThen, again"
    )
