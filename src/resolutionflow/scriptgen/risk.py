"""Risk review of any script, from the library or a model: risky steps, guards and secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resolutionflow.errors import Invalid, Problem
from resolutionflow.redaction.scripts import find_script_secrets, mask, plaintext_conversions
from resolutionflow.scriptgen.guards import GuardMap, bash_guards, powershell_guards
from resolutionflow.scriptgen.lexing import code_view, without_comments
from resolutionflow.scriptgen.risk_rules import (
    SSH_COMMAND,
    SSH_OPTIONS_WITH_VALUE,
    Rule,
    Severity,
    rules_for,
)

LANGUAGES = ("powershell", "bash")
_ALIASES = {
    "ps": "powershell",
    "ps1": "powershell",
    "pwsh": "powershell",
    "sh": "bash",
    "shell": "bash",
    "linux": "bash",
}
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
_MAX_TEXT = 200


def normalise_language(language: str | None) -> str:
    """'powershell' or 'bash' from what a caller wrote; Invalid for anything else."""
    name = (language or "").strip().lower()
    name = _ALIASES.get(name, name)
    if name not in LANGUAGES:
        raise Invalid(
            "Unsupported script language.",
            problems=[Problem("language", "must be 'powershell' or 'bash'")],
        )
    return name


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    line: int
    text: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "line": self.line,
            "text": self.text,
            "message": self.message,
        }


@dataclass
class RiskReport:
    findings: list[Finding] = field(default_factory=list)
    requires_confirmation: bool = False
    refused: bool = False
    refusal_reason: str | None = None

    @property
    def unguarded(self) -> list[Finding]:
        return [f for f in self.findings if f.rule == "unguarded"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.as_dict() for f in self.findings],
            "requires_confirmation": self.requires_confirmation,
            "refused": self.refused,
            "refusal_reason": self.refusal_reason,
        }


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _ssh_runs_command(args: str) -> bool:
    words = args.split()
    i = 0
    while i < len(words) and words[i].startswith("-"):
        flag = words[i]
        takes_value = len(flag) == 2 and flag[1] in SSH_OPTIONS_WITH_VALUE
        i += 2 if takes_value else 1
    return len(words) > i + 1


def _matches(rule: Rule, code_line: str, full_line: str) -> int | None:
    match = rule.pattern.search(code_line)
    if match is None or (rule.also is not None and not rule.also.search(full_line)):
        return None
    return match.start()


def _unguarded_message(language: str, declared: bool) -> str:
    if language == "powershell":
        if not declared:
            return (
                "Risky step without confirmation: the script must declare "
                "[CmdletBinding(SupportsShouldProcess = $true)] and wrap the step in "
                "if ($PSCmdlet.ShouldProcess(...)) so -WhatIf and -Confirm work."
            )
        return (
            "Risky step outside a ShouldProcess guard: wrap it in "
            "if ($PSCmdlet.ShouldProcess(...)) { ... }."
        )
    if not declared:
        return (
            "Risky step without confirmation: the script must accept --yes and, without "
            "it, only print what it would do."
        )
    return "Risky step that runs even without --yes: run it through the --yes check."


def assess(script: str, language: str) -> RiskReport:
    """Flag risky steps, check each one is behind the confirmation switch, find secrets.

    Comments and string contents never trigger step rules; secrets are looked for in
    strings (and, for unmistakable token shapes, in comments too)."""
    language = normalise_language(language)
    code = code_view(script, language)
    kept = without_comments(script, language)
    raw_lines = script.splitlines()
    code_lines = code.splitlines()
    kept_lines = kept.splitlines()
    guards: GuardMap = (
        powershell_guards(code) if language == "powershell" else bash_guards(code, kept)
    )

    secrets = find_script_secrets(script, kept, language)
    secret_values: dict[int, list[str]] = {}
    for hit in secrets:
        secret_values.setdefault(hit.line, []).append(hit.value)

    def line_text(number: int) -> str:
        line = raw_lines[number - 1] if 0 < number <= len(raw_lines) else ""
        for value in secret_values.get(number, []):
            line = mask(line, value)
        return _clip(line)

    report = RiskReport()
    offset = 0
    for number, code_line in enumerate(code_lines, start=1):
        full = kept_lines[number - 1] if number - 1 < len(kept_lines) else code_line
        text = line_text(number)
        hits: list[tuple[Rule, int]] = []
        for rule in rules_for(language):
            at = _matches(rule, code_line, full)
            if at is not None and all(h[0].rule != rule.rule for h in hits):
                hits.append((rule, at))
        if language == "bash":
            for ssh in SSH_COMMAND.finditer(code_line):
                # The remote command is usually quoted, so read the words with strings kept.
                if _ssh_runs_command(full[ssh.start("args") : ssh.end("args")]):
                    hits.append((_SSH_RULE, ssh.start()))
        for rule, _at in hits:
            report.findings.append(Finding(rule.rule, rule.severity, number, text, rule.message))
        risky = [(r, at) for r, at in hits if r.needs_guard]
        unguarded = [r for r, at in risky if not guards.is_guarded(offset + at)]
        if unguarded:
            report.findings.append(
                Finding(
                    "unguarded",
                    "high",
                    number,
                    text,
                    _unguarded_message(language, guards.declared),
                )
            )
        offset += len(code_line) + 1

    if language == "powershell":
        for number in plaintext_conversions(kept):
            report.findings.append(
                Finding(
                    "plaintext_credential",
                    "medium",
                    number,
                    line_text(number),
                    "Turns plain text into a credential; prompt with Get-Credential or read a "
                    "secret store instead.",
                )
            )
    for hit in secrets:
        report.findings.append(
            Finding(
                "secret_literal",
                "high",
                hit.line,
                line_text(hit.line),
                f"Contains {hit.what}. Scripts must never hold credentials: prompt for them or "
                "read them from a secret store at run time.",
            )
        )

    report.findings.sort(key=lambda f: (f.line, _SEVERITY_ORDER[f.severity], f.rule))
    report.requires_confirmation = any(
        f.rule == "unguarded" or f.rule in _GUARDED_RULES for f in report.findings
    )
    if secrets:
        report.refused = True
        lines = sorted({h.line for h in secrets})
        report.refusal_reason = (
            "The script contains a credential literal (line "
            + ", ".join(str(n) for n in lines)
            + "). It is refused: remove the secret and prompt for it at run time."
        )
    return report


_SSH_RULE = Rule(
    "remote_execution",
    "high",
    SSH_COMMAND,
    "Runs a command on another machine over SSH.",
)
_GUARDED_RULES = frozenset(
    {r.rule for lang in LANGUAGES for r in rules_for(lang) if r.needs_guard} | {"remote_execution"}
)
