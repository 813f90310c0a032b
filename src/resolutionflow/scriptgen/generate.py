"""Fills library scripts with parameters, builds the offline answer, and checks model scripts."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from resolutionflow.errors import Invalid, Problem
from resolutionflow.scriptgen.catalogue import ScriptEntry
from resolutionflow.scriptgen.intent import MatchResult, match_scripts
from resolutionflow.scriptgen.params import encode, find_default
from resolutionflow.scriptgen.risk import RiskReport, assess, normalise_language
from resolutionflow.scriptgen.syntax import check_bash, check_powershell, shellcheck

MAX_SCRIPT_CHARS = 100_000


def render(script_entry: ScriptEntry, params: Mapping[str, Any] | None = None) -> str:
    """The library script with the given values written in as its parameter defaults.

    Values are quoted for the script's language, so they stay data: no quote, `$(...)` or
    backtick in a value can turn into code. Unknown names and unusable values raise Invalid
    with every problem listed."""
    source = script_entry.source
    problems: list[Problem] = []
    edits: list[tuple[int, int, str]] = []
    for name, value in (params or {}).items():
        param = script_entry.parameter(str(name))
        if param is None:
            problems.append(Problem(f"parameters.{name}", "no such parameter in this script"))
            continue
        if value is None:
            continue
        try:
            literal = encode(value, param.kind, script_entry.language, param.name)
        except Invalid as exc:
            problems.extend(Problem(f"parameters.{p.location}", p.message) for p in exc.problems)
            continue
        slot = find_default(source, script_entry.language, param.name)
        edits.append((slot.start, slot.end, literal))
    if problems:
        raise Invalid("Some parameters cannot be used.", problems=problems)
    for start, end, literal in sorted(edits, reverse=True):
        source = source[:start] + literal + source[end:]
    return source


def _parameters(entry: ScriptEntry, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    given = {str(k).lower().lstrip("-$"): v for k, v in params.items()}
    rows = []
    for param in entry.parameters:
        row = param.as_dict()
        value = given.get(param.name.lower())
        row["value"] = param.default if value is None else value
        row["missing"] = param.required and row["value"] in ("", None, [])
        rows.append(row)
    return rows


def _how_to_run(entry: ScriptEntry, report: RiskReport) -> str:
    if entry.language == "powershell":
        text = f"Run it in an elevated PowerShell window as .\\{entry.filename}."
        if report.requires_confirmation:
            text += (
                " Run it with -WhatIf first to see every change it would make; without -WhatIf"
                " it asks before each change (-Confirm:$false skips the prompts)."
            )
        return text
    text = f"Run it with: sudo bash {entry.filename}."
    if report.requires_confirmation:
        text += " Without --yes it only prints the changes it would make; add --yes to make them."
    return text


def _risk_summary(report: RiskReport) -> str:
    risky = [f for f in report.findings if f.rule != "unguarded"]
    if not risky:
        return "It only reads and reports; it changes nothing."
    steps = sorted({(f.line, f.message.rstrip(".")) for f in risky})
    return "Steps that change the system: " + "; ".join(f"line {n}: {m}" for n, m in steps) + "."


def _no_match_answer(result: MatchResult, language: str | None) -> dict[str, Any]:
    suggestions = [s.as_dict() for s in result.suggestions]
    listed = "; ".join(f"{s['title']} ({s['id']})" for s in suggestions) or "none"
    explanation = (
        f"No script in the library fits this request. {result.reason} "
        f"The closest library scripts are: {listed}. Nothing was made up: describe the task "
        "more precisely, pick one of these, or ask an AI provider to write a new script."
    )
    return {
        "script": "",
        "language": language or "powershell",
        "explanation": explanation,
        "parameters": [],
        "risks": [],
        "requires_confirmation": False,
        "refused": False,
        "template": None,
        "title": None,
        "matched": False,
        "score": round(result.score, 3),
        "suggestions": suggestions,
    }


def build_offline_answer(
    request: str,
    language: str | None = None,
    domain: str | None = None,
    context_texts: Sequence[str] = (),
    *,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The offline provider's answer: the library script that fits, filled in and reviewed,
    or an honest "nothing fits" with the closest suggestions. It never invents a script."""
    lang = normalise_language(language) if language else None
    result = match_scripts(request, language=lang, domain=domain, context_texts=context_texts)
    if result.best is None:
        return _no_match_answer(result, lang)
    entry = result.best
    values = dict(params or {})
    script = render(entry, values)
    report = assess(script, entry.language)
    rows = _parameters(entry, values)
    missing = [r["name"] for r in rows if r["missing"]]
    explanation = " ".join(
        part
        for part in (
            f"{entry.title}. {entry.description}",
            _risk_summary(report),
            _how_to_run(entry, report),
            f"Fill in before running: {', '.join(missing)}." if missing else "",
        )
        if part
    )
    return {
        "script": script,
        "language": entry.language,
        "explanation": explanation,
        "parameters": rows,
        "risks": [f.as_dict() for f in report.findings],
        "requires_confirmation": report.requires_confirmation,
        "refused": report.refused,
        "template": entry.id,
        "title": entry.title,
        "matched": True,
        "score": round(result.score, 3),
        "suggestions": [s.as_dict() for s in result.suggestions],
    }


def check_generated(script: str, language: str) -> dict[str, Any]:
    """Syntax and risk review of a script written elsewhere (an LLM provider), read strictly:
    any code it runs through another interpreter needs confirmation.

    `ok` is true only when the script parses, holds no secret and keeps every risky step
    behind the confirmation switch."""
    lang = normalise_language(language)
    if len(script) > MAX_SCRIPT_CHARS:
        raise Invalid(
            "The script is too long to review.",
            problems=[Problem("script", f"at most {MAX_SCRIPT_CHARS} characters")],
        )
    problems: list[dict[str, Any]] = []
    if not script.strip():
        problems.append(
            {"line": 1, "message": "the script is empty", "severity": "error", "source": "syntax"}
        )
    syntax = check_powershell(script) if lang == "powershell" else check_bash(script)
    problems.extend({**p.as_dict(), "source": "syntax"} for p in syntax.problems)
    if lang == "bash":
        lint = shellcheck(script)
        problems.extend({**p.as_dict(), "source": "shellcheck"} for p in lint.problems)
        if not re.search(r"^\s*set\s+-[a-z]*e[a-z]*u?", script, re.M):
            problems.append(
                {
                    "line": 1,
                    "message": "no `set -euo pipefail`: errors go unnoticed",
                    "severity": "warning",
                    "source": "style",
                }
            )
    report = assess(script, lang, model_output=True)
    for finding in report.findings:
        if finding.rule in ("unguarded", "secret_literal"):
            problems.append(
                {
                    "line": finding.line,
                    "message": finding.message,
                    "severity": "error",
                    "source": "risk",
                }
            )
    problems.sort(key=lambda p: (p["line"], p["source"]))
    errors = [p for p in problems if p["severity"] == "error"]
    return {
        "ok": not errors and not report.refused,
        "language": lang,
        "syntax_checked": syntax.checked,
        "checker": syntax.checker,
        "problems": problems,
        "risks": [f.as_dict() for f in report.findings],
        "requires_confirmation": report.requires_confirmation,
        "refused": report.refused,
        "refusal_reason": report.refusal_reason,
    }
