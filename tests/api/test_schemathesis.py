"""schemathesis against /openapi.json as an admin: no 5xx, no answer that breaks the schema."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from schemathesis import checks  # noqa: E402
from schemathesis.python import asgi  # noqa: E402

from resolutionflow.app import create_app  # noqa: E402
from resolutionflow.config import Settings  # noqa: E402
from resolutionflow.db import dispose_engines, unit_of_work  # noqa: E402
from tests.api.routes import seed_objects  # noqa: E402
from tests.fixtures.api import make_person  # noqa: E402
from tests.helpers import create_account  # noqa: E402

MAX_EXAMPLES = 25
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> dict[str, Any]:
    text = value if isinstance(value, str) else str(value)
    return {"data": text.encode("utf-8")}


@dataclass
class Seeded:
    token: str
    ids: dict[str, str]


async def _seed(settings: Settings) -> Seeded:
    @dataclass
    class People:
        engineer: Any

    async with unit_of_work(settings) as db:
        account = await create_account(db, slug="fuzzed", name="Fuzzed")
        admin = await make_person(db, account, "admin")
        engineer = await make_person(db, account, "engineer")
        await db.commit()
        objects = await seed_objects(db, account, People(engineer=engineer))
    await dispose_engines()
    return Seeded(token=admin.token, ids=objects.ids)


def test_the_api_keeps_to_its_schema(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOLUTIONFLOW_DATABASE_URL", database_url)
    settings = Settings(database_url=database_url, secret_key="fuzz", rate_limit_enabled=False)
    seeded = asyncio.run(_seed(settings))
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {seeded.token}"}
    picker = random.Random(4)
    failures: list[str] = []
    operations = 0
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            if not operation.path.startswith("/api/v1"):
                continue
            operations += 1

            @given(case=operation.as_strategy())
            @hypothesis_settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                # Half the time aim at objects that exist, so the routes do real work.
                if case.path_parameters and picker.random() < 0.5:
                    for name in list(case.path_parameters):
                        if name in seeded.ids:
                            case.path_parameters[name] = seeded.ids[name]
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    finally:
        asgi._get_portal().call(dispose_engines)
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
