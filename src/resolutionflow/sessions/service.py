"""Creating sessions with their steps, adding steps, and resolving or escalating them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.accounts import service as accounts_service
from resolutionflow.errors import BadRequest, Conflict, Invalid, NotFound, Problem
from resolutionflow.flows import service as flows_service
from resolutionflow.models import Account, Flow, Session, SessionStep, Team, User
from resolutionflow.models.base import utcnow
from resolutionflow.sessions import repository as repo
from resolutionflow.sessions.ingest import (
    analysis_status_for,
    default_tier,
    session_problems,
    session_times,
    step_problems,
    step_values,
)
from resolutionflow.sessions.schemas import EscalateIn, ResolveIn, SessionIn, StepIn
from resolutionflow.tenancy.scope import get_scoped


class References:
    """Resolves team slugs, engineer emails and flow keys of one account, caching as it goes.

    Unknown teams and engineers are created (engineers without a password, so they cannot sign
    in until an admin sets one) when `create_missing` is set; unknown flow keys are errors.
    """

    def __init__(self, db: AsyncSession, account: Account, *, create_missing: bool = True) -> None:
        self.db = db
        self.account = account
        self.create_missing = create_missing
        self.teams: dict[str, Team] = {}
        self.users: dict[str, User] = {}
        self.flows: dict[str, Flow] = {}
        self.created_teams: list[str] = []
        self.created_engineers: list[str] = []

    async def prefetch(self, items: list[SessionIn]) -> None:
        teams = {i.team for i in items if i.team}
        emails = {i.engineer.lower() for i in items if i.engineer}
        keys = {i.matched_flow for i in items if i.matched_flow}
        self.teams.update(
            await accounts_service.teams_by_slugs(self.db, account_id=self.account.id, slugs=teams)
        )
        self.users.update(await accounts_service.users_by_emails(self.db, emails=emails))
        self.flows.update(
            await flows_service.flows_by_keys(self.db, account_id=self.account.id, keys=keys)
        )

    def forget(self, teams: list[str], emails: list[str]) -> None:
        """Drop entries created inside a rolled-back savepoint."""
        for slug in teams:
            self.teams.pop(slug, None)
            self.created_teams.remove(slug)
        for email in emails:
            self.users.pop(email, None)
            self.created_engineers.remove(email)

    async def flow(self, data: SessionIn) -> tuple[Flow | None, list[Problem]]:
        if data.matched_flow:
            flow = self.flows.get(data.matched_flow)
            if flow is None:
                found = await flows_service.flows_by_keys(
                    self.db, account_id=self.account.id, keys=[data.matched_flow]
                )
                flow = found.get(data.matched_flow)
                if flow is None:
                    return None, [
                        Problem("matched_flow", f"no flow with key '{data.matched_flow}'")
                    ]
                self.flows[data.matched_flow] = flow
            return flow, []
        if data.matched_flow_id:
            found_ids = await flows_service.flows_by_ids(
                self.db, account_id=self.account.id, ids=[data.matched_flow_id]
            )
            if data.matched_flow_id not in found_ids:
                return None, [Problem("matched_flow_id", f"no flow {data.matched_flow_id}")]
            return found_ids[data.matched_flow_id], []
        return None, []

    async def check_people(self, data: SessionIn) -> list[Problem]:
        problems: list[Problem] = []
        if data.engineer:
            email = data.engineer.lower()
            user = self.users.get(email)
            if user is None:
                user = await accounts_service.find_user_by_email(self.db, email=email)
                if user is not None:
                    self.users[email] = user
            if user is not None and user.account_id != self.account.id:
                problems.append(Problem("engineer", f"'{data.engineer}' cannot be used here"))
            elif user is None and not self.create_missing:
                problems.append(Problem("engineer", f"no engineer '{data.engineer}'"))
            elif user is None and "@" not in data.engineer:
                problems.append(Problem("engineer", f"'{data.engineer}' is not an email address"))
        if data.team and self.teams.get(data.team) is None and not self.create_missing:
            problems.append(Problem("team", f"no team '{data.team}'"))
        if data.team_id:
            team = await self.db.get(Team, data.team_id)
            if team is None or team.account_id != self.account.id:
                problems.append(Problem("team_id", f"no team {data.team_id}"))
        if data.engineer_id:
            user = await self.db.get(User, data.engineer_id)
            if user is None or user.account_id != self.account.id:
                problems.append(Problem("engineer_id", f"no engineer {data.engineer_id}"))
        return problems

    async def team_id(self, data: SessionIn) -> uuid.UUID | None:
        if data.team_id:
            return data.team_id
        if not data.team:
            return None
        team = self.teams.get(data.team)
        if team is None:
            team = await accounts_service.team_by_slug(
                self.db, account_id=self.account.id, slug=data.team
            )
        if team is None:
            team = await accounts_service.add_imported_team(
                self.db, account_id=self.account.id, slug=data.team
            )
            self.created_teams.append(data.team)
        self.teams[data.team] = team
        return team.id

    async def engineer_id(self, data: SessionIn, team_id: uuid.UUID | None) -> uuid.UUID | None:
        if data.engineer_id:
            return data.engineer_id
        if not data.engineer:
            return None
        email = data.engineer.lower()
        user = self.users.get(email) or await accounts_service.find_user_by_email(
            self.db, email=email
        )
        if user is None:
            user = await accounts_service.add_imported_engineer(
                self.db, account_id=self.account.id, team_id=team_id, email=data.engineer.strip()
            )
            self.created_engineers.append(email)
        self.users[email] = user
        return user.id


async def check_session(refs: References, data: SessionIn) -> tuple[Flow | None, list[Problem]]:
    """Every problem with `data` that can be known before writing anything."""
    problems = session_problems(data)
    flow, flow_problems = await refs.flow(data)
    problems += flow_problems
    problems += await refs.check_people(data)
    return flow, problems


async def create_session(
    db: AsyncSession,
    *,
    account: Account,
    data: SessionIn,
    refs: References | None = None,
    engineer: User | None = None,
    external_id_checked: bool = False,
) -> Session:
    """Store a session with its steps. Raises Invalid listing every problem; writes nothing then.

    A session whose external_id the account already has is a Conflict (the importer, which
    counts those as already present, checks first and says so with `external_id_checked`).
    """
    if (
        data.external_id
        and not external_id_checked
        and await repo.existing_external_ids(db, account.id, [data.external_id])
    ):
        raise Conflict(f"a session with external_id '{data.external_id}' already exists")
    refs = refs or References(db, account)
    flow, problems = await check_session(refs, data)
    if problems:
        raise Invalid("the session is not valid", problems=problems)
    now = utcnow()
    team_id = await refs.team_id(data)
    engineer_id = await refs.engineer_id(data, team_id)
    if engineer is not None and engineer_id is None:
        engineer_id = engineer.id
        team_id = team_id or engineer.team_id
    created, resolved = session_times(data, now)
    has_match = flow is not None
    session = Session(
        id=uuid.uuid4(),
        account_id=account.id,
        team_id=team_id,
        engineer_id=engineer_id,
        external_id=data.external_id,
        problem_summary=data.problem_summary,
        problem_domain=data.problem_domain,
        status=data.status,
        confidence_tier=data.confidence_tier or default_tier(data.match_score, has_match),
        confidence_score=data.confidence_score if data.confidence_score is not None else 0.0,
        matched_flow_id=flow.id if flow else None,
        match_score=data.match_score,
        resolution_summary=data.resolution_summary,
        escalation_reason=data.escalation_reason,
        psa_provider=data.psa_provider,
        psa_ticket_id=data.psa_ticket_id,
        customer=data.customer.strip() if data.customer and data.customer.strip() else None,
        time_spent_minutes=data.time_spent_minutes,
        created_at=created,
        resolved_at=resolved,
        analysis_status=analysis_status_for(data.status),
        analysis_attempts=0,
    )
    await repo.add_session(db, session)
    await _insert_steps(db, session, data.steps, first_order=0)
    if flow is not None:
        flow.usage_count = (flow.usage_count or 0) + 1
    if data.status != "active":
        await repo.bump_data_version(db, account.id)
    return session


async def _insert_steps(
    db: AsyncSession, session: Session, steps: list[StepIn], *, first_order: int
) -> None:
    if not steps:
        return
    rows: list[dict[str, Any]] = []
    for position, step in enumerate(steps):
        order = step.step_order if step.step_order is not None else first_order + position
        values = step_values(step, order)
        values.update(id=uuid.uuid4(), session_id=session.id, account_id=session.account_id)
        rows.append(values)
    await repo.insert_steps(db, rows)


async def get_session(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str
) -> Session:
    return await get_scoped(db, Session, session_id, account.id, what="session")


async def get_steps(db: AsyncSession, *, session: Session) -> list[SessionStep]:
    return await repo.steps_of(db, session.id)


async def list_sessions(
    db: AsyncSession,
    *,
    account: Account,
    analysis_status: str | None = None,
    status: str | None = None,
    domain: str | None = None,
    skip: int = 0,
    limit: int | None = None,
) -> list[Session]:
    return await repo.list_sessions(
        db,
        account.id,
        analysis_status=analysis_status,
        status=status,
        domain=domain,
        skip=skip,
        limit=limit,
    )


async def append_steps(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, steps: list[StepIn]
) -> list[SessionStep]:
    session = await get_session(
        db,
        account=account,
        session_id=session_id,
    )
    if session.status != "active":
        raise BadRequest(f"session is {session.status}; steps can only be added while active")
    existing = {s.step_order for s in await repo.steps_of(db, session.id)}
    first = max(existing) + 1 if existing else 0
    problems = step_problems(steps, first_order=first)
    for position, step in enumerate(steps):
        if step.step_order is not None and step.step_order in existing:
            problems.append(
                Problem(f"steps[{position}].step_order", f"{step.step_order} is already used")
            )
    if problems:
        raise Invalid("the steps are not valid", problems=problems)
    await _insert_steps(db, session, steps, first_order=first)
    return await repo.steps_of(db, session.id)


async def resolve_session(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, data: ResolveIn
) -> Session:
    session = await get_session(db, account=account, session_id=session_id)
    if session.status not in ("active", "requesting_escalation"):
        raise BadRequest(f"session is already {session.status}")
    session.status = "resolved"
    session.resolved_at = utcnow()
    if data.resolution_summary is not None:
        session.resolution_summary = data.resolution_summary
    if data.time_spent_minutes is not None:
        session.time_spent_minutes = data.time_spent_minutes
    if data.confidence_score is not None:
        session.confidence_score = data.confidence_score
    session.analysis_status = analysis_status_for("resolved")
    session.analysis_error = None
    await repo.bump_data_version(db, account.id)
    await db.flush()
    return session


async def escalate_session(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, data: EscalateIn
) -> Session:
    session = await get_session(db, account=account, session_id=session_id)
    allowed = ("active",) if data.requesting else ("active", "requesting_escalation")
    if session.status not in allowed:
        raise BadRequest(f"session is already {session.status}")
    session.status = "requesting_escalation" if data.requesting else "escalated"
    session.escalation_reason = data.escalation_reason
    session.resolved_at = utcnow()
    if data.time_spent_minutes is not None:
        session.time_spent_minutes = data.time_spent_minutes
    session.analysis_status = analysis_status_for(session.status)
    await repo.bump_data_version(db, account.id)
    await db.flush()
    return session


async def proposal_of(db: AsyncSession, *, account: Account, session_id: uuid.UUID) -> Any:
    """The proposal a session produced or was merged into, if any (a FlowProposal)."""
    return await repo.proposal_about_session(db, account.id, session_id)


async def retry_analysis(db: AsyncSession, *, account: Account, session: Session) -> None:
    """Queue a failed analysis again with a fresh attempt count."""
    if session.analysis_status != "failed":
        raise BadRequest(
            f"only failed analyses can be retried (this one is {session.analysis_status})"
        )
    await repo.requeue_failed(db, account_id=account.id, session_ids=[session.id])


async def retry_failed(
    db: AsyncSession,
    *,
    account: Account | None = None,
    session_ids: list[uuid.UUID] | None = None,
) -> int:
    """Queue failed analyses again: these sessions, or every one of an account, or of all."""
    return await repo.requeue_failed(
        db, account_id=account.id if account else None, session_ids=session_ids
    )


async def analysis_counts(db: AsyncSession, *, account: Account | None = None) -> dict[str, int]:
    """Sessions per analysis status, of one account or of all (for metrics)."""
    return await repo.counts_by_analysis_status(db, account_id=account.id if account else None)


# One step at a time, as the runner records them. Two tabs (or two clients) on one session
# must not lose or overwrite each other's steps: step_order is unique per session, so a race
# fails the insert, which is retried at the next free order; a caller that names the order it
# expects (a page showing the session as it was) gets a Conflict instead when the session has
# moved on, so a step is never recorded against a stale view.
STEP_INSERT_ATTEMPTS = 5
STALE_VIEW = "the session changed since this page was loaded (in another tab?); reload it"


async def add_step(
    db: AsyncSession,
    *,
    account: Account,
    session_id: uuid.UUID | str,
    step: StepIn,
    expected_order: int | None = None,
) -> int:
    """Append one step to an active session; returns its step_order."""
    session = await get_session(db, account=account, session_id=session_id)
    if session.status != "active":
        raise BadRequest(f"session is {session.status}; steps can only be added while active")
    for _ in range(STEP_INSERT_ATTEMPTS):
        order = await repo.next_step_order(db, session.id)
        if expected_order is not None and expected_order != order:
            raise Conflict(STALE_VIEW)
        problems = step_problems([step], first_order=order)
        if problems:
            raise Invalid("the step is not valid", problems=problems)
        try:
            async with db.begin_nested():
                await _insert_steps(
                    db, session, [step.model_copy(update={"step_order": order})], first_order=order
                )
        except IntegrityError:
            if expected_order is not None:
                raise Conflict(STALE_VIEW) from None
            continue
        return order
    raise Conflict("the session is being changed by someone else; try again")


async def remove_last_step(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, expected_order: int
) -> None:
    """Step back: delete the latest step of an active session, if the caller saw it latest."""
    session = await get_session(db, account=account, session_id=session_id)
    if session.status != "active":
        raise BadRequest(f"session is {session.status}; only an active session can step back")
    order = await repo.next_step_order(db, session.id)
    if order != expected_order:
        raise Conflict(STALE_VIEW)
    if order == 0:
        raise BadRequest("there is no step to go back from")
    if not await repo.delete_step(db, session.id, order - 1):
        raise Conflict(STALE_VIEW)


def set_walk_score(session: Session, match_score: float | None) -> None:
    """Record how closely the session followed its flow, and the confidence tier it implies
    (the same tier an imported session with that score gets)."""
    session.match_score = match_score
    session.confidence_tier = default_tier(match_score, session.matched_flow_id is not None)


async def abandon_session(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str
) -> Session:
    """Give up on an active session: it counts in gaps and analytics, and is not analysed."""
    session = await get_session(db, account=account, session_id=session_id)
    if session.status != "active":
        raise BadRequest(f"session is already {session.status}")
    session.status = "abandoned"
    session.resolved_at = utcnow()
    session.analysis_status = analysis_status_for("abandoned")
    await repo.bump_data_version(db, account.id)
    await db.flush()
    return session


async def find_session(db: AsyncSession, *, ref: str, account: Account | None = None) -> Session:
    """A session by its internal id or its external (PSA or chat) id, for the command line.

    Without an account an external id may name sessions of several accounts: that is an
    error asking for the account, never a guess."""
    found = await repo.sessions_by_ref(db, ref.strip(), account.id if account else None)
    by_id = [s for s in found if str(s.id) == ref.strip().lower()]
    if by_id:
        return by_id[0]
    where = f" in account {account.slug}" if account else ""
    if not found:
        raise NotFound(f"no session with id or external id '{ref}'{where}")
    if len(found) > 1:
        raise BadRequest(
            f"external id '{ref}' names sessions in {len(found)} accounts: say which with --account"
        )
    return found[0]


# -- the account's data version: caches of reports derived from sessions key on it -------------


async def data_version(db: AsyncSession, *, account_id: uuid.UUID) -> int:
    return await repo.data_version(db, account_id)


async def data_changed(db: AsyncSession, *, account_id: uuid.UUID) -> None:
    """Mark the account's session data as changed, so cached reports are computed again."""
    await repo.bump_data_version(db, account_id)
