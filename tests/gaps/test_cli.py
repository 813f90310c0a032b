"""`resolutionflow gaps` and `resolutionflow analytics` end to end."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.gaps.factory import NOW, action, iso, question


def _setup(cli: Any, tmp_path: Path) -> None:
    assert cli("db", "upgrade").exit_code == 0
    assert cli("accounts", "create", "northwind", "--name", "Northwind MSP").exit_code == 0
    lines = [
        json.dumps(
            {
                "external_id": f"s-{k}",
                "problem_summary": text,
                "problem_domain": "email",
                "status": "resolved",
                "confidence_tier": "discovery",
                "psa_ticket_id": f"T-{k}",
                "created_at": iso(NOW - timedelta(days=3)),
                "steps": [question("Which mailbox?", free="finance"), action(False), action(True)],
            }
        )
        for k, text in enumerate(
            [
                "Shared mailbox missing in Outlook",
                "Shared mailbox not showing in Outlook",
                "Can't see the shared mailbox in Outlook",
            ]
        )
    ]
    path = tmp_path / "sessions.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert cli("import", "sessions", str(path), "--account", "northwind").exit_code == 0


def test_gaps_json_prints_the_report(cli: Any, tmp_path: Path) -> None:
    _setup(cli, tmp_path)
    result = cli("gaps", "--account", "northwind", "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert set(report) >= {"generated_at", "gaps"}
    kinds = [g["gap_type"] for g in report["gaps"]]
    assert kinds == ["weak_options", "uncharted_territory", "repeated_pattern"]
    for gap in report["gaps"]:
        assert set(gap) == {
            "gap_type",
            "domain",
            "severity",
            "title",
            "description",
            "evidence",
            "suggested_action",
        }
    pattern = report["gaps"][-1]
    assert len(pattern["evidence"]["session_ids"]) == 3
    assert pattern["severity"] == "low"

    table = cli("gaps", "--account", "northwind", "--period", "7")
    assert table.exit_code == 0 and "repeated_pattern" in table.stdout

    bad = cli("gaps", "--account", "northwind", "--period", "10")
    assert bad.exit_code == 2 and "7, 30 or 90" in bad.stderr


def test_analytics_json_and_tables(cli: Any, tmp_path: Path) -> None:
    _setup(cli, tmp_path)
    result = cli("analytics", "--account", "northwind", "--json")
    assert result.exit_code == 0, result.stderr
    board = result.json()
    assert board["sessions"] == 3
    assert board["psa"]["eventual_successes"] == 3
    table = cli("analytics", "--account", "northwind", "--period", "90")
    assert table.exit_code == 0 and "Confidence tiers" in table.stdout
    assert cli("analytics", "--account", "nobody").exit_code != 0
