"""Commands in a proposed flow, read by the script risk check, so a model's destructive step is
flagged next to its node and cannot be published without a reviewer saying they saw it.

A node's text is prose with commands in it: `Remove-Item C:\\ -Recurse`, or "run rm -rf /tmp/x
and retry". Commands are taken from backticks and code fences, and from the text where a
cmdlet or a known command word with arguments starts; each is checked as PowerShell and as
Bash. Pure: no database, no HTTP.
"""

from __future__ import annotations

import re
from typing import Any

from resolutionflow.flows.structure import iter_nodes
from resolutionflow.scriptgen.risk import assess

TEXT_FIELDS = ("title", "question", "description", "help_text")
_FENCED = re.compile(r"```[\w-]*\n?(.*?)```", re.S)
_TICKED = re.compile(r"`([^`\n]+)`")
_CMDLET = re.compile(r"\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b")
_COMMAND_WORD = re.compile(
    r"(?i)(?<![\w-])(?:sudo\s+)?(rm|rmdir|del|erase|rd|format|diskpart|dd|mkfs(?:\.\w+)?|shred"
    r"|wipefs|shutdown|reboot|wbadmin|vssadmin|bcdedit|cipher|crontab|chmod|chown|kill|pkill"
    r"|killall|systemctl|net|netsh|reg|sc|iex|curl|wget|python3?|bash|sh|cmd|powershell|pwsh"
    r"|userdel|usermod|passwd|iptables|ufw|fdisk|parted|taskkill|schtasks|wmic|sdelete)"
    r"(?=\s+(?:-|/|\$|~|['\"]|[A-Za-z]:[\\/])|\s*\|)"
)
_CLAUSE_END = re.compile(r"\.(?:\s|$)|\s+(?:and|then|or)\s+(?=[A-Za-z])|\n|,\s+(?:then|and)\s")
_SEVERITY = {"high": 0, "medium": 1, "low": 2}


def commands_in(text: str) -> list[str]:
    """The command-like pieces of a node's text."""
    found: list[str] = [m.group(1).strip() for m in _FENCED.finditer(text)]
    rest = _FENCED.sub(" ", text)
    found += [m.group(1).strip() for m in _TICKED.finditer(rest)]
    rest = _TICKED.sub(" ", rest)
    for pattern in (_CMDLET, _COMMAND_WORD):
        for match in pattern.finditer(rest):
            end = _CLAUSE_END.search(rest, match.end())
            found.append(rest[match.start() : end.start() if end else len(rest)].strip())
    return [c for c in dict.fromkeys(found) if c]


def command_risks(command: str) -> list[dict[str, Any]]:
    """Findings for one command, read as PowerShell and as Bash (each rule once)."""
    out: dict[str, dict[str, Any]] = {}
    for language in ("powershell", "bash"):
        for finding in assess(command, language).findings:
            if finding.rule == "unguarded":
                continue
            known = out.get(finding.rule)
            if known is None or _SEVERITY[finding.severity] < _SEVERITY[known["severity"]]:
                out[finding.rule] = {
                    "rule": finding.rule,
                    "severity": finding.severity,
                    "message": finding.message,
                    "command": command[:300],
                }
    return list(out.values())


def node_risks(
    tree: dict[str, Any] | None, *, before: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Risky commands in the tree's nodes, each with its node. With `before` (an enhancement's
    flow as it is), only nodes the change adds or alters are read: the rest was published."""
    if not isinstance(tree, dict):
        return []
    old = {n.get("id"): n for n in iter_nodes(before)} if isinstance(before, dict) else {}
    risks: list[dict[str, Any]] = []
    for node in iter_nodes(tree):
        node_id = node.get("id")
        if old and old.get(node_id) == node:
            continue
        texts = [str(node.get(f) or "") for f in TEXT_FIELDS]
        texts += [
            str(o.get("label") or "") for o in node.get("options") or [] if isinstance(o, dict)
        ]
        seen: set[tuple[str, str]] = set()
        for command in commands_in("\n".join(t for t in texts if t)):
            for finding in command_risks(command):
                key = (finding["rule"], finding["command"])
                if key not in seen:
                    seen.add(key)
                    risks.append(
                        {"node_id": node_id, "node_title": node.get("title") or node_id, **finding}
                    )
    risks.sort(key=lambda r: (_SEVERITY[r["severity"]], str(r["node_id"])))
    return risks


def high(risks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in risks if r["severity"] == "high"]
