"""What each role may do (SPEC §1)."""

from __future__ import annotations

from resolutionflow.errors import Forbidden

ENGINEER = "engineer"
TEAM_ADMIN = "team_admin"
ADMIN = "admin"
REVIEWERS = frozenset({TEAM_ADMIN, ADMIN})
ADMINS = frozenset({ADMIN})


def require_reviewer(role: str) -> None:
    if role not in REVIEWERS:
        raise Forbidden("only team admins and admins can do this")


def require_admin(role: str) -> None:
    if role not in ADMINS:
        raise Forbidden("only account admins can do this")


def can_review(role: str) -> bool:
    return role in REVIEWERS


def may_review_team(role: str, own_team: object, proposal_team: object) -> bool:
    """A team admin reviews their own team's proposals and the account-wide ones (no team);
    an admin reviews all of the account's."""
    if role == ADMIN:
        return True
    return role == TEAM_ADMIN and (proposal_team is None or proposal_team == own_team)


def require_team_review(role: str, own_team: object, proposal_team: object) -> None:
    if not may_review_team(role, own_team, proposal_team):
        raise Forbidden(
            "team admins review their own team's proposals and account-wide ones; "
            "this proposal belongs to another team"
        )
