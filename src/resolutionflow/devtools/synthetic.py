"""Synthetic resolved sessions in the import format: a realistic mix of the three analysis paths.

Used by benchmarks and multi-process tests. Sessions that follow a flow walk it for real
(questions with the flow's options, the option taken, actions that worked, its solution);
divergent ones answer one question with free text; novel ones come from a set of problem
templates with varied wording, so similar problems recur and merge.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from resolutionflow.flows.structure import node_index

NOVEL_PROBLEMS = [
    ("endpoint", "Teams camera not detected after Windows update", "Camera privacy switch was off"),
    ("endpoint", "OneDrive stuck on processing changes", "Sync database corrupted, reset OneDrive"),
    ("endpoint", "Autopilot enrollment fails with 80180014", "Device was still in another tenant"),
    ("m365", "Outlook search returns no results", "Rebuilt the Windows search index"),
    ("m365", "Shared calendar shows free busy only", "Permission was set to availability only"),
    ("networking", "DHCP scope exhausted at branch office", "Shortened the lease time"),
    ("networking", "DNS resolution slow for internal names", "Removed a dead forwarder"),
    ("security", "Defender quarantined line of business app", "Added an allow indicator"),
    ("hardware", "Docking station ethernet drops", "Updated the dock firmware"),
    ("printing", "Label printer prints blank labels", "Recalibrated the media sensor"),
    ("backup", "Veeam job slow after storage move", "Repository was on the wrong tier"),
    ("cloud", "Azure VM cannot reach on premises file share", "NSG rule missing for SMB"),
    ("email", "External emails land in junk", "SPF record missing the new relay"),
    ("active_directory", "New user cannot see department share", "Group membership not replicated"),
    ("virtualization", "Hyper-V VM stuck in saved state", "Deleted the stale saved state file"),
]
VARIANTS = (
    "",
    " for one user",
    " since this morning",
    " again",
    " on several laptops",
    " (urgent)",
)
FREE_TEXT = (
    "It shows a different error",
    "Something else entirely",
    "The option I need is missing",
    "Works on another device",
    "Only happens on Wi-Fi",
)


def _walk(
    tree: dict[str, Any], rng: random.Random
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """A path from the root to an end: (node, option taken) pairs."""
    nodes = node_index(tree)
    path: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    node: dict[str, Any] | None = tree
    for _ in range(30):
        if node is None:
            break
        if node.get("type") == "decision":
            option = rng.choice(node["options"])
            path.append((node, option))
            node = nodes.get(option["next_node_id"])
        else:
            path.append((node, None))
            target = node.get("next_node_id")
            node = nodes.get(target) if target else None
    return path


def _followed_steps(
    tree: dict[str, Any], rng: random.Random, diverge: bool
) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    path = _walk(tree, rng)
    diverge_at = rng.randrange(len([p for p in path if p[1] is not None]) or 1) if diverge else -1
    asked = 0
    for node, option in path:
        if option is not None:
            step: dict[str, Any] = {
                "step_type": "question",
                "content": {"text": node.get("question") or node.get("title") or "Question"},
                "options_presented": [
                    {"value": o["id"], "label": o["label"]} for o in node["options"]
                ],
            }
            if asked == diverge_at:
                step["free_text_input"] = rng.choice(FREE_TEXT)
                steps.append(step)
                steps.append(
                    {
                        "step_type": "action",
                        "content": {"text": "Tried a workaround"},
                        "action_result": {"success": True, "details": "worked"},
                    }
                )
                steps.append({"step_type": "resolution", "content": {"text": "Fixed another way"}})
                return steps
            step["selected_option"] = option["id"]
            steps.append(step)
            asked += 1
        elif node.get("type") == "action":
            steps.append(
                {
                    "step_type": "action",
                    "content": {"text": node.get("title") or "Act"},
                    "action_result": {"success": True, "details": "done"},
                }
            )
        else:
            steps.append(
                {"step_type": "resolution", "content": {"text": node.get("title") or "Resolved"}}
            )
    return steps


def synthetic_sessions(
    n: int, flows: list[dict[str, Any]], *, now: datetime, seed: int = 7, prefix: str = "SYN"
) -> list[dict[str, Any]]:
    """`n` resolved sessions: about 40% follow a flow, 25% diverge, 35% are new problems."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        created = now - timedelta(days=rng.uniform(0.1, 29), minutes=rng.randint(0, 600))
        minutes = rng.randint(5, 120)
        base: dict[str, Any] = {
            "external_id": f"{prefix}-{i:07d}",
            "status": "resolved",
            "created_at": created.isoformat(),
            "time_spent_minutes": minutes,
            "resolved_at": (created + timedelta(minutes=minutes)).isoformat(),
            "psa_provider": "connectwise",
            "psa_ticket_id": f"CW-{100000 + i}",
        }
        roll = rng.random()
        if roll < 0.65 and flows:
            flow = rng.choice(flows)
            diverge = roll >= 0.40
            base.update(
                problem_summary=f"{flow['name']}{rng.choice(VARIANTS)}",
                problem_domain=flow.get("problem_domain"),
                matched_flow=flow["key"],
                match_score=round(rng.uniform(*((0.55, 0.79) if diverge else (0.82, 0.97))), 2),
                confidence_tier="medium" if diverge else "high",
                confidence_score=round(rng.uniform(0.5, 0.95), 2),
                resolution_summary="Resolved following the flow",
                steps=_followed_steps(flow["tree_structure"], rng, diverge),
            )
        else:
            domain, summary, answer = rng.choice(NOVEL_PROBLEMS)
            base.update(
                problem_summary=summary + rng.choice(VARIANTS),
                problem_domain=domain,
                confidence_tier="discovery",
                confidence_score=round(rng.uniform(0.2, 0.5), 2),
                resolution_summary=answer,
                steps=[
                    {
                        "step_type": "question",
                        "content": {"text": "Is it affecting more than one user?"},
                        "options_presented": [
                            {"value": "one", "label": "Just one"},
                            {"value": "many", "label": "Several"},
                        ],
                        "selected_option": rng.choice(["one", "many"]),
                    },
                    {
                        "step_type": "question",
                        "content": {"text": "What did you find?"},
                        "free_text_input": answer,
                    },
                    {
                        "step_type": "action",
                        "content": {"text": "Apply the fix"},
                        "action_result": {"success": True, "details": answer},
                    },
                ],
            )
        out.append(base)
    return out
