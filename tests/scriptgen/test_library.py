"""Every library script parses, lints, is guarded where it is risky, and matches its catalogue."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from resolutionflow.scriptgen.catalogue import DOMAINS, LIBRARY_DIR, load_catalogue
from resolutionflow.scriptgen.generate import render
from resolutionflow.scriptgen.params import find_default
from resolutionflow.scriptgen.risk import assess
from resolutionflow.scriptgen.syntax import check_powershell

ENTRIES = load_catalogue()
POWERSHELL = [e for e in ENTRIES if e.language == "powershell"]
BASH = [e for e in ENTRIES if e.language == "bash"]


def _ids(entries):
    return [e.id for e in entries]


def _parse_errors(source: str) -> list[str]:
    import tree_sitter
    import tree_sitter_powershell

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    tree = parser.parse(source.encode("utf-8"))
    bad: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            bad.append(f"line {node.start_point[0] + 1}: {node.type}")
        stack.extend(node.children)
    if tree.root_node.has_error and not bad:
        bad.append("root has_error")
    return bad


def test_library_size_and_domains() -> None:
    assert len(ENTRIES) >= 32
    assert len(BASH) >= 8
    assert {e.domain for e in ENTRIES} == set(DOMAINS)
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)


def test_every_file_is_catalogued() -> None:
    files = {p.name for p in LIBRARY_DIR.iterdir() if p.suffix in (".ps1", ".sh")}
    assert files == {e.filename for e in ENTRIES}


@pytest.mark.parametrize("entry", POWERSHELL, ids=_ids(POWERSHELL))
def test_powershell_parses_without_errors(entry) -> None:
    assert _parse_errors(entry.source) == []
    assert check_powershell(entry.source).problems == ()


@pytest.mark.parametrize("entry", POWERSHELL, ids=_ids(POWERSHELL))
def test_powershell_shape(entry) -> None:
    assert re.search(r"\[CmdletBinding\(SupportsShouldProcess = \$true", entry.source)
    assert re.search(r"^param\($", entry.source, re.M)
    declared = set(re.findall(r"^\s+\[[\w\[\]]+\]\$(\w+)", entry.source, re.M))
    assert declared == {p.name for p in entry.parameters}


@pytest.mark.parametrize("entry", BASH, ids=_ids(BASH))
def test_bash_passes_bash_n(entry) -> None:
    done = subprocess.run(["bash", "-n"], input=entry.source, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("entry", BASH, ids=_ids(BASH))
def test_bash_passes_shellcheck(entry) -> None:
    tool = shutil.which("shellcheck")
    if tool is None:
        if os.environ.get("RESOLUTIONFLOW_REQUIRE_SHELLCHECK") == "1":
            pytest.fail("shellcheck is required (RESOLUTIONFLOW_REQUIRE_SHELLCHECK=1) but missing")
        pytest.skip("shellcheck is not installed")
    done = subprocess.run(
        [tool, "--shell=bash", "-"], input=entry.source, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("entry", BASH, ids=_ids(BASH))
def test_bash_shape(entry) -> None:
    assert entry.source.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in entry.source
    assert "usage()" in entry.source and "getopts" in entry.source
    for param in entry.parameters:
        assert param.flag and f"{param.flag[1]})" in entry.source


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_own_risk_report_is_guarded(entry) -> None:
    report = assess(entry.source, entry.language)
    assert not report.refused, report.refusal_reason
    assert report.unguarded == []
    risky = [f for f in report.findings if f.rule != "plaintext_credential"]
    assert report.requires_confirmation == bool(risky)
    if report.requires_confirmation and entry.language == "powershell":
        assert "ConfirmImpact = 'High'" in entry.source
    if report.requires_confirmation and entry.language == "bash":
        assert "--yes" in entry.source


def test_risky_steps_are_present_where_expected() -> None:
    risky = {e.id for e in ENTRIES if assess(e.source, e.language).requires_confirmation}
    for script_id in (
        "print-spooler-reset",
        "ad-locked-accounts",
        "windows-update-reset",
        "teams-cache-clear",
        "linux-restart-service",
        "linux-disk-usage",
    ):
        assert script_id in risky
    for script_id in ("bitlocker-status", "linux-memory-top", "m365-mailbox-licence"):
        assert script_id not in risky


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_render_with_hostile_values_keeps_the_script_valid(entry) -> None:
    values = {}
    for param in entry.parameters:
        if param.kind == "string":
            values[param.name] = 'it\'s $(whoami) `"x"; rm -rf / ’q'
        elif param.kind == "int":
            values[param.name] = 7
        elif param.kind == "bool":
            values[param.name] = not param.default
        else:
            values[param.name] = ["a'b", "c"]
    rendered = render(entry, values)
    if entry.language == "powershell":
        assert _parse_errors(rendered) == []
    else:
        done = subprocess.run(["bash", "-n"], input=rendered, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    from resolutionflow.scriptgen.params import decode

    for param in entry.parameters:
        slot = find_default(rendered, entry.language, param.name)
        assert decode(slot.literal, slot.kind, entry.language) == values[param.name]
    report = assess(rendered, entry.language)
    assert report.unguarded == []


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_catalogue_metadata_is_complete(entry) -> None:
    assert entry.title and len(entry.description) > 60
    assert len(entry.intents) >= 4 and len(entry.keywords) >= 4
    data = entry.as_dict()
    assert {"id", "title", "language", "domain", "description", "parameters"} <= set(data)
    for param in data["parameters"]:
        assert set(param) >= {"name", "description", "default", "required", "type"}
    assert not re.search(r"(?i)password\s*=\s*['\"][^'\"]+['\"]", entry.source)
