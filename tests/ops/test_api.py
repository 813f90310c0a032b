"""Operations endpoints: liveness, readiness and the Prometheus metrics they expose."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.fixtures.api import World


def _samples(text: str, name: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for line in text.splitlines():
        match = re.match(rf"{name}\{{(.*)\}} ([0-9.e+]+)$", line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found


async def test_requests_are_counted_by_route_template_with_the_api_prefix(
    client: httpx.AsyncClient, world: World
) -> None:
    missing = uuid.uuid4()
    for _ in range(3):
        response = await client.get(
            f"/api/v1/flow-proposals/{missing}", headers=world.admin.headers
        )
        assert response.status_code == 404
    assert (await client.get("/api/v1/flows", headers=world.admin.headers)).status_code == 200
    assert (await client.get("/api/v1/no/such/thing")).status_code == 404

    text = (await client.get("/metrics")).text
    requests = _samples(text, "resolutionflow_http_requests_total")
    key = 'method="GET",route="/api/v1/flow-proposals/{proposal_id}",status="404"'
    assert requests.get(key, 0) >= 3
    assert requests.get('method="GET",route="/api/v1/flows",status="200"', 0) >= 1
    assert requests.get('method="GET",route="unmatched",status="404"', 0) >= 1
    # Ids never become label values.
    assert str(missing) not in text
    latency = _samples(text, "resolutionflow_http_request_seconds_count")
    assert latency.get('method="GET",route="/api/v1/flows"', 0) >= 1


async def test_liveness_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code in (200, 503)
    assert "database" in ready.text
