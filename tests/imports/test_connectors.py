"""Pull connectors against local fake PSA servers: paging, incremental, resumable, rate limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.errors import BadRequest, Invalid
from resolutionflow.imports import connectors
from resolutionflow.imports.clients import PsaError
from resolutionflow.models import Account, Session
from tests.helpers import create_account
from tests.imports.fakes import FAKES, FakePsa

EXPECTED = {
    "connectwise": {
        "connectwise:48213": "resolved",
        "connectwise:48230": "resolved",
        "connectwise:48241": "escalated",
        "connectwise:48255": "active",
    },
    "autotask": {
        "autotask:7411": "resolved",
        "autotask:7412": "resolved",
        "autotask:7413": "escalated",
        "autotask:7414": "active",
    },
    "halopsa": {
        "halopsa:1021": "resolved",
        "halopsa:1022": "resolved",
        "halopsa:1023": "escalated",
    },
}


@pytest.fixture(params=sorted(FAKES))
def fake(request: pytest.FixtureRequest) -> Iterator[FakePsa]:
    server = FAKES[request.param]().start()
    yield server
    server.stop()


async def _no_sleep(seconds: float) -> None:
    return None


async def _setup(db: AsyncSession, fake: FakePsa, **creds: Any) -> Account:
    account = await create_account(db)
    connectors.configure(
        account,
        vendor=fake.vendor,
        base_url=fake.base_url,
        credentials={**fake.credentials, **creds},
    )
    await db.commit()
    return account


async def _pull(db: AsyncSession, account: Account, fake: FakePsa, page_size: int = 2) -> list[Any]:
    """Pull page by page, committing each, as the command does."""
    results = []
    async with connectors.client_for(
        account, fake.vendor, page_size=page_size, sleep=_no_sleep
    ) as client:
        while True:
            result = await connectors.pull_page(
                db, account=account, vendor=fake.vendor, client=client
            )
            await db.commit()
            results.append(result)
            if result.done:
                return results


async def _sessions(db: AsyncSession) -> dict[str, str]:
    rows = await db.execute(select(Session.external_id, Session.status))
    return {external_id: status for external_id, status in rows}


async def test_pull_pages_through_every_ticket(db: AsyncSession, fake: FakePsa) -> None:
    account = await _setup(db, fake)
    results = await _pull(db, account, fake)
    assert await _sessions(db) == EXPECTED[fake.vendor]
    assert len(results) >= 2  # two tickets a page
    assert sum(r.summary.stored for r in results) == len(EXPECTED[fake.vendor])
    mark = results[-1].cursor
    assert mark.next_page is None and mark.updated_since is not None
    customers = set((await db.execute(select(Session.customer))).scalars())
    assert None not in customers or fake.vendor == "autotask"


async def test_pulling_again_changes_nothing_and_asks_only_for_updates(
    db: AsyncSession, fake: FakePsa
) -> None:
    account = await _setup(db, fake)
    await _pull(db, account, fake)
    before = (
        await db.execute(
            select(Session.id, Session.external_id, Session.status).order_by(Session.external_id)
        )
    ).all()
    fake.calls.clear()
    results = await _pull(db, account, fake)
    assert sum(r.summary.stored + r.summary.updated for r in results) == 0
    after = (
        await db.execute(
            select(Session.id, Session.external_id, Session.status).order_by(Session.external_id)
        )
    ).all()
    assert after == before
    asked = " ".join(fake.calls)
    assert "lastUpdated" in asked or "lastupdatefromdate" in asked or "Tickets/query" in asked


async def test_rate_limits_and_server_errors_are_retried(db: AsyncSession, fake: FakePsa) -> None:
    account = await _setup(db, fake)
    fake.faults.extend([(429, {"Retry-After": "7"}), (503, {}), (429, {"Retry-After": "2"})])
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with connectors.client_for(account, fake.vendor, page_size=10, sleep=sleep) as client:
        result = await connectors.pull_page(db, account=account, vendor=fake.vendor, client=client)
    await db.commit()
    assert result.done and await _sessions(db) == EXPECTED[fake.vendor]
    assert waits[0] == 7.0 and waits[2] == 2.0 and 0 < waits[1] <= 1


async def test_refused_credentials_are_a_clear_error_and_nothing_is_written(
    db: AsyncSession, fake: FakePsa
) -> None:
    wrong = {
        "connectwise": {"private_key": "nope"},
        "autotask": {"secret": "nope"},
        "halopsa": {"client_secret": "nope"},
    }[fake.vendor]
    account = await _setup(db, fake, **wrong)
    with pytest.raises(PsaError, match=r"refused the .*credentials"):
        await _pull(db, account, fake)
    await db.rollback()
    assert await _sessions(db) == {}


async def test_a_stopped_pull_resumes_from_its_page(db: AsyncSession, fake: FakePsa) -> None:
    account = await _setup(db, fake)
    async with connectors.client_for(account, fake.vendor, page_size=2, sleep=_no_sleep) as client:
        first = await connectors.pull_page(db, account=account, vendor=fake.vendor, client=client)
        await db.commit()
        assert not first.done and first.cursor.next_page
        fake.faults.extend([(400, {})])
        with pytest.raises(PsaError, match="400"):
            await connectors.pull_page(db, account=account, vendor=fake.vendor, client=client)
        await db.rollback()
    await db.refresh(account)
    await connectors.record_failure(db, account=account, vendor=fake.vendor, error="stopped")
    await db.commit()
    assert len(await _sessions(db)) == 2
    fake.calls.clear()
    await _pull(db, account, fake)
    assert await _sessions(db) == EXPECTED[fake.vendor]
    # The resumed run began at the page it had reached, not the first one.
    first_call = fake.calls[0] if fake.vendor != "halopsa" else fake.calls[1]
    assert "page=2" in first_call or "page_no=2" in first_call or "query/next" in first_call


async def test_credentials_are_sealed_at_rest(db: AsyncSession) -> None:
    account = await create_account(db)
    shown = connectors.configure(
        account,
        vendor="connectwise",
        base_url="https://na.myconnectwise.net/v4_6_release/apis/3.0",
        credentials={
            "company_id": "acme",
            "public_key": "pub",
            "private_key": "very-private-key",
            "client_id": "c0ffee",
        },
        webhook_secret="hook-secret",
    )
    await db.commit()
    assert shown["credentials"] == ["client_id", "company_id", "private_key", "public_key"]
    raw = (await db.execute(text("SELECT settings FROM accounts"))).scalar_one()
    raw_text = raw if isinstance(raw, str) else json.dumps(raw)
    assert "very-private-key" not in raw_text and "hook-secret" not in raw_text
    assert connectors.webhook_secret(account, "connectwise") == "hook-secret"


async def test_bad_connector_settings_list_every_problem(db: AsyncSession) -> None:
    account = await create_account(db)
    with pytest.raises(Invalid) as caught:
        connectors.configure(
            account,
            vendor="autotask",
            base_url="ftp://user:pw@psa",
            credentials={"username": "x", "colour": "blue"},
        )
    where = {p.location for p in caught.value.problems}
    assert where == {
        "base_url",
        "credentials.secret",
        "credentials.integration_code",
        "credentials.colour",
    }
    with pytest.raises(BadRequest, match="no halopsa connector"):
        connectors.client_for(account, "halopsa")


async def test_a_next_page_on_another_site_is_refused(db: AsyncSession) -> None:
    fake = FAKES["autotask"]().start()
    try:
        account = await _setup(db, fake)
        mark = await connectors.cursor(db, account=account, vendor="autotask")
        mark.next_page = "https://elsewhere.example/ATServicesRest/V1.0/Tickets/query/next?p=1"
        await db.commit()
        async with connectors.client_for(account, "autotask", sleep=_no_sleep) as client:
            with pytest.raises(PsaError, match="another site"):
                await connectors.pull_page(db, account=account, vendor="autotask", client=client)
    finally:
        fake.stop()
