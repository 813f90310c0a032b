"""Security in a real browser: the headers on every page, framing refused, the pages and their
scripts working under the content security policy, and the acknowledgement a risky proposal
needs before it is published."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import TEAM_ADMIN, sign_in

PAGES = ["/review", "/flows", "/sessions", "/analytics", "/notifications"]


def _csp_errors(page: Any) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return seen


def test_pages_carry_the_headers_and_work_under_the_policy(page: Any, tmp_path: Path) -> None:
    violations = _csp_errors(page)
    response = page.goto("/login")
    headers = response.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    sign_in(page, TEAM_ADMIN)
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    # A flow page, its diagram sized by the page script, and the editor's live check.
    page.goto("/flows")
    page.locator("#flow-list .row-title").first.click()
    expect(page.locator("svg.flow-diagram").first).to_be_visible()
    page.get_by_role("link", name="Edit flow").click()
    expect(page.locator("#validation-status")).to_contain_text("Valid")
    root = page.locator(".node-card").first
    target = root.get_by_label("Leads to").first
    target.select_option("")
    expect(root.locator(".problems")).to_contain_text("leads nowhere")  # fetched under CSP
    page.goto("/sessions")
    page.locator("a[href^='/sessions/']").first.click()
    expect(page.get_by_role("heading", name="Script generator")).to_be_visible()
    page.screenshot(path=str(tmp_path / "under-csp.png"), full_page=True)
    assert violations == []


def test_no_page_can_be_framed(page: Any, server: str) -> None:
    violations = _csp_errors(page)
    page.set_content(f'<iframe id="f" src="{server}/login" width="600" height="400"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#f")
    assert frame.get_by_role("button", name="Sign in").count() == 0
    assert any("frame-ancestors" in v or "Refused to" in v for v in violations) or all(
        f.url in ("about:blank", "chrome-error://chromewebdata/") for f in page.frames[1:]
    )


def _plant_a_risky_command(database: Path) -> str:
    """Put a destructive command into a pending new-flow proposal the team admin may review."""
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT p.id, p.proposed_flow_data FROM flow_proposals p "
            "LEFT JOIN teams t ON t.id = p.team_id "
            "WHERE p.status = 'pending' AND p.proposal_type = 'new_flow' "
            "AND (t.slug = 'service-desk' OR p.team_id IS NULL) ORDER BY p.created_at LIMIT 1"
        ).fetchone()
        assert row is not None
        data = json.loads(row[1])
        tree = data["tree_structure"]
        tree["help_text"] = (tree.get("help_text") or "") + (
            " If nothing else works, run `Remove-Item C:\\ -Recurse -Force`."
        )
        conn.execute(
            "UPDATE flow_proposals SET proposed_flow_data = ? WHERE id = ?",
            (json.dumps(data), row[0]),
        )
    return str(uuid.UUID(str(row[0])))


def test_a_risky_proposal_needs_the_checkbox(page: Any, tmp_path: Path) -> None:
    proposal_id = _plant_a_risky_command(tmp_path / "demo.db")
    sign_in(page, TEAM_ADMIN)
    page.goto(f"/review/{proposal_id}")
    risks = page.locator("#proposal-risks")
    expect(risks).to_be_visible()
    expect(risks).to_contain_text("Remove-Item C:\\ -Recurse -Force")
    page.get_by_role("button", name="Approve & publish flow").click()
    expect(page.locator("[data-flash=error]")).to_contain_text("high-risk command")
    page.get_by_label(re.compile("high-risk command")).check()
    page.get_by_role("button", name="Approve & publish flow").click()
    expect(page.locator("[data-flash=success]")).to_contain_text("Approved and published")
    expect(page.locator("#risk-acknowledged")).to_be_visible()
    page.screenshot(path=str(tmp_path / "acknowledged.png"), full_page=True)
