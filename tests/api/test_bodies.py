"""Bad request bodies anywhere: 422 naming what is wrong and where, and nothing half-written."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow import models
from resolutionflow.tenancy import security
from tests.api.routes import api_routes, body_for, fill, seed_objects
from tests.fixtures.api import World
from tests.helpers import create_flow, session_line, simple_tree

SKIP = {
    ("POST", "/api/v1/auth/logout"),  # takes no body
    ("POST", "/api/v1/sessions/import"),  # JSON Lines: bad lines are reported per line
}


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


async def row_counts(db: AsyncSession) -> dict[str, int]:
    await db.commit()
    out = {}
    for table in models.Base.metadata.sorted_tables:
        out[table.name] = int(
            (await db.execute(select(func.count()).select_from(table))).scalar_one()
        )
    return out


def problems_of(response: httpx.Response) -> list[str]:
    body = response.json()
    assert body["error"] == "invalid", body
    assert body["problems"], body
    for p in body["problems"]:
        assert set(p) == {"location", "message"} and p["message"], p
    return [p["location"] for p in body["problems"]]


def resolve_schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def wrong_value(value: Any) -> Any:
    """A value of a type the field cannot take."""
    return [1, 2] if isinstance(value, dict) else {"wrong": [1]}


async def test_every_write_route_refuses_bad_bodies_and_writes_nothing(
    app: Any, client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    objects = await seed_objects(db, world.account, world)
    spec = app.openapi()
    before = await row_counts(db)
    h = world.admin.headers
    walked: list[str] = []
    for method, path in api_routes(app):
        if method not in ("POST", "PUT", "PATCH") or (method, path) in SKIP:
            continue
        operation = spec["paths"][path][method.lower()]
        if "requestBody" not in operation:
            continue
        url = fill(path, objects.ids)
        valid, _ = body_for(method, path)
        assert valid is not None, f"no valid body known for {method} {path}"
        where = f"{method} {path}"
        walked.append(where)

        for bad in ([], "text", 12):
            response = await client.request(method, url, json=bad, headers=h)
            assert response.status_code == 422, (where, bad, response.text)
            problems_of(response)

        garbage = await client.request(
            method, url, content=b'{"a": ', headers={**h, "Content-Type": "application/json"}
        )
        assert garbage.status_code == 422, (where, garbage.text)
        problems_of(garbage)

        unknown = await client.request(method, url, json={**valid, "zz_unknown": 1}, headers=h)
        assert unknown.status_code == 422, (where, unknown.text)
        assert "zz_unknown" in problems_of(unknown)

        for key, value in valid.items():
            response = await client.request(
                method, url, json={**valid, key: wrong_value(value)}, headers=h
            )
            assert response.status_code == 422, (where, key, response.text)
            assert any(loc.startswith(key) for loc in problems_of(response)), (where, key)

        schema = resolve_schema(
            spec, operation["requestBody"]["content"]["application/json"]["schema"]
        )
        required = schema.get("required", [])
        if required:
            response = await client.request(method, url, json={}, headers=h)
            assert response.status_code == 422, (where, response.text)
            assert set(required) <= set(problems_of(response)), (where, required)
    assert len(walked) >= 12, walked
    assert await row_counts(db) == before


def tree_with_problems() -> tuple[dict[str, Any], set[str]]:
    """A tree with one problem in each of several nodes, and the node ids they are at."""
    tree = simple_tree()
    tree["options"].append({"id": "o-3", "label": "", "next_node_id": "done"})  # empty label
    tree["children"][0]["next_node_id"] = "ghost"  # 'restart' leads nowhere
    tree["children"][1]["next_node_id"] = "done"  # 'power' is a solution that leads on
    tree["children"].append(
        {
            "id": "island",
            "type": "solution",
            "title": "Unreachable",
            "options": [],
            "next_node_id": None,
        }
    )
    return tree, {"root", "restart", "power", "island"}


async def test_flow_trees_get_every_problem_listed(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    flow = await create_flow(db, world.account, key="printer-offline")
    await db.commit()
    before = await row_counts(db)
    tree, expected = tree_with_problems()
    h = world.team_admin.headers
    created = await client.post(
        "/api/v1/flows", json={"name": "X", "tree_structure": tree}, headers=h
    )
    assert created.status_code == 422
    assert expected <= set(problems_of(created)), created.json()
    updated = await client.put(f"/api/v1/flows/{flow.id}", json={"tree_structure": tree}, headers=h)
    assert updated.status_code == 422
    assert expected <= set(problems_of(updated))
    not_a_tree = await client.post(
        "/api/v1/flows", headers=h, json={"name": "X", "tree_structure": {"type": "solution"}}
    )
    assert not_a_tree.status_code == 422 and problems_of(not_a_tree)
    review = await client.post(
        "/api/v1/flows",
        headers=h,
        json={"name": "", "key": "has space", "problem_domain": "plumbing", "tree_structure": tree},
    )
    assert review.status_code == 422
    assert {"name", "key", "problem_domain"} <= set(problems_of(review))
    assert await row_counts(db) == before
    got = (await client.get(f"/api/v1/flows/{flow.id}", headers=h)).json()
    assert got["version"] == 1


async def test_session_steps_get_every_problem_listed(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    before = await row_counts(db)
    h = world.engineer.headers
    typed = session_line(
        steps=[
            {"step_type": "thinking", "content": {"text": "?"}},
            {"step_type": "question", "step_order": -1},
            {"step_type": "question", "options_presented": [{"value": "", "label": "Yes"}]},
            {"step_type": "action", "action_result": {"details": "no success flag"}},
        ]
    )
    response = await client.post("/api/v1/sessions", json=typed, headers=h)
    assert response.status_code == 422
    locations = problems_of(response)
    for expected in (
        "steps[0].step_type",
        "steps[1].step_order",
        "steps[2].options_presented[0].value",
        "steps[3].action_result.success",
    ):
        assert expected in locations, locations
    crossed = session_line(
        status="active",
        steps=[
            {
                "step_type": "question",
                "selected_option": "maybe",
                "options_presented": [
                    {"value": "yes", "label": "Yes"},
                    {"value": "yes", "label": "Y"},
                ],
            },
            {"step_type": "info", "step_order": 0},
        ],
    )
    response = await client.post("/api/v1/sessions", json=crossed, headers=h)
    assert response.status_code == 422
    locations = problems_of(response)
    for expected in (
        "steps[0].selected_option",
        "steps[0].options_presented",
        "steps[1].step_order",
        "resolved_at",
    ):
        assert expected in locations, locations
    session = (
        await client.post(
            "/api/v1/sessions", headers=h, json=session_line(status="active", resolved_at=None)
        )
    ).json()
    after_one = await row_counts(db)
    appended = await client.post(
        f"/api/v1/sessions/{session['id']}/steps",
        headers=h,
        json={
            "steps": [
                {"step_type": "info", "content": {"text": "ok"}},
                {"step_type": "question", "selected_option": "x"},
            ]
        },
    )
    assert appended.status_code == 422
    assert problems_of(appended) == ["steps[1].selected_option"]
    empty = await client.post(
        f"/api/v1/sessions/{session['id']}/steps", headers=h, json={"steps": []}
    )
    assert empty.status_code == 422 and problems_of(empty) == ["steps"]
    assert await row_counts(db) == after_one
    assert after_one["sessions"] == before["sessions"] + 1


async def test_other_bodies_say_what_is_wrong(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    objects = await seed_objects(db, world.account, world)
    before = await row_counts(db)
    h = world.admin.headers
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("PUT", "/api/v1/account/settings", {"webhook_url": "not a url"}, "webhook_url"),
        ("PUT", "/api/v1/account/settings", {"webhook_format": "discord"}, "webhook_format"),
        ("POST", "/api/v1/flow-proposals/{proposal_id}/review", {"action": "publish"}, "action"),
        (
            "POST",
            "/api/v1/flow-proposals/{proposal_id}/review",
            {"action": "modify", "modified_flow_data": "tree"},
            "modified_flow_data",
        ),
        ("POST", "/api/v1/users", {"email": "x@example.com", "role": "owner"}, "role"),
        ("POST", "/api/v1/users", {"email": "x@example.com", "password": "short"}, "password"),
        ("POST", "/api/v1/teams", {"slug": "Has Caps", "name": "T"}, "slug"),
        ("POST", "/api/v1/notifications/read", {"ids": ["not-a-uuid"]}, "ids[0]"),
        (
            "POST",
            "/api/v1/sessions/{session_id}/resolve",
            {"confidence_score": 1.5},
            "confidence_score",
        ),
        ("POST", "/api/v1/sessions", {**session_line(), "match_score": -0.1}, "match_score"),
        ("POST", "/api/v1/sessions", {**session_line(), "created_at": "yesterday"}, "created_at"),
    ]
    for method, path, body, location in cases:
        response = await client.request(method, fill(path, objects.ids), json=body, headers=h)
        assert response.status_code == 422, (path, body, response.text)
        assert location in problems_of(response), (path, response.json())
    assert await row_counts(db) == before


async def test_nul_characters_are_refused_before_the_database(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    """PostgreSQL cannot store NUL in text or JSON; it must be a 422, not a failed write."""
    before = await row_counts(db)
    h = world.admin.headers
    body = session_line(problem_summary="Printer\x00 offline")
    body["steps"][0]["content"]["text"] = "Is it\x00 online?"
    response = await client.post("/api/v1/sessions", json=body, headers=h)
    assert response.status_code == 422
    assert set(problems_of(response)) == {"problem_summary", "steps[0].content.text"}
    login = await client.post("/api/v1/auth/login", json={"email": "a\x00@b.c", "password": "x"})
    assert login.status_code == 422 and problems_of(login) == ["email"]
    search = await client.get("/api/v1/flows", params={"q": "print\x00er"}, headers=h)
    assert search.status_code == 422 and problems_of(search) == ["query.q"]
    line = json.dumps(session_line(external_id="nul-1", resolution_summary="done\x00"))
    imported = await client.post(
        "/api/v1/sessions/import",
        content=line + "\n",
        headers={**h, "Content-Type": "application/x-ndjson"},
    )
    assert imported.status_code == 200
    assert imported.json()["errors"] == [
        {"line": 1, "field": "resolution_summary", "message": "must not contain a NUL character"}
    ]
    assert await row_counts(db) == before


async def test_numbers_beyond_the_columns_are_refused(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    flow = await create_flow(db, world.account)
    await db.commit()
    h = world.admin.headers
    huge = 2**63
    for url, params in [
        (f"/api/v1/flows/{flow.id}/versions/{huge}", None),
        (f"/api/v1/flows/{flow.id}/compare", {"from": 1, "to": huge}),
        ("/api/v1/sessions", {"skip": huge}),
    ]:
        response = await client.get(url, params=params, headers=h)
        assert response.status_code == 422, (url, response.text)
    put = await client.put(f"/api/v1/flows/{flow.id}", json={"base_version": huge}, headers=h)
    assert put.status_code == 422 and problems_of(put) == ["base_version"]
