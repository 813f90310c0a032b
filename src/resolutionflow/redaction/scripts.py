"""Credentials written into a script: the same detectors, read line by line with comments out.

The script review refuses a script holding a credential literal; it reports the line and what
was found, never the value. The caller hands in the script with its comments blanked (the
script lexer lives with the script generator), so names in comments ("# the password is read
from the vault") never count, while unmistakable token shapes count even there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from resolutionflow.redaction.secrets import assignment_values, literal_text, token_spans

_PLAIN_SECURE = re.compile(r"ConvertTo-SecureString\b", re.I)
_LIT = r"(?P<lit>'[^']*'|\"[^\"]*\")"
# The literal handed to ConvertTo-SecureString, as its argument or through the pipeline.
_SECURE_LITERALS = (
    re.compile(r"ConvertTo-SecureString\s+(?:-String\s+)?" + _LIT + r"(?=.*-AsPlainText)", re.I),
    re.compile(_LIT + r"\s*\|\s*ConvertTo-SecureString\b(?=.*-AsPlainText)", re.I),
)
_AS_PLAIN_TEXT = re.compile(r"-AsPlainText\b", re.I)


@dataclass(frozen=True)
class SecretHit:
    line: int
    what: str
    value: str


def find_script_secrets(script: str, comment_free: str, language: str) -> list[SecretHit]:
    """Every credential literal in the script, with its 1-based line."""
    hits: list[SecretHit] = []
    seen: set[tuple[int, str]] = set()

    def add(line: int, what: str, value: str) -> None:
        if (line, value) not in seen:
            seen.add((line, value))
            hits.append(SecretHit(line, what, value))

    for number, line in enumerate(script.splitlines(), start=1):
        for span in token_spans(line):
            add(number, span.what, line[span.start : span.end])
    for number, line in enumerate(comment_free.splitlines(), start=1):
        for what, value, _start in assignment_values(line):
            add(number, what, value)
        if language == "powershell":
            for pattern in _SECURE_LITERALS:
                for match in pattern.finditer(line):
                    quoted = match.group("lit")
                    value = quoted[1:-1]
                    if quoted.startswith('"'):
                        value = literal_text(value)
                    if value:
                        add(number, "a literal turned into a SecureString", value)
    return hits


def plaintext_conversions(comment_free: str) -> list[int]:
    """Lines converting plain text to a SecureString, literal or not (PowerShell)."""
    return [
        n
        for n, line in enumerate(comment_free.splitlines(), start=1)
        if _PLAIN_SECURE.search(line) and _AS_PLAIN_TEXT.search(line)
    ]


def mask(text: str, value: str) -> str:
    """The line with the secret value replaced, so reports never repeat it."""
    return text.replace(value, "***") if len(value) >= 3 else text
