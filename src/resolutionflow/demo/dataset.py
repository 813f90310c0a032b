"""The bundled demo data set: Northwind MSP's people, flows and a month of troubleshooting sessions.

Everything is generated from a fixed seed and placed relative to `now`, so the same `now` always
gives the same sessions. The sessions are import lines (see the JSON Lines import format): the
demo goes through the same importer as any customer's data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

DEMO_ACCOUNT: dict[str, str] = {"slug": "northwind", "name": "Northwind MSP"}
# For the demo database only: every demo user signs in with it. Never use it anywhere real.
DEMO_PASSWORD = "demo-password"

EMAIL_DOMAIN = "northwind-msp.example"
SEED = 20240611
SERVICE_DESK = "service-desk"
PROJECTS = "projects"

_USERS: list[tuple[str, str, str, str | None]] = [
    ("admin", "Dana Whitfield", "admin", None),
    ("priya.raman", "Priya Raman", "team_admin", SERVICE_DESK),
    ("marcus.oyelaran", "Marcus Oyelaran", "team_admin", PROJECTS),
    ("sam.keller", "Sam Keller", "engineer", SERVICE_DESK),
    ("lena.novak", "Lena Novak", "engineer", SERVICE_DESK),
    ("tom.achebe", "Tom Achebe", "engineer", SERVICE_DESK),
    ("jo.martins", "Jo Martins", "engineer", PROJECTS),
]
# How many sessions that follow each flow exactly, by flow key.
_EXACT_COUNTS = {
    "printer-offline": 5,
    "m365-sign-in-loop": 5,
    "vpn-wont-connect": 4,
    "ad-account-lockout": 4,
    "slow-pc": 4,
    "backup-job-failure": 3,
    "wifi-drops": 3,
    "shared-mailbox-missing": 3,
    "mapped-drive-missing": 3,
    "monitor-no-signal": 2,
}
# Sessions that follow a flow at the analysis thresholds themselves (score exactly 0.5 and 0.8).
_EDGE_SCORES = [("ad-account-lockout", 0.5, "low"), ("mapped-drive-missing", 0.8, "medium")]
# Domains the projects team usually takes.
_PROJECT_DOMAINS = {"backup", "virtualization", "cloud", "security"}
# Minutes spent, by kind of session.
_MINUTES = {
    "exact": (8, 45),
    "diverged": (20, 90),
    "unmatched": (25, 150),
    "escalated": (30, 180),
    "abandoned": (5, 30),
}
_OK_DETAILS = ["Done, confirmed with the user", "Completed without errors"]
_FAIL_DETAILS = ["No change, same symptom afterwards", "Made no difference"]


def demo_users() -> list[dict[str, Any]]:
    """The demo account's people: one admin, two team admins, four engineers."""
    return [
        {"email": f"{local}@{EMAIL_DOMAIN}", "name": name, "role": role, "team": team}
        for local, name, role, team in _USERS
    ]


def load_demo_flows() -> list[dict[str, Any]]:
    """The bundled flows, in the flow import format (a fresh copy on every call)."""
    return _read_json("flows.json")


def demo_sessions(now: datetime) -> list[dict[str, Any]]:
    """Every demo session as an import line, oldest first, all within the 30 days before `now`."""
    now = (now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)).replace(
        microsecond=0
    )
    rng = random.Random(SEED)
    flows = {flow["key"]: flow for flow in load_demo_flows()}
    scenarios = _read_json("scenarios.json")
    walker = _Walker(rng, flows, scenarios["action_details"])
    drafts = [
        *_exact_drafts(rng, walker, scenarios["flow_summaries"]),
        *_diverged_drafts(rng, walker, scenarios["divergences"]),
        *_unmatched_drafts(rng, scenarios["unmatched_groups"]),
        *_unfinished_drafts(rng, walker, scenarios),
    ]
    for draft in drafts:
        _place(rng, draft, now)
    drafts.sort(key=lambda d: d["created"])
    _assign_people(rng, drafts)
    return [_as_line(number, draft) for number, draft in enumerate(drafts, start=1001)]


