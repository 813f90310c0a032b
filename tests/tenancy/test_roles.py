"""Each write route refuses the roles that may not act (403) and serves those that may."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.routes import PUBLIC, WRITE_ROLES, api_routes, body_for, fill, seed_objects
from tests.fixtures.api import World


async def test_every_write_route_is_classified(app: Any) -> None:
    writes = {(m, p) for m, p in api_routes(app) if m != "GET"} - PUBLIC
    missing = writes - set(WRITE_ROLES)
    assert not missing, f"routes without a role decision: {sorted(missing)}"


async def test_roles_on_write_routes(
    app: Any, client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    objects = await seed_objects(db, world.account, world)
    people = {"engineer": world.engineer, "team_admin": world.team_admin, "admin": world.admin}
    routes = [r for r in api_routes(app) if r in WRITE_ROLES]
    # Refusals first: they change nothing, so every allowed call still finds its object.
    for role in ("engineer", "team_admin", "admin"):
        for method, path in routes:
            if role in WRITE_ROLES[(method, path)]:
                continue
            body, content = body_for(method, path)
            response = await client.request(
                method,
                fill(path, objects.ids),
                headers=people[role].headers,
                json=body,
                content=content,
            )
            assert response.status_code == 403, f"{role} {method} {path}: {response.status_code}"
    for method, path in routes:
        if path.endswith("/auth/logout"):
            continue
        for role in sorted(WRITE_ROLES[(method, path)]):
            body, content = body_for(method, path)
            response = await client.request(
                method,
                fill(path, objects.ids),
                headers=people[role].headers,
                json=body,
                content=content,
            )
            assert response.status_code != 403, f"{role} {method} {path}: {response.text[:200]}"
            assert response.status_code < 500, f"{role} {method} {path}: {response.text[:200]}"
