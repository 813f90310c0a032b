"""Risk review of any script, from the library or a model: risky steps, guards and secrets."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from resolutionflow.errors import Invalid, Problem
from resolutionflow.redaction.scripts import find_script_secrets, mask, plaintext_conversions
from resolutionflow.scriptgen.guards import GuardMap, bash_guards, powershell_guards
from resolutionflow.scriptgen.lexing import code_view, without_comments
from resolutionflow.scriptgen.risk_rules import (
    CATASTROPHIC,
    INLINE_INTERPRETERS,
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


_STRING_LITERAL = re.compile(r"'((?:[^']|'')*)'|\"((?:[^\"\\`]|\\.|`.)*)\"")
_BASE64 = re.compile(r"(?<![\w+/])[A-Za-z0-9+/]{8,}={0,2}(?![\w+/=])")
_DECODES = re.compile(
    r"\bbase64\s+(-d|--decode|-D)\b|FromBase64String\(|-(EncodedCommand|enc|ec|e)\s", re.I
)
_VARIABLE_ONLY = re.compile(r"^\s*\$[\w:{}]+\s*$|^\s*\$\(")


def _decoded(token: str, utf16: bool) -> str | None:
    """The text a base64 token holds, if it holds readable text."""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        text = raw.decode("utf-16-le" if utf16 else "utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
    return text if text.strip() and printable >= 0.95 * len(text) else None


@dataclass(frozen=True)
class Inline:
    """Code inside a line that another interpreter will run: (its language, the code), or
    `opaque` when the code is a variable or built at run time and cannot be read here."""

    language: str
    code: str
    opaque: bool = False


_CHAR_CODE = re.compile(r"\[char\]\s*(\d{1,5})", re.I)
_JOINED = re.compile(r"(['\"])\s*\+\s*(['\"])")
_CALL_LITERAL = re.compile(r"[&.]\s*\(\s*(['\"])([^'\"]*)\1\s*\)")


def deobfuscated(line: str) -> str:
    """The line with the common PowerShell disguises undone: [char] codes become letters,
    'Remove'+'-Item' becomes 'Remove-Item', and & ('Remove-Item') becomes Remove-Item."""

    def letter(match: re.Match[str]) -> str:
        code = int(match.group(1))
        return "'" + (chr(code) if 32 <= code < 0x110000 and chr(code) not in "'\"" else "") + "'"

    text = _CHAR_CODE.sub(letter, line)
    text = _JOINED.sub("", text)
    return _CALL_LITERAL.sub(lambda m: m.group(2), text)


def inline_code(line: str, language: str) -> list[Inline]:
    """Code handed to another interpreter on this line, and encoded payloads decoded."""
    found: list[Inline] = []
    if language == "powershell":
        plain = deobfuscated(line)
        if plain != line:
            found.append(Inline("powershell", plain))
    for pattern, inner_language in INLINE_INTERPRETERS:
        match = pattern.search(line)
        if match is None:
            continue
        rest = line[match.end() :]
        literals = [a or b for a, b in _STRING_LITERAL.findall(rest)]
        # cmd's own switch is not part of the command it runs
        literals = [re.sub(r"^\s*/[ckCK]\s+", "", text) for text in literals]
        if literals:
            found += [Inline(inner_language, text) for text in literals]
        elif rest.strip() and _VARIABLE_ONLY.match(rest.split(None, 1)[0] if rest.split() else ""):
            found.append(Inline(inner_language, rest, opaque=True))
        elif rest.strip():
            found.append(Inline(inner_language, rest))
    decoder = _DECODES.search(line)
    if decoder is not None and (language == "powershell" or "base64" in decoder.group(0)):
        utf16 = decoder.group(0).lower().startswith("-")
        target = "powershell" if utf16 or "frombase64" in decoder.group(0).lower() else language
        for token in _BASE64.findall(line):
            text = _decoded(token, utf16)
            if text is None and utf16:
                text = _decoded(token, False)
            if text:
                found.append(Inline(target, text))
    return found


def catastrophic(text: str, code: str | None = None) -> str | None:
    """What makes this text a step no script may take, if anything. With `code` (the same
    line with strings blanked), a match must start in code: text in a string is not run."""
    for pattern, what in CATASTROPHIC:
        for match in pattern.finditer(text):
            start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
            if code is None or (start < len(code) and not code[start].isspace()):
                return what
    return None


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


def _inline_hits(
    full: str, language: str, *, model_output: bool
) -> tuple[list[tuple[Rule, str]], str | None]:
    """Rules hit by code on this line that another interpreter runs (with where it came from),
    and the catastrophic step among them, if any."""
    hits: list[tuple[Rule, str]] = []
    worst: str | None = None
    for inline in inline_code(full, language):
        if inline.opaque:
            hits.append((_OPAQUE_RULE, inline.language))
            continue
        worst = worst or catastrophic(inline.code)
        inner = [r for r in rules_for(inline.language) if r.pattern.search(inline.code)]
        hits += [(r, inline.language) for r in inner]
        if model_output:
            hits.append((_INLINE_RULE, inline.language))
    return hits, worst


def assess(script: str, language: str, *, model_output: bool = False) -> RiskReport:
    """Flag risky steps, check each one is behind the confirmation switch, find secrets.

    Comments and string contents never trigger step rules, except code handed to another
    interpreter (`cmd /c '...'`, `bash -c '...'`, an encoded command), which is read as that
    language. Secrets are looked for in strings (and, for unmistakable token shapes, in
    comments too). Steps no script may take (a fork bomb, deleting a drive root) are refused
    however they are guarded. `model_output` is stricter: any code run through another
    interpreter needs confirmation, even when it looks harmless."""
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
    refusals: list[tuple[int, str]] = []
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
        inline, worst = _inline_hits(full, language, model_output=model_output)
        first_code = len(code_line) - len(code_line.lstrip())
        for rule, _language in inline:
            if all(h[0].rule != rule.rule for h in hits):
                hits.append((rule, first_code))
        worst = catastrophic(full, code_line) or worst
        if worst:
            refusals.append((number, worst))
            report.findings.append(
                Finding("catastrophic", "high", number, text, f"Refused: {worst}.")
            )
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
    if refusals:
        report.refused = True
        reasons = "; ".join(f"line {n}: {what}" for n, what in refusals[:5])
        report.refusal_reason = (
            report.refusal_reason + " " if report.refusal_reason else ""
        ) + f"The script takes a step no script may take ({reasons}). It is refused."
    return report


_SSH_RULE = Rule(
    "remote_execution",
    "high",
    SSH_COMMAND,
    "Runs a command on another machine over SSH.",
)
_OPAQUE_RULE = Rule(
    "dynamic_code",
    "high",
    SSH_COMMAND,
    "Hands code held in a variable or built at run time to another interpreter.",
)
_INLINE_RULE = Rule(
    "inline_code",
    "medium",
    SSH_COMMAND,
    "Runs code through another interpreter (cmd /c, -Command, sh -c, python -c); read it "
    "before confirming.",
)
_GUARDED_RULES = frozenset(
    {r.rule for lang in (*LANGUAGES, "python") for r in rules_for(lang) if r.needs_guard}
    | {"remote_execution", "dynamic_code", "inline_code"}
)
