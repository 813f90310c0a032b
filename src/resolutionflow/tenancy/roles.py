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
