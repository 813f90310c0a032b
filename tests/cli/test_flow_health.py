"""`resolutionflow flows stats`, `flows verify` and `flows owner` end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli.test_cli import _flows_file, _setup
from tests.helpers import jsonl, session_line


def test_stats_verify_and_owner(cli: Any, tmp_path: Path) -> None:
    _setup(cli)
    for email, role in (("boss@example.com", "admin"), ("eng@example.com", "engineer")):
        made = cli(
            "users",
            "create",
            "--account",
            "northwind",
            "--email",
            email,
            "--role",
            role,
            "--password",
            "long-enough-pw",
        )
        assert made.exit_code == 0, made.stderr
    assert (
        cli("import", "flows", str(_flows_file(tmp_path)), "--account", "northwind").exit_code == 0
    )
    sessions = tmp_path / "s.jsonl"
    sessions.write_text(
        "\n".join(
            jsonl(
                session_line(external_id="a", matched_flow="printer-offline", match_score=0.9),
                session_line(
                    external_id="b",
                    matched_flow="printer-offline",
                    match_score=0.9,
                    status="escalated",
                    resolution_summary=None,
                    escalation_reason="Needs a visit",
                ),
            )
        )
        + "\n"
    )
    imported = cli("import", "sessions", str(sessions), "--account", "northwind")
    assert imported.exit_code == 0, imported.stderr

    stats = cli("flows", "stats", "printer-offline", "--account", "northwind", "--json")
    assert stats.exit_code == 0, stats.stderr
    body = stats.json()
    nodes = {n["node_id"]: n for n in body["nodes"]}
    assert body["sessions"] == 2 and body["outcomes"]["success_rate"] == 0.5
    assert nodes["root"]["reached"] == 2
    assert nodes["power"]["reached"] == 2  # "no" leads there
    assert nodes["power"]["ended"]["resolved"] == 1 and nodes["power"]["ended"]["escalated"] == 1
    table = cli("flows", "stats", "printer-offline", "--account", "northwind")
    assert table.exit_code == 0 and "root" in table.stdout and "50%" in table.stdout
    missing = cli("flows", "stats", "printer-offline", "--account", "northwind", "--version", "4")
    assert missing.exit_code != 0 and "no version 4" in missing.stderr

    args = ("flows", "verify", "printer-offline", "--account", "northwind", "--as")
    refused = cli(*args, "eng@example.com")
    assert refused.exit_code != 0 and "owner" in refused.stderr
    assert cli(*args, "boss@example.com").exit_code == 0
    handed = cli(
        "flows",
        "owner",
        "printer-offline",
        "eng@example.com",
        "--account",
        "northwind",
        "--as",
        "boss@example.com",
    )
    assert handed.exit_code == 0, handed.stderr
    verified = cli(*args, "eng@example.com")
    assert verified.exit_code == 0 and "next review by" in verified.stdout
