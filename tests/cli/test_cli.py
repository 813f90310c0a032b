"""The command line end to end: setup, import with bad lines, idempotency, strict, validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import session_line, simple_tree


def _setup(cli: Any) -> None:
    assert cli("db", "upgrade").exit_code == 0
    assert cli("accounts", "create", "northwind", "--name", "Northwind MSP").exit_code == 0


def _flows_file(tmp_path: Path) -> Path:
    path = tmp_path / "flows.json"
    flows = [
        {
            "key": "printer-offline",
            "name": "Printer offline",
            "description": "Print queue stuck",
            "problem_domain": "printing",
            "match_keywords": ["printer"],
            "tree_structure": simple_tree(),
        }
    ]
    path.write_text(json.dumps(flows))
    return path


def _sessions_file(tmp_path: Path) -> Path:
    lines = [
        json.dumps(
            session_line(external_id="s-1", matched_flow="printer-offline", match_score=0.9)
        ),
        "{broken json",
        json.dumps(session_line(external_id="s-2", status="wontfix")),
        json.dumps(session_line(external_id="s-3", team="night", engineer="new@example.com")),
        json.dumps({"external_id": "s-4", "status": "resolved"}),
    ]
    path = tmp_path / "sessions.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_setup_import_and_list(cli: Any, tmp_path: Path) -> None:
    _setup(cli)
    listed = cli("accounts", "list", "--json")
    assert listed.exit_code == 0
    assert [a["slug"] for a in listed.json()] == ["northwind"]
    assert (
        cli("teams", "create", "--account", "northwind", "service-desk", "--name", "Desk").exit_code
        == 0
    )
    made = cli(
        "users",
        "create",
        "--account",
        "northwind",
        "--email",
        "lead@example.com",
        "--role",
        "team_admin",
        "--password",
        "long-enough-pw",
    )
    assert made.exit_code == 0, made.stderr
    token = cli("tokens", "create", "--email", "lead@example.com", "--json")
    assert token.exit_code == 0
    assert token.json()["token"].startswith("rf_")

    assert (
        cli("import", "flows", str(_flows_file(tmp_path)), "--account", "northwind").exit_code == 0
    )
    first = cli(
        "import", "sessions", str(_sessions_file(tmp_path)), "--account", "northwind", "--json"
    )
    assert first.exit_code == 1  # some lines were bad
    summary = first.json()
    assert summary["stored"] == 2
    assert summary["already_present"] == 0
    assert {(e["line"], e["field"]) for e in summary["errors"]} == {
        (2, "line"),
        (3, "status"),
        (5, "problem_summary"),
    }
    assert summary["teams_created"] == 1 and summary["engineers_created"] == 1

    again = cli(
        "import", "sessions", str(_sessions_file(tmp_path)), "--account", "northwind", "--json"
    )
    assert again.json()["stored"] == 0
    assert again.json()["already_present"] == 2

    sessions = cli("sessions", "list", "--account", "northwind", "--json")
    assert sessions.exit_code == 0
    rows = sessions.json()
    assert sorted(r["external_id"] for r in rows) == ["s-1", "s-3"]
    assert set(rows[0]) == {
        "id",
        "external_id",
        "status",
        "analysis_status",
        "problem_domain",
        "problem_summary",
        "analysis_note",
        "resumes_at",
    }
    pending = cli(
        "sessions", "list", "--account", "northwind", "--analysis-status", "skipped", "--json"
    )
    assert pending.json() == []

    exported = cli("export", "flows", "--account", "northwind")
    assert exported.exit_code == 0
    assert exported.json()[0]["key"] == "printer-offline"
    assert exported.json()[0]["tree_structure"] == simple_tree()


def test_strict_import_stores_nothing(cli: Any, tmp_path: Path) -> None:
    _setup(cli)
    cli("import", "flows", str(_flows_file(tmp_path)), "--account", "northwind")
    result = cli(
        "import",
        "sessions",
        str(_sessions_file(tmp_path)),
        "--account",
        "northwind",
        "--strict",
        "--json",
    )
    assert result.exit_code == 1
    assert result.json()["stored"] == 0
    assert len(result.json()["errors"]) == 3
    assert cli("sessions", "list", "--account", "northwind", "--json").json() == []
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(session_line(external_id="ok-1")) + "\n")
    ok = cli("import", "sessions", str(good), "--account", "northwind", "--strict", "--json")
    assert ok.exit_code == 0 and ok.json()["stored"] == 1


def test_flows_validate_reports_every_planted_problem(cli: Any, tmp_path: Path) -> None:
    valid = tmp_path / "valid.json"
    valid.write_text(json.dumps(simple_tree()))
    ok = cli("flows", "validate", str(valid))
    assert ok.exit_code == 0 and "valid" in ok.stdout

    tree = simple_tree()
    tree["options"][0]["next_node_id"] = "nowhere"  # dangling
    tree["children"].append({"id": "power", "type": "solution", "title": "dup"})  # duplicate id
    tree["children"].append({"id": "orphan", "type": "solution", "title": "lost"})  # unreachable
    tree["children"][2]["next_node_id"] = "power"  # solution with a next node
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"key": "x", "name": "x", "tree_structure": tree}))
    result = cli("flows", "validate", str(broken), "--json")
    assert result.exit_code == 1
    problems = result.json()
    located = {p["location"] for p in problems}
    assert {"root", "power", "orphan", "done"} <= located, problems
    text = cli("flows", "validate", str(broken))
    assert text.exit_code == 1
    assert "nowhere" in text.stderr and "orphan" in text.stderr


def test_errors_are_one_line_without_traceback(cli: Any, tmp_path: Path) -> None:
    not_ready = cli("accounts", "list", "--json")
    assert not_ready.exit_code == 1
    assert "resolutionflow db upgrade" in not_ready.stderr
    _setup(cli)
    for args in (
        ("import", "sessions", str(tmp_path / "missing.jsonl"), "--account", "northwind"),
        ("import", "sessions", str(_sessions_file(tmp_path)), "--account", "nobody"),
        ("accounts", "create", "northwind", "--name", "Again"),
        ("tokens", "create", "--email", "ghost@example.com"),
        ("flows", "validate", str(tmp_path / "missing.json")),
    ):
        result = cli(*args)
        assert result.exit_code != 0, args
        assert "Traceback" not in result.stderr + result.stdout, args
        assert result.stderr.strip().startswith("error:"), (args, result.stderr)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("[{")
    result = cli("import", "flows", str(bad_json), "--account", "northwind")
    assert result.exit_code == 1 and "not valid JSON" in result.stderr
