"""Everyday use in a real browser: readable diagrams, the API docs offline, reject with a
reason and reopen, the notification badge, the gap report page and the analytics table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import TEAM_ADMIN, sign_in

ADMIN = "admin@northwind-msp.example"

# Measured in the page with getBBox: label boxes that overlap one another or a node, and
# nodes or labels outside the drawing's view box (clipped).
DIAGRAM_CHECK = """() => [...document.querySelectorAll("svg.flow-diagram")].map((svg) => {
  const vb = svg.viewBox.baseVal;
  const labels = [...svg.querySelectorAll(".fd-label")].map((g) => [g.getBBox(), g.textContent]);
  const nodes = [...svg.querySelectorAll(".fd-node")].map((g) => [g.getBBox(), g.dataset.node]);
  const hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width
    && a.y < b.y + b.height && b.y < a.y + a.height;
  const inside = (b) => b.x >= vb.x - 0.5 && b.y >= vb.y - 0.5
    && b.x + b.width <= vb.x + vb.width + 0.5 && b.y + b.height <= vb.y + vb.height + 0.5;
  const problems = [];
  labels.forEach(([a, ta], i) => labels.slice(i + 1).forEach(([b, tb]) => {
    if (hit(a, b)) problems.push(`labels overlap: ${ta} / ${tb}`);
  }));
  labels.forEach(([a, ta]) => nodes.forEach(([b, id]) => {
    if (hit(a, b)) problems.push(`label on a node: ${ta} / ${id}`);
  }));
  nodes.forEach(([b, id]) => { if (!inside(b)) problems.push(`node clipped: ${id}`); });
  labels.forEach(([b, t]) => { if (!inside(b)) problems.push(`label clipped: ${t}`); });
  const wrap = svg.closest(".diagram");
  return {id: svg.id, labels: labels.length, problems,
          scale: svg.getBoundingClientRect().width / vb.width,
          actual: wrap ? wrap.classList.contains("actual") : null};
})"""


def _diagrams(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(DIAGRAM_CHECK)


def test_diagrams_have_clear_labels_and_no_clipped_node(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    page.goto("/flows")
    flows = [a.get_attribute("href") for a in page.locator("#flow-list .row-title").all()]
    page.goto("/review?type=enhancement")
    proposals = [a.get_attribute("href") for a in page.locator("#proposal-list .row-title").all()]
    assert len(flows) >= 5 and proposals
    largest: tuple[int, str, str] = (0, "", "")
    for url in flows + proposals:
        page.goto(url)
        for found in _diagrams(page):
            assert not found["problems"], (url, found["id"], found["problems"])
            largest = max(largest, (found["labels"], url, found["id"]))
    assert largest[0] >= 15, largest  # the demo's largest flow was among them
    page.goto(largest[1])
    wrap = page.locator(f"#{largest[2]}-wrap")
    toggle = page.locator(f'[data-toggle-size="{largest[2]}-wrap"]')
    if toggle.inner_text() == "Fit to width":
        toggle.click()
    expect(toggle).to_have_text("Actual size")  # now fitted
    fitted = next(d for d in _diagrams(page) if d["id"] == largest[2])
    assert not fitted["actual"] and fitted["scale"] >= 0.74, fitted  # text stays readable
    wrap.screenshot(path=str(tmp_path / "largest-fitted.png"))


def test_api_docs_work_offline(page: Any) -> None:
    # Every request to another host fails the test (the page fixture), so the docs must come
    # from this server alone.
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/docs")
    expect(page.locator(".opblock-tag").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/api/v1/flow-proposals/{proposal_id}/reopen")).to_be_attached()
    assert not [e for e in errors if "Content Security Policy" in e and "script" in e], errors
    page.goto("/redoc")
    expect(page.get_by_role("heading", name=re.compile("ResolutionFlow"))).to_be_visible(
        timeout=20_000
    )
    page.goto("/login")  # the fixture's closing screenshot of the long reference takes too long


def _open_pending_new_flow(page: Any) -> str:
    page.goto("/review?type=new_flow")
    page.locator("#proposal-list .row-title").first.click()
    expect(page.locator("#proposal-detail")).to_be_visible()
    return page.locator("#proposal-title").inner_text()


def test_reject_asks_for_a_reason_and_an_admin_reopens(page: Any, tmp_path: Path) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/review")
    title = _open_pending_new_flow(page)
    confirm = page.get_by_role("button", name="Confirm rejection")
    expect(confirm).to_be_hidden()  # one click does not reject
    page.locator("#reject-box summary").click()
    expect(confirm).to_be_visible()
    confirm.click()  # no reason yet: the browser keeps the form open
    assert page.evaluate("document.querySelector('#reject_reason').validity.valueMissing")
    expect(page.locator("#proposal-detail .tag").filter(has_text="Rejected")).to_have_count(0)
    page.get_by_label("Why reject it?").fill("Same fix as the spooler flow")
    confirm.click()
    expect(page.locator("[data-flash=success]")).to_contain_text("Rejected")
    expect(page.locator("#reviewer-note")).to_have_text("Same fix as the spooler flow")
    page.get_by_label("Reason for reopening").fill("The spooler flow does not cover it")
    page.get_by_role("button", name="Reopen for review").click()
    expect(page.locator("[data-flash=success]")).to_contain_text("pending again")
    expect(page.locator("#proposal-title")).to_have_text(title)
    expect(page.locator("#reviewer-note")).to_contain_text("was rejected: Same fix")
    expect(page.get_by_role("button", name="Dismiss for now")).to_be_visible()
    page.screenshot(path=str(tmp_path / "reopened.png"), full_page=True)


def _badge(page: Any) -> int:
    pill = page.locator(".bell .count-pill")
    return int(pill.inner_text()) if pill.count() else 0


def test_badge_drops_after_decisions_and_wording(page: Any) -> None:
    sign_in(page, TEAM_ADMIN)
    before = _badge(page)
    assert before > 0
    page.goto("/notifications")
    expect(page.locator("#notification-list")).not_to_contain_text("New new")
    expect(page.locator("#notification-list")).to_contain_text("New flow to review")
    # Decide a proposal that has a notification: the badge loses exactly that one.
    link = page.locator("#notification-list li.unread a[href^='/review/']").first
    link.click()
    page.get_by_role("button", name="Dismiss for now").click()
    expect(page.locator("[data-flash=success]")).to_contain_text("Dismissed")
    assert _badge(page) == before - 1


def test_gap_report_has_its_own_page(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gaps").click()
    page.wait_for_url(re.compile(r"/gaps"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge gaps")
    titles = page.locator("#gaps .gap-title").all_inner_texts()
    assert titles
    for title in titles:  # sentences, not "Label: code"
        assert not re.search(r":\s*[a-z0-9_]+$", title), title
    page.goto("/analytics")
    assert page.locator("#gaps").count() == 0
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, height
    page.screenshot(path=str(tmp_path / "gaps.png"), full_page=True)


def test_tiers_table_fits_its_panel(page: Any) -> None:
    sign_in(page, TEAM_ADMIN)
    for width in (1280, 960, 420):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/analytics")
        sizes = page.evaluate("""() => {
          const wrap = document.querySelector('#tier-table').closest('.table-wrap');
          return [wrap.scrollWidth, wrap.clientWidth, document.documentElement.scrollWidth];
        }""")
        assert sizes[0] <= sizes[1] + 1, (width, sizes)  # every column shows, none cut off
        assert sizes[2] <= width, (width, sizes)


def _largest_flow(page: Any) -> str:
    page.goto("/flows")
    best = (0, "")
    for link in [a.get_attribute("href") for a in page.locator("#flow-list .row-title").all()]:
        page.goto(link)
        count = page.locator("svg.flow-diagram .fd-node").count()
        best = max(best, (count, link))
    assert best[0] >= 15, best
    return best[1]


def test_editor_folds_nodes_and_edits_beside_the_diagram(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    page.goto(_largest_flow(page) + "/edit")
    cards = page.locator("#node-cards .node-card")
    expect(cards).to_have_count(15)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2600, f"the editor is {height}px tall for 15 nodes"
    assert page.locator("#node-cards .node-body:visible").count() == 1  # only the start
    # Clicking a node in the diagram opens its card for editing.
    page.locator("#editor-flow .fd-solution").first.click()
    opened = page.locator("#node-cards .node-card .node-toggle[aria-expanded=true]")
    expect(opened).to_have_count(2)
    # The diagram stays beside the cards while editing far down the list.
    last = cards.last
    last.locator(".node-toggle").click()
    last.get_by_label("Title").fill("Renamed at the bottom")
    cards_box = page.locator("#node-cards").bounding_box()
    side = page.locator(".editor-side").bounding_box()
    assert side["x"] > cards_box["x"] + cards_box["width"] - 1
    assert 0 <= side["y"] < 800, side  # still in the window
    expect(page.locator("#editor-flow")).to_contain_text("Renamed at the bottom")
    page.get_by_role("button", name="Close all").click()
    assert page.locator("#node-cards .node-body:visible").count() == 0
    page.get_by_role("button", name="Open all").click()
    assert page.locator("#node-cards .node-body:visible").count() == 15
    page.screenshot(path=str(tmp_path / "editor.png"), full_page=True)


def test_write_a_new_flow_from_scratch(page: Any, tmp_path: Path) -> None:
    sign_in(page, TEAM_ADMIN)
    page.goto("/flows")
    page.get_by_role("link", name="New flow").click()
    page.wait_for_url(re.compile(r"/flows/new"))
    expect(page.get_by_role("button", name="Publish the new flow")).to_be_disabled()
    page.get_by_label("Name", exact=True).fill("Badge reader shows red")
    page.get_by_label("Problem domain").select_option("hardware")
    page.get_by_label("Match keywords").fill("badge, door, reader")
    start = page.locator("#card-n0")
    start.get_by_label("Title").fill("Reader light")
    start.get_by_label("Question", exact=True).fill("What does the reader show?")
    start.get_by_label("Option 1 label").fill("Red for every badge")
    start.locator("#n0-o0-target").select_option("__new__:solution")
    page.locator("#card-n1").get_by_label("Title").fill("Restart the door controller")
    start.get_by_label("Option 2 label").fill("Red for one badge only")
    start.locator("#n0-o1-target").select_option("__new__:solution")
    page.locator("#card-n2").get_by_label("Title").fill("Re-enrol the badge")
    publish = page.get_by_role("button", name="Publish the new flow")
    expect(publish).to_be_enabled(timeout=10_000)
    expect(page.locator("#editor-flow .fd-node")).to_have_count(3)
    publish.click()
    expect(page.locator("[data-flash=success]")).to_contain_text("Published the new flow")
    expect(page.get_by_role("heading", level=1)).to_have_text("Badge reader shows red")
    expect(page.locator("svg.flow-diagram .fd-node")).to_have_count(3)
    page.screenshot(path=str(tmp_path / "new-flow.png"), full_page=True)


def test_admin_pages_manage_users_tokens_and_webhook(page: Any, tmp_path: Path) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/review")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.wait_for_url(re.compile(r"/admin/users"))
    form = page.locator("#add-user-form")
    form.get_by_label("Email").fill("new.tech@northwind-msp.example")
    form.get_by_label("Name").fill("New Tech")
    form.get_by_label("Role").select_option("engineer")
    form.get_by_role("button", name="Add user").click()
    expect(page.locator("[data-flash=success]")).to_contain_text("Added new.tech")
    row = page.locator("tr[data-user='new.tech@northwind-msp.example']")
    row.get_by_role("button", name="Disable new.tech@northwind-msp.example").click()
    expect(page.locator("[data-flash=success]")).to_contain_text("can no longer sign in")
    expect(row).to_contain_text("Disabled")
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Teams").click()
    page.get_by_label("Name").fill("Night shift")
    page.get_by_label("Slug").fill("night-shift")
    page.get_by_role("button", name="Add team").click()
    expect(page.locator("#team-list")).to_contain_text("Night shift")
    nav = page.get_by_role("navigation", name="Administration")
    nav.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("psa-connector")
    page.get_by_role("button", name="Issue token").click()
    token = page.locator("#issued-token-value").inner_text().strip()
    assert len(token) > 20
    page.goto("/admin/tokens")  # shown once
    expect(page.locator("#issued-token")).to_have_count(0)
    page.get_by_role("button", name="Revoke the token psa-connector").click()
    expect(page.locator("tr[data-token=psa-connector]")).to_contain_text("Revoked")
    nav.get_by_role("link", name="Webhook").click()
    page.get_by_label("Webhook address").fill("http://127.0.0.1:9/hook")
    page.get_by_role("button", name="Save webhook").click()
    expect(page.locator("[data-flash=error]")).to_be_visible()  # not a public https address
    page.screenshot(path=str(tmp_path / "admin.png"), full_page=True)
