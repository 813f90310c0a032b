"""Syntax checks for scripts: tree-sitter for PowerShell, `bash -n` and shellcheck for Bash."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SyntaxProblem:
    line: int
    message: str
    severity: str = "error"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message, "severity": self.severity}


@dataclass(frozen=True)
class SyntaxResult:
    checked: bool
    problems: tuple[SyntaxProblem, ...] = ()
    checker: str = ""


@lru_cache(maxsize=1)
def _powershell_parser() -> Any | None:
    try:
        import tree_sitter
        import tree_sitter_powershell
    except ImportError:
        return None
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def check_powershell(script: str) -> SyntaxResult:
    """Every ERROR and MISSING node tree-sitter-powershell finds, by line."""
    parser = _powershell_parser()
    if parser is None:
        return SyntaxResult(checked=False, checker="tree-sitter-powershell is not installed")
    source = script.encode("utf-8")
    tree = parser.parse(source)
    problems: list[SyntaxProblem] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            snippet = source[node.start_byte : node.end_byte].decode("utf-8", "replace")
            snippet = " ".join(snippet.split())[:60]
            what = f"missing {node.type}" if node.is_missing else f"cannot parse '{snippet}'"
            problems.append(SyntaxProblem(node.start_point[0] + 1, what))
            if node.type == "ERROR":
                continue
        stack.extend(node.children)
    if tree.root_node.has_error and not problems:
        problems.append(SyntaxProblem(1, "the script does not parse"))
    problems.sort(key=lambda p: p.line)
    return SyntaxResult(True, tuple(problems), "tree-sitter-powershell")


def check_bash(script: str) -> SyntaxResult:
    """`bash -n` on the text, fed through stdin so nothing is written or run."""
    bash = shutil.which("bash")
    if bash is None:
        return SyntaxResult(checked=False, checker="bash is not installed")
    done = subprocess.run(
        [bash, "-n"],
        input=script,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_SECONDS,
        check=False,
    )
    problems = []
    for line in done.stderr.splitlines():
        # bash -n reports "bash: line N: message".
        parts = line.split(":", 2)
        number = 1
        if len(parts) == 3 and parts[1].strip().startswith("line "):
            digits = parts[1].strip()[5:]
            number = int(digits) if digits.isdigit() else 1
            line = parts[2].strip()
        problems.append(SyntaxProblem(number, line))
    if done.returncode != 0 and not problems:
        problems.append(SyntaxProblem(1, "bash -n rejected the script"))
    return SyntaxResult(True, tuple(problems), "bash -n")


def shellcheck(script: str) -> SyntaxResult:
    """shellcheck's findings when it is installed (errors and warnings; style notes left out)."""
    tool = shutil.which("shellcheck")
    if tool is None:
        return SyntaxResult(checked=False, checker="shellcheck is not installed")
    done = subprocess.run(
        [tool, "--shell=bash", "--format=json", "--severity=warning", "-"],
        input=script,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_SECONDS,
        check=False,
    )
    try:
        items = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        return SyntaxResult(checked=False, checker="shellcheck gave no readable answer")
    problems = tuple(
        SyntaxProblem(
            int(item.get("line", 1)),
            f"SC{item.get('code')}: {item.get('message', '')}",
            "error" if item.get("level") == "error" else "warning",
        )
        for item in items
    )
    return SyntaxResult(True, problems, "shellcheck")
