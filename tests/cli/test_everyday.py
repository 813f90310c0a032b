"""The command line as a new user meets it: ids shown and accepted everywhere, review from the
CLI, strict option values, friendly import errors, the budget's waiting reason, --json, serve."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from resolutionflow.config import reset_settings
from tests.helpers import session_line


def _setup(cli: Any, *, admin: bool = True) -> None:
    assert cli("db", "upgrade").exit_code == 0
    assert cli("accounts", "create", "northwind", "--name", "Northwind MSP").exit_code == 0
    if admin:
        made = cli(
            "users",
            "create",
            "--account",
            "northwind",
            "--email",
            "boss@example.com",
            "--role",
            "admin",
            "--json",
        )
        assert made.exit_code == 0, made.stderr


def _novel(ext: str, summary: str, answer: str) -> dict[str, Any]:
    """A session needing a new flow; each test's sessions are in different domains, so each
    makes a proposal of its own."""
    domain = {"Teams": "endpoint", "Outlook": "email", "VPN": "networking"}[summary.split()[0]]
    line = session_line(external_id=ext, problem_summary=summary, problem_domain=domain)
    line["steps"][1]["content"] = {"text": "What does the device say?"}
    line["steps"][1]["free_text_input"] = answer
    return line


def _import(cli: Any, tmp_path: Path, lines: list[dict[str, Any]]) -> None:
    path = tmp_path / "sessions.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = cli("import", "sessions", str(path), "--account", "northwind", "--json")
    assert result.exit_code == 0, result.stderr


def test_json_on_create_commands_and_version(cli: Any) -> None:
    _setup(cli, admin=False)
    team = cli("teams", "create", "desk", "--account", "northwind", "--name", "Desk", "--json")
    assert team.exit_code == 0
    assert team.json()["slug"] == "desk" and team.json()["account"] == "northwind"
    user = cli(
        "users",
        "create",
        "--account",
        "northwind",
        "--email",
        "a@example.com",
        "--role",
        "team_admin",
        "--team",
        "desk",
        "--json",
    )
    assert user.exit_code == 0, user.stderr
    assert user.json() | {"id": "x"} == {
        "id": "x",
        "email": "a@example.com",
        "role": "team_admin",
        "name": None,
        "account": "northwind",
        "team": "desk",
    }
    version = cli("--version")
    assert version.exit_code == 0 and version.stdout.startswith("resolutionflow 0.")


def test_unknown_option_values_are_refused_with_the_allowed_ones(cli: Any) -> None:
    _setup(cli)
    for args, allowed in (
        (("proposals", "list", "--account", "northwind", "--status", "pendng"), "pending"),
        (("proposals", "list", "--account", "northwind", "--type", "new"), "new_flow"),
        (("sessions", "list", "--account", "northwind", "--status", "done"), "resolved"),
        (("sessions", "list", "--account", "northwind", "--analysis-status", "wait"), "waiting"),
        (
            (
                "users",
                "create",
                "--account",
                "northwind",
                "--email",
                "x@example.com",
                "--role",
                "boss",
            ),
            "team_admin",
        ),
    ):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert "Invalid value" in result.stderr and allowed in result.stderr, result.stderr
        assert result.stdout == ""
    helped = cli("proposals", "list", "--help")
    assert "pending" in helped.stdout and "auto_reinforced" in helped.stdout


def test_import_recognises_arrays_special_files_and_empty_input(cli: Any, tmp_path: Path) -> None:
    _setup(cli)
    array = tmp_path / "sessions.json"
    array.write_text(json.dumps([session_line(), session_line()], indent=2))
    result = cli("import", "sessions", str(array), "--account", "northwind")
    assert result.exit_code == 1
    assert "is a JSON array, not JSON Lines" in result.stderr
    assert result.stderr.count("error") == 1  # one message, not one per line
    one_line_array = tmp_path / "one.json"
    one_line_array.write_text(json.dumps([session_line()]))
    assert (
        "JSON array"
        in cli("import", "sessions", str(one_line_array), "--account", "northwind").stderr
    )
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(session_line(), indent=2))
    assert (
        "one JSON object spread over several lines"
        in cli("import", "sessions", str(pretty), "--account", "northwind").stderr
    )

    devnull = cli("import", "sessions", "/dev/null", "--account", "northwind", "--json")
    assert devnull.exit_code == 0
    assert "is empty" in devnull.stderr and "no such file" not in devnull.stderr
    assert devnull.json()["stored"] == 0
    directory = cli("import", "sessions", str(tmp_path), "--account", "northwind")
    assert directory.exit_code == 1 and "is a directory" in directory.stderr
    missing = cli("import", "sessions", str(tmp_path / "nope.jsonl"), "--account", "northwind")
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    # Nothing was stored by any of these.
    assert cli("sessions", "list", "--account", "northwind", "--json").json() == []


def test_import_shows_a_progress_bar_on_a_terminal(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resolutionflow.cli import data

    _setup(cli)
    screen = io.StringIO()
    monkeypatch.setattr(data, "err_console", Console(file=screen, force_terminal=True, width=120))
    _lines = [session_line(external_id=f"p-{i}") for i in range(30)]
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in _lines))
    result = cli("import", "sessions", str(path), "--account", "northwind")
    assert result.exit_code == 0
    assert "30 stored" in result.stdout
    drawn = screen.getvalue()
    assert "importing" in drawn and "30/30" in drawn


def test_sessions_show_both_ids_and_commands_accept_either(cli: Any, tmp_path: Path) -> None:
    _setup(cli)
    _import(cli, tmp_path, [session_line(external_id="PSA-1001")])
    [row] = cli("sessions", "list", "--account", "northwind", "--json").json()
    table = cli("sessions", "list", "--account", "northwind")
    assert row["id"] in table.stdout and "PSA-1001" in table.stdout
    by_ext = cli("sessions", "show", "PSA-1001", "--json")
    by_id = cli("sessions", "show", row["id"], "--account", "northwind", "--json")
    assert by_ext.exit_code == by_id.exit_code == 0
    assert by_ext.json()["id"] == by_id.json()["id"] == row["id"]
    assert len(by_ext.json()["steps"]) == 3
    unknown = cli("sessions", "show", "PSA-404")
    assert unknown.exit_code == 1 and "PSA-404" in unknown.stderr
    for ref in ("PSA-1001", row["id"]):
        made = cli("script", "clear the print queue", "--session", ref, "--json")
        assert made.exit_code == 0, made.stderr
        assert made.json()["template"]


def test_script_prints_the_script_plainly(cli: Any, tmp_path: Path) -> None:
    _setup(cli)
    _import(cli, tmp_path, [session_line(external_id="PSA-7")])
    result = cli("script", "clear the print queue", "--session", "PSA-7")
    assert result.exit_code == 0, result.stderr
    as_json = cli("script", "clear the print queue", "--session", "PSA-7", "--json").json()
    # Exactly the script on stdout (no box, no cut lines); what it does on stderr.
    assert result.stdout == as_json["script"].rstrip("\n") + "\n"
    assert "│" not in result.stdout and "╭" not in result.stdout
    assert as_json["explanation"][:40] in " ".join(result.stderr.split())
    assert set(as_json) == {
        "script",
        "language",
        "explanation",
        "parameters",
        "risks",
        "requires_confirmation",
        "template",
    }
    nothing = cli("script", "order pizza for the team", "--session", "PSA-7")
    assert nothing.exit_code == 1 and nothing.stdout == ""
    assert "No script in the library fits" in " ".join(nothing.stderr.split())
    # A printing session asking for something else gets that, not the spooler script.
    profiles = cli(
        "script", "delete all user profiles older than 30 days", "--session", "PSA-7", "--json"
    )
    assert profiles.json()["template"] == "user-profile-cleanup"


def test_review_from_the_cli(cli: Any, tmp_path: Path) -> None:
    _setup(cli)
    _import(
        cli,
        tmp_path,
        [
            _novel("n1", "Teams camera not detected after Windows update", "privacy switch off"),
            _novel("n2", "Outlook search returns no results for old mail", "index corrupted"),
            _novel("n3", "VPN client disconnects every ten minutes at home", "MTU too high"),
        ],
    )
    assert cli("worker", "--drain", "--json").exit_code == 0
    rows = cli("proposals", "list", "--account", "northwind", "--json").json()
    assert len(rows) == 3
    table = cli("proposals", "list", "--account", "northwind")
    assert all(r["id"] in table.stdout for r in rows)
    first, second, third = (r["id"] for r in rows)

    shown = cli("proposals", "show", first, "--account", "northwind")
    assert shown.exit_code == 0 and first in shown.stdout and "nodes:" in shown.stdout
    assert cli("proposals", "show", first, "--account", "northwind", "--json").json()["flow"]

    approved = cli(
        "proposals", "approve", first, "--account", "northwind", "--note", "good", "--json"
    )
    assert approved.exit_code == 0, approved.stderr
    assert approved.json()["status"] == "approved" and approved.json()["published_flow_id"]
    assert approved.json()["reviewer_notes"] == "good"

    no_reason = cli("proposals", "reject", second, "--account", "northwind")
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr
    engineer = cli("users", "create", "--account", "northwind", "--email", "eng@example.com")
    assert engineer.exit_code == 0
    refused = cli(
        "proposals",
        "reject",
        second,
        "--account",
        "northwind",
        "--reason",
        "dup",
        "--as",
        "eng@example.com",
    )
    assert refused.exit_code == 1 and "engineer" in refused.stderr
    rejected = cli(
        "proposals",
        "reject",
        second,
        "--account",
        "northwind",
        "--reason",
        "duplicate of an existing flow",
        "--as",
        "boss@example.com",
    )
    assert rejected.exit_code == 0 and "rejected by boss@example.com" in rejected.stdout
    again = cli("proposals", "approve", second, "--account", "northwind")
    assert again.exit_code == 1 and "rejected" in again.stderr

    dismissed = cli("proposals", "dismiss", third, "--account", "northwind", "--json")
    assert dismissed.json()["status"] == "dismissed"
    statuses = {
        r["id"]: r["status"]
        for r in cli("proposals", "list", "--account", "northwind", "--json").json()
    }
    assert statuses == {first: "approved", second: "rejected", third: "dismissed"}
    missing = cli("proposals", "show", "not-an-id", "--account", "northwind")
    assert missing.exit_code == 1 and "not found" in missing.stderr


def test_review_without_an_admin_asks_who(cli: Any, tmp_path: Path) -> None:
    _setup(cli, admin=False)
    _import(cli, tmp_path, [_novel("n1", "Teams camera not detected", "privacy switch off")])
    cli("worker", "--drain", "--json")
    [row] = cli("proposals", "list", "--account", "northwind", "--json").json()
    result = cli("proposals", "dismiss", row["id"], "--account", "northwind")
    assert result.exit_code == 1 and "--as EMAIL" in result.stderr


def test_budget_wait_is_explained_and_backfilled(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup(cli)
    monkeypatch.setenv("RESOLUTIONFLOW_DAILY_PROPOSAL_BUDGET", "1")
    reset_settings()
    _import(
        cli,
        tmp_path,
        [
            _novel("w1", "Teams camera not detected after Windows update", "privacy switch off"),
            _novel("w2", "Outlook search returns no results for old mail", "index corrupted"),
            _novel("w3", "VPN client disconnects every ten minutes at home", "MTU too high"),
        ],
    )
    drained = cli("worker", "--drain", "--json")
    assert drained.json()["outcomes"] == {"proposed": 1, "waiting": 2}
    rows = cli(
        "sessions", "list", "--account", "northwind", "--analysis-status", "waiting", "--json"
    ).json()
    assert len(rows) == 2
    assert all("budget" in r["analysis_note"] and "resumes" in r["analysis_note"] for r in rows)
    assert all("T00:00:00" in r["resumes_at"] for r in rows)
    table = cli("sessions", "list", "--account", "northwind")
    assert "daily proposal budget spent" in table.stdout
    assert "worker --drain --budget" in table.stdout
    shown = cli("sessions", "show", rows[0]["external_id"])
    assert "resumes" in shown.stdout and "--budget" in shown.stdout

    no_drain = cli("worker", "--budget", "10")
    assert no_drain.exit_code == 2 and "--drain" in no_drain.stderr
    backfill = cli("worker", "--drain", "--budget", "0", "--json")
    assert backfill.exit_code == 0
    assert backfill.json()["outcomes"] == {"proposed": 2}
    left = cli(
        "sessions", "list", "--account", "northwind", "--analysis-status", "waiting", "--json"
    )
    assert left.json() == []


def test_retry_takes_a_session_and_prints_json(cli: Any, tmp_path: Path) -> None:
    _setup(cli)
    _import(cli, tmp_path, [session_line(external_id="r-1")])
    result = cli("sessions", "retry", "--failed", "--json")
    assert result.exit_code == 0 and result.json() == {"queued": 0}
    one = cli("sessions", "retry", "--session", "r-1", "--json")
    assert one.exit_code == 0 and one.json() == {"queued": 0}  # it has not failed
    neither = cli("sessions", "retry")
    assert neither.exit_code == 2


# On PostgreSQL serve refuses to start without a secret key (tested in tests/security).
@pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
def test_serve_says_where_and_on_what(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from resolutionflow.cli import serve as serve_module

    _setup(cli)
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(
        serve_module, "_serve_one", lambda host, port, level, sock: started.append({"port": port})
    )
    result = cli("serve", "--port", "8123", "--no-worker")
    assert result.exit_code == 0, result.stderr
    assert started and started[0]["port"] == 8123
    out = " ".join(result.stdout.split())
    assert "http://127.0.0.1:8123/" in out
    assert "database: sqlite+aiosqlite:///" in out
    assert "model provider: offline" in out
    assert "RESOLUTIONFLOW_SECRET_KEY is unset" in out
    assert "flywheel worker: off" in out


def test_serve_masks_the_database_password() -> None:
    from resolutionflow.cli.serve import banner
    from resolutionflow.config import Settings

    settings = Settings(
        database_url="postgresql+asyncpg://rf:s3cret-pw@db.internal:5432/rf", secret_key="k" * 40
    )
    lines = banner(settings, host="0.0.0.0", port=80, workers=2, worker=True)
    text = "\n".join(lines)
    assert "s3cret-pw" not in text and "rf:***@db.internal:5432/rf" in text
    assert "warning" not in text


def test_the_readme_sample_sessions_file_imports_cleanly(cli: Any) -> None:
    _setup(cli)
    sample = Path(__file__).parents[1] / "data" / "sample_sessions.jsonl"
    result = cli("import", "sessions", str(sample), "--account", "northwind", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.json()["stored"] == 3 and result.json()["errors"] == []
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "tests/data/sample_sessions.jsonl" in readme


def test_demo_hint_names_the_command_as_it_can_be_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from resolutionflow.cli.demo import command_name

    program = tmp_path / ".venv" / "bin" / "resolutionflow"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(program), "demo"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert command_name() == ".venv/bin/resolutionflow"  # not on the PATH: say where it is
    monkeypatch.setenv("PATH", f"{program.parent}:/usr/bin")
    assert command_name() == "resolutionflow"


def test_option_value_lists_agree_with_the_model() -> None:
    from typing import get_args

    from resolutionflow.cli import accounts, data, flywheel, scripts
    from resolutionflow.models.account import ROLES
    from resolutionflow.models.proposal import PROPOSAL_STATUSES, PROPOSAL_TYPES
    from resolutionflow.models.session import ANALYSIS_STATUSES, SESSION_STATUSES
    from resolutionflow.scriptgen.risk import _ALIASES, LANGUAGES

    assert get_args(data.AnalysisStatus) == ANALYSIS_STATUSES
    assert get_args(data.SessionStatus) == SESSION_STATUSES
    assert get_args(flywheel.ProposalStatus) == PROPOSAL_STATUSES
    assert get_args(flywheel.ProposalType) == PROPOSAL_TYPES
    assert get_args(accounts.Role) == ROLES
    assert set(get_args(scripts.Language)) == {*LANGUAGES, *_ALIASES}
