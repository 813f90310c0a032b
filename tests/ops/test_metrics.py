"""Route templates for metric labels."""

from __future__ import annotations

from resolutionflow.ops.metrics import RouteTemplates, route_label


def test_literal_segments_win_over_parameters_and_ids_never_leak() -> None:
    templates = RouteTemplates(
        [
            "/api/v1/flow-proposals/{proposal_id}",
            "/api/v1/flow-proposals/stats",
            "/api/v1/flows/{flow_id}/versions/{version}",
            "/api/v1/files/{name:path}",
        ]
    )
    assert templates.match("/api/v1/flow-proposals/stats") == "/api/v1/flow-proposals/stats"
    assert templates.match("/api/v1/flow-proposals/123") == "/api/v1/flow-proposals/{proposal_id}"
    assert (
        templates.match("/api/v1/flows/a/versions/2")
        == "/api/v1/flows/{flow_id}/versions/{version}"
    )
    assert templates.match("/api/v1/files/a/b/c") == "/api/v1/files/{name:path}"
    assert templates.match("/api/v1/flows/a/versions") is None
    assert route_label({"path": "/api/v1/flows/x/versions"}, templates) == "unmatched"
