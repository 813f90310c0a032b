"""The analysis queue's state changes: finish, fail, retry later, wait; the backoff.

Pure functions on a claimed, locked Session row; the SQL that claims, leases and counts the
queue is in `flywheel/repository.py`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from resolutionflow.models import Session


def complete(session: Session, *, now: datetime, proposal_id: uuid.UUID | None = None) -> None:
    session.analysis_status = "completed"
    if proposal_id is not None:
        session.proposal_id = proposal_id
    session.analysis_error = None
    session.analyzed_at = now
    session.lease_owner = None
    session.lease_expires_at = None
    session.analysis_not_before = None


def fail(session: Session, *, error: str, now: datetime) -> None:
    session.analysis_status = "failed"
    session.analysis_error = error[:4000]
    session.analyzed_at = now
    session.lease_owner = None
    session.lease_expires_at = None


def retry_later(session: Session, *, error: str, at: datetime) -> None:
    session.analysis_status = "pending"
    session.analysis_error = error[:4000]
    session.analysis_not_before = at
    session.lease_owner = None
    session.lease_expires_at = None


def wait_until(session: Session, *, at: datetime, reason: str) -> None:
    """Park the session (budget spent); the claim it used does not count as an attempt."""
    session.analysis_status = "waiting"
    session.analysis_error = reason
    session.analysis_not_before = at
    session.analysis_attempts = max(0, session.analysis_attempts - 1)
    session.lease_owner = None
    session.lease_expires_at = None


def backoff_delay(
    attempt: int, *, base_seconds: float = 30.0, cap_seconds: float = 3600.0
) -> float:
    """Exponential backoff: 30 s, 60 s, 120 s, ... capped at an hour."""
    return min(cap_seconds, base_seconds * (2 ** max(0, attempt - 1)))