def _read_json(name: str) -> Any:
    path = resources.files("resolutionflow.demo").joinpath("data").joinpath(name)
    return json.loads(path.read_text(encoding="utf-8"))


def _pick(rng: random.Random, value: Any) -> Any:
    """Scenario fields may hold one value or a list to choose from."""
    return rng.choice(value) if isinstance(value, list) else value


def _question(
    text: str,
    options: list[tuple[str, str]],
    *,
    selected: str | None = None,
    free_text: str | None = None,
    skipped: bool = False,
) -> dict[str, Any]:
    step: dict[str, Any] = {
        "step_type": "question",
        "content": {"text": text, "type": "question"},
        "options_presented": [{"value": value, "label": label} for value, label in options],
    }
    if selected is not None:
        step["selected_option"] = selected
    if free_text:
        step["free_text_input"] = free_text
    if skipped:
        step["was_skipped"] = True
    return step


def _action(text: str, success: bool, details: str) -> dict[str, Any]:
    return {
        "step_type": "action",
        "content": {"text": text, "type": "action"},
        "action_result": {"success": success, "details": details},
    }


def _text_step(step_type: str, text: str) -> dict[str, Any]:
    return {"step_type": step_type, "content": {"text": text, "type": step_type}}


def _scripted(rng: random.Random, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Steps from the scenario notation: ask (pick / free / skip), do (ok, details), info."""
    steps = []
    for spec in specs:
        if "ask" in spec:
            steps.append(
                _question(
                    spec["ask"],
                    [tuple(option) for option in spec["options"]],
                    selected=None if spec.get("skip") else _pick(rng, spec.get("pick")),
                    free_text=_pick(rng, spec.get("free")),
                    skipped=bool(spec.get("skip")),
                )
            )
        elif "do" in spec:
            steps.append(_action(spec["do"], spec["ok"], _pick(rng, spec["details"])))
        else:
            steps.append(_text_step("info", spec["info"]))
    return steps


class _Walker:
    """Turns a path through a flow into the steps an engineer following it would record."""

    def __init__(
        self, rng: random.Random, flows: dict[str, Any], details: dict[str, list[list[str]]]
    ) -> None:
        self.rng = rng
        self.flows = flows
        self.details = details

    def walk(
        self, key: str, choose: Callable[[dict[str, Any]], dict[str, Any] | None]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Steps up to where `choose` stops (returns None) or a solution; and the node reached.

        An action counts as failed when the check after it is answered "still a problem" (its
        option id ends in -persists), which is how the flows are written.
        """
        tree = self.flows[key]["tree_structure"]
        index = {node["id"]: node for node in [tree, *tree["children"]]}
        steps: list[dict[str, Any]] = []
        node: dict[str, Any] = tree
        last_action: tuple[dict[str, Any], str] | None = None
        while node["type"] != "solution":
            if node["type"] == "action":
                ok, _ = self._details(key, node["id"])
                step = _action(node["title"], True, self.rng.choice(ok))
                steps.append(step)
                last_action = (step, node["id"])
                node = index[node["next_node_id"]]
                continue
            option = choose(node)
            if option is None:
                break
            if last_action is not None and option["id"].endswith("-persists"):
                step, action_id = last_action
                step["action_result"] = {
                    "success": False,
                    "details": self.rng.choice(self._details(key, action_id)[1]),
                }
            last_action = None
            options = [(o["id"], o["label"]) for o in node["options"]]
            steps.append(_question(node["question"], options, selected=option["id"]))
            node = index[option["next_node_id"]]
        return steps, node

    def follow(self, key: str, path: list[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Walk the given option ids, then on through actions; stop at the next decision."""
        remaining = list(path)

        def choose(node: dict[str, Any]) -> dict[str, Any] | None:
            if not remaining:
                return None
            wanted = remaining.pop(0)
            return next(o for o in node["options"] if o["id"] == wanted)

        return self.walk(key, choose)

    def wander(self, key: str, first: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Take `first` at the root, then any option, down to a solution."""
        return self.walk(
            key,
            lambda node: (
                next(o for o in node["options"] if o["id"] == first)
                if node["id"] == "root"
                else self.rng.choice(node["options"])
            ),
        )

    def _details(self, key: str, node_id: str) -> tuple[list[str], list[str]]:
        """What an engineer typically writes when this action works, and when it does not."""
        ok, fail = self.details.get(f"{key}/{node_id}", [[], []])
        return ok or _OK_DETAILS, fail or _FAIL_DETAILS


def _draft(kind: str, summary: str, domain: str | None, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "summary": summary, "domain": domain, **fields}


def _exact_drafts(
    rng: random.Random, walker: _Walker, summaries: dict[str, dict[str, list[str]]]
) -> list[dict[str, Any]]:
    drafts = []
    edges = dict((key, (score, tier)) for key, score, tier in _EDGE_SCORES)
    for key, count in _EXACT_COUNTS.items():
        pairs = [(first, text) for first, texts in summaries[key].items() for text in texts]
        chosen = rng.sample(pairs, count + (1 if key in edges else 0))
        for position, (first, summary) in enumerate(chosen):
            steps, solution = walker.wander(key, first)
            steps.append(_text_step("resolution", solution["title"]))
            score, tier = edges[key] if position == count else (rng.uniform(0.82, 0.97), "high")
            drafts.append(
                _draft(
                    "exact",
                    summary,
                    walker.flows[key]["problem_domain"],
                    flow=key,
                    match_score=score,
                    tier=tier,
                    confidence=rng.uniform(0.78, 0.95),
                    resolution=solution["description"],
                    steps=steps,
                )
            )
    return drafts


def _diverged_drafts(
    rng: random.Random, walker: _Walker, divergences: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    drafts = []
    for spec in divergences:
        for summary, free_text in zip(spec["summaries"], spec["free_text"], strict=True):
            steps, node = walker.follow(spec["flow"], spec["path"])
            options = [(o["id"], o["label"]) for o in node["options"]]
            steps.append(_question(node["question"], options, free_text=free_text))
            steps += _scripted(rng, spec["steps"])
            steps.append(_text_step("resolution", spec["resolution"]))
            drafts.append(
                _draft(
                    "diverged",
                    summary,
                    spec["domain"],
                    flow=spec["flow"],
                    match_score=spec.get("match_score") or rng.uniform(0.55, 0.79),
                    tier="medium",
                    confidence=rng.uniform(0.55, 0.75),
                    resolution=spec["resolution"],
                    steps=steps,
                )
            )
    return drafts


def _unmatched_drafts(rng: random.Random, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    drafts = []
    for group in groups:
        for position, summary in enumerate(group["summaries"]):
            script = group["scripts"][position % len(group["scripts"])]
            steps = _scripted(rng, script["steps"])
            steps.append(_text_step("resolution", script["resolution"]))
            # A quarter scored a weak, unused match against some flow; the rest matched nothing.
            low = rng.random() < 0.25
            drafts.append(
                _draft(
                    "unmatched",
                    summary,
                    group["domain"],
                    flow=None,
                    match_score=rng.uniform(0.25, 0.45) if low else None,
                    tier="low" if low else "discovery",
                    confidence=rng.uniform(0.2, 0.5),
                    resolution=script["resolution"],
                    steps=steps,
                )
            )
    return drafts


def _unfinished_drafts(
    rng: random.Random, walker: _Walker, scenarios: dict[str, Any]
) -> list[dict[str, Any]]:
    """Escalated, abandoned and still-active sessions: no resolution."""
    drafts = []
    for kind, specs in (
        ("escalated", scenarios["escalations"]),
        ("abandoned", scenarios["abandoned"]),
        ("active", scenarios["active"]),
    ):
        for spec in specs:
            key = spec.get("flow")
            steps = walker.follow(key, spec["path"])[0] if key else []
            steps += _scripted(rng, spec["steps"])
            score = rng.uniform(0.62, 0.93) if key else None
            tier = "discovery" if score is None else "high" if score > 0.8 else "medium"
            drafts.append(
                _draft(
                    kind,
                    spec["summary"],
                    spec["domain"],
                    flow=key,
                    match_score=score,
                    tier=tier,
                    confidence=rng.uniform(0.25, 0.6),
                    resolution=None,
                    steps=steps,
                    status=spec.get("status", kind),
                    reason=spec.get("reason"),
                )
            )
    return drafts


def _place(rng: random.Random, draft: dict[str, Any], now: datetime) -> None:
    """Pick when the session started (working hours, mostly weekdays) and stamp its steps."""
    if draft["kind"] == "active":
        draft["minutes"] = None
        draft["created"] = now - timedelta(minutes=rng.randint(65, 200))
        end = now - timedelta(minutes=rng.randint(2, 30))
    else:
        low, high = _MINUTES[draft["kind"]]
        draft["minutes"] = rng.randint(low, high)
        draft["created"] = _start_time(rng, now, draft["minutes"])
        end = draft["created"] + timedelta(minutes=draft["minutes"])
    draft["ended"] = end
    span = (end - draft["created"]).total_seconds()
    steps = draft["steps"]
    marks = sorted(rng.uniform(0.05, 0.95) for _ in steps)
    for step, mark in zip(steps, marks, strict=True):
        at = (
            end
            if step["step_type"] == "resolution"
            else draft["created"] + timedelta(seconds=int(span * mark))
        )
        step["responded_at"] = _iso(at)


def _start_time(rng: random.Random, now: datetime, minutes: int) -> datetime:
    earliest = now - timedelta(days=30) + timedelta(hours=1)
    latest = now - timedelta(minutes=max(60, minutes + 15))
    for _ in range(200):
        day = (now - timedelta(days=rng.randrange(30))).replace(hour=0, minute=0, second=0)
        start = day + timedelta(
            minutes=rng.randint(7 * 60 + 30, 17 * 60 + 30), seconds=rng.randint(0, 59)
        )
        weekend = start.weekday() >= 5
        if earliest <= start <= latest and not (weekend and rng.random() < 0.85):
            return start
    return earliest + (latest - earliest) * rng.random()


def _assign_people(rng: random.Random, drafts: list[dict[str, Any]]) -> None:
    """An engineer and team per session, and the PSA ticket it was logged against."""
    people = [u for u in demo_users() if u["team"]]
    desk = [u for u in people if u["team"] == SERVICE_DESK]
    projects = [u for u in people if u["team"] == PROJECTS]
    without_ticket = set(rng.sample(range(len(drafts)), 5))
    for position, draft in enumerate(drafts):
        prefer_projects = draft["domain"] in _PROJECT_DOMAINS or draft["kind"] == "escalated"
        pool = projects if prefer_projects == (rng.random() < 0.8) else desk
        engineer = rng.choice(pool)
        draft["engineer"], draft["team"] = engineer["email"], engineer["team"]
        if position in without_ticket:
            draft["psa"] = (None, None)
        elif engineer["team"] == PROJECTS:
            draft["psa"] = ("autotask", f"T{draft['created']:%Y%m%d}.{position + 1:04d}")
        elif rng.random() < 0.85:
            draft["psa"] = ("connectwise", f"CW-{48100 + position * 7 + rng.randint(0, 6)}")
        else:
            draft["psa"] = ("halopsa", f"HALO-{10230 + position}")


def _as_line(number: int, draft: dict[str, Any]) -> dict[str, Any]:
    score = draft["match_score"]
    line: dict[str, Any] = {
        "external_id": f"DEMO-{number}",
        "problem_summary": draft["summary"],
        "status": draft.get("status", "resolved"),
        "problem_domain": draft["domain"],
        "team": draft["team"],
        "engineer": draft["engineer"],
    }
    if draft["flow"]:
        line["matched_flow"] = draft["flow"]
    line |= {
        "match_score": None if score is None else round(score, 2),
        "confidence_tier": draft["tier"],
        "confidence_score": round(draft["confidence"], 2),
        "resolution_summary": draft["resolution"],
        "escalation_reason": draft.get("reason"),
        "psa_provider": draft["psa"][0],
        "psa_ticket_id": draft["psa"][1],
        "time_spent_minutes": draft["minutes"],
        "created_at": _iso(draft["created"]),
    }
    if draft["kind"] != "active":
        line["resolved_at"] = _iso(draft["ended"])
    line["steps"] = draft["steps"]
    return line


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
