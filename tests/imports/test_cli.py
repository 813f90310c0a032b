"""The import commands end to end: `import psa`, `psa configure|pull|status`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.cli import Result
from tests.imports.fakes import FakeHalo

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def ready(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.setenv("RESOLUTIONFLOW_SECRET_KEY", "cli-test-secret")
    assert cli("db", "upgrade").exit_code == 0
    assert cli("accounts", "create", "acme", "--name", "Acme").exit_code == 0
    return cli


def test_import_psa_file_twice(ready: Callable[..., Result]) -> None:
    path = str(DATA / "psa" / "connectwise_tickets.json")
    first = ready("import", "psa", "--vendor", "connectwise", path, "--account", "acme", "--json")
    assert first.exit_code == 0, first.stderr
    assert first.json()["stored"] == 4
    again = ready("import", "psa", "--vendor", "connectwise", path, "--account", "acme")
    assert again.exit_code == 0
    assert "0 stored, 0 updated, 4 already present, 0 error(s)" in again.stdout


def test_import_psa_reports_bad_input(ready: Callable[..., Result], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "summary": "ok"}\n{"id": 2}\n')
    result = ready("import", "psa", "--vendor", "halopsa", str(bad), "--account", "acme")
    assert result.exit_code == 1
    assert "record 2 (ticket 2): summary: is required" in result.stderr
    unknown = ready("import", "psa", "--vendor", "servicenow", str(bad), "--account", "acme")
    assert unknown.exit_code == 1 and "unknown vendor 'servicenow'" in unknown.stderr


def test_configure_pull_and_status(ready: Callable[..., Result]) -> None:
    fake = FakeHalo().start()
    try:
        set_up = ready(
            "psa",
            "configure",
            "--vendor",
            "halopsa",
            "--account",
            "acme",
            "--base-url",
            fake.base_url,
            "--credential",
            "client_id=halo-client",
            "--credential",
            "client_secret=halo-secret",
        )
        assert set_up.exit_code == 0, set_up.stderr
        pulled = ready(
            "psa", "pull", "--vendor", "halopsa", "--account", "acme", "--page-size", "2", "--json"
        )
        assert pulled.exit_code == 0, pulled.stderr
        assert pulled.json()["stored"] == 3
        again = ready("psa", "pull", "--vendor", "halopsa", "--account", "acme", "--json")
        assert again.json()["stored"] == 0 and again.json()["updated"] == 0
        status = ready("psa", "status", "--account", "acme").json()
        assert status[0]["credentials"] == ["client_id", "client_secret"]
        assert "halo-secret" not in str(status)
        assert status[0]["cursor"]["updated_since"].startswith("2026-10-09T15:00")
    finally:
        fake.stop()


def test_import_articles_twice(ready: Callable[..., Result]) -> None:
    folder = str(DATA / "articles")
    first = ready("import", "articles", folder, "--account", "acme", "--json")
    assert first.exit_code == 0, first.stderr
    assert sorted(r["shape"] for r in first.json()) == [
        "if_then",
        "steps",
        "symptoms",
        "unstructured",
    ]
    again = ready("import", "articles", folder, "--account", "acme")
    assert again.exit_code == 0
    assert "0 proposed, 4 already present, 0 error(s)" in again.stdout
