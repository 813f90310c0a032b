"""The web UI in a real browser, on the demo data: the review queue, publishing, the editor,
the dashboard and the script generator, as a team admin and as an engineer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import ENGINEER, TEAM_ADMIN, sign_in


def _queue_filtered(page: Any, proposal_type: str) -> None:
    page.goto("/review")
    page.get_by_label("Type").select_option(proposal_type)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(rf"type={proposal_type}"))


def test_filter_the_queue_and_open_a_proposal(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    expect(page.locator("[data-stat=pending]")).not_to_have_text("0")
    _queue_filtered(page, "new_flow")
    page.get_by_label("Sort by").select_option("sessions")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"sort=sessions"))
    rows = page.locator("#proposal-list tbody tr")
    assert rows.count() > 1
    for tag in page.locator("#proposal-list tbody td:nth-child(2) .tag").all_inner_texts():
        assert tag == "New flow"
    first = page.locator("#proposal-list .row-title").first
    title = first.inner_text()
    first.click()
    detail = page.locator("#proposal-detail")
    expect(detail.get_by_role("heading", name=title)).to_be_visible()
    expect(detail.locator("svg.flow-diagram")).to_be_visible()
    expect(detail.locator("#supporting-sessions a").first).to_be_visible()
    assert "type=new_flow" in page.url and "sort=sessions" in page.url  # state kept in the URL
    page.screenshot(path=str(tmp_path / "queue.png"), full_page=True)


def test_approve_a_new_flow_and_find_it_in_the_library(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    _queue_filtered(page, "new_flow")
    links = page.locator("#proposal-list .row-title")
    for index in range(links.count()):  # a team admin approves their own team's proposals
        links.nth(index).click()
        if page.get_by_role("button", name="Approve & publish flow").count():
            break
        page.go_back()
    else:
        raise AssertionError("no new flow could be approved")
    title = page.locator("#proposal-title").inner_text()
    page.get_by_label("Notes for the record").fill("Checked against two tickets")
    page.get_by_role("button", name="Approve & publish flow").click()
    expect(page.locator("[data-flash=success]")).to_contain_text("Approved and published")
    page.get_by_role("link", name="Open the published flow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.goto("/flows")
    page.get_by_role("searchbox", name="Search").fill(title[:40])
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#flow-list").get_by_role("link", name=title)).to_be_visible()
    expect(page.locator("#flow-list")).to_contain_text("AI generated")
    page.screenshot(path=str(tmp_path / "library.png"), full_page=True)


def test_publish_an_enhancement_as_version_two(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    _queue_filtered(page, "enhancement")
    links = page.locator("#proposal-list .row-title")
    for index in range(links.count()):
        links.nth(index).click()
        if page.get_by_role("button", name=re.compile("Approve & publish version")).count():
            break
        page.go_back()
    else:
        raise AssertionError("no enhancement could be approved")
    expect(page.locator("#flow-before svg, svg#flow-before")).to_be_visible()
    expect(page.locator("svg#flow-after")).to_be_visible()
    assert page.locator("svg#flow-after .fd-added").count() > 0
    assert page.locator("svg#flow-before .fd-added").count() == 0
    target = page.locator("#proposal-detail dd a[href^='/flows/']").first
    target_name = target.inner_text()
    page.screenshot(path=str(tmp_path / "before-after.png"), full_page=True)
    page.get_by_role("button", name="Approve & publish version 2").click()
    expect(page.locator("[data-flash=success]")).to_be_visible()
    page.get_by_role("link", name="Open the published flow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(target_name)
    expect(page.locator("#current-version")).to_have_text("Version 2")
    expect(page.locator("#version-list")).to_contain_text("Version 2")
    expect(page.locator("#comparison")).to_contain_text("Version 1 → 2")


def test_edit_a_flow_through_a_problem_and_publish(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    page.goto("/flows")
    page.locator("#flow-list .row-title").first.click()
    page.get_by_role("link", name="Edit flow").click()
    root = page.locator(".node-card").first
    expect(page.locator("#validation-status")).to_contain_text("Valid")
    target = root.get_by_label("Leads to").first
    original = target.input_value()
    target.select_option("")
    expect(root.locator(".problems")).to_contain_text("leads nowhere")
    expect(page.locator("#validation-status")).to_contain_text("problem")
    expect(page.locator("#publish")).to_be_disabled()
    expect(page.locator("svg#editor-flow .fd-has-problem").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "editor-problem.png"), full_page=True)
    target.select_option(original)
    title = root.get_by_label("Title")
    title.fill(title.input_value() + " (checked)")
    expect(page.locator("#validation-status")).to_contain_text("Valid")
    expect(root.locator(".problems")).to_be_hidden()
    page.get_by_label("What changed").fill("Clearer first question")
    page.locator("#publish").click()
    expect(page.locator("[data-flash=success]")).to_contain_text("Published version 2")
    expect(page.locator("#current-version")).to_have_text("Version 2")


def test_dashboard_period_switch_changes_the_charts(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    page.goto("/analytics?period=30")
    charts = page.locator(".chart svg")
    assert charts.count() >= 4
    month = page.locator("#chart-tiers").inner_html()
    page.get_by_role("link", name="7 days").click()
    page.wait_for_url(re.compile(r"period=7"))
    expect(page.get_by_role("link", name="7 days")).to_have_attribute("aria-current", "page")
    assert page.locator("#chart-tiers").inner_html() != month
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_generate_a_script_in_a_session(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    page.goto("/sessions?domain=networking")
    page.locator("#session-list .row-title").first.click()
    expect(page.locator("#transcript li").first).to_be_visible()
    page.get_by_label("What should the script do?").fill("flush the DNS cache and renew the IP")
    page.get_by_label("Language").select_option("powershell")
    page.get_by_role("button", name="Generate script").click()
    result = page.locator("#script-result")
    expect(result.locator("pre.script")).to_be_visible()
    assert len(result.locator("pre.script").inner_text()) > 50
    expect(result.get_by_role("button", name="Copy script")).to_be_visible()
    expect(page.locator("#script-history li").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "script.png"), full_page=True)


def test_engineers_get_no_review_buttons(page: Any, tmp_path: Path) -> None:
    sign_in(page, ENGINEER)
    page.goto("/review")
    page.locator("#proposal-list .row-title").first.click()
    expect(page.locator("#proposal-detail")).to_be_visible()
    assert page.locator("#proposal-detail button[name=action]").count() == 0
    assert page.get_by_role("link", name="Edit & publish").count() == 0
    page.goto("/flows")
    page.locator("#flow-list .row-title").first.click()
    assert page.get_by_role("link", name="Edit flow").count() == 0
    page.screenshot(path=str(tmp_path / "engineer.png"), full_page=True)


def test_narrow_window_keeps_pages_usable(page: Any, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 420, "height": 800})
    sign_in(page, TEAM_ADMIN)
    page.locator("#proposal-list .row-title").first.click()
    expect(page.locator("#proposal-detail")).to_be_visible()
    page.wait_for_load_state("load")  # measured once the styles apply, not mid-load
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 440, f"the page scrolls sideways ({width}px)"
    page.screenshot(path=str(tmp_path / "narrow.png"), full_page=True)
