"""Finds credentials written into a script: password literals, API keys and tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from resolutionflow.scriptgen.lexing import without_comments

_SECRET_NAME = (
    r"[A-Za-z0-9_]*(?:password|passwd|passphrase|pwd|secret|token|apikey|api_key|api-key"
    r"|accesskey|access_key|clientsecret|client_secret|privatekey|private_key)"
)
_QUOTED = r"(?P<q>['\"\u2018\u2019\u201c\u201d])(?P<val>.*?)(?P=q)"

# Shapes that are secrets wherever they appear, comments included.
_TOKEN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("an API secret key", re.compile(r"\b(sk|rk)[-_](live_|test_|proj-)?[A-Za-z0-9_-]{20,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    (
        "a JSON web token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ),
    ("a storage account key", re.compile(r"AccountKey=[A-Za-z0-9+/]{40,}={0,2}", re.I)),
    ("a shared access signature", re.compile(r"[?&]sig=[A-Za-z0-9%+/]{30,}", re.I)),
    ("a bearer token", re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{24,}=*")),
)

# Shapes that name a credential and give it a literal value; checked with comments removed.
_ASSIGNMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "a password assigned to a variable",
        re.compile(r"\$(?:\w+:)?" + _SECRET_NAME + r"\s*=\s*" + _QUOTED, re.I),
    ),
    (
        "a password passed as a parameter",
        re.compile(r"\s-" + _SECRET_NAME + r"(?::|\s+)" + _QUOTED, re.I),
    ),
    (
        "a password in a shell variable",
        re.compile(
            r"(?:^|[\s;])(?:export\s+)?"
            + _SECRET_NAME
            + r"=(?:"
            + _QUOTED
            + r"|(?P<bare>[^\s;'\"$`]+))",
            re.I | re.M,
        ),
    ),
    (
        "a password in a key=value setting",
        re.compile(
            r"[\"']?\b"
            + _SECRET_NAME
            + r"[\"']?\s*[=:]\s*(?:"
            + _QUOTED
            + r"|(?P<bare>[^\s;'\"$`&,)}]+))",
            re.I,
        ),
    ),
    (
        "a password on the command line",
        re.compile(
            r"--(?:password|passwd|token|secret|api-key|apikey)(?:=|\s+)(?:"
            + _QUOTED
            + r"|(?P<bare>[^\s;'\"$`]+))",
            re.I,
        ),
    ),
    (
        "a password after -p for sshpass",
        re.compile(r"\bsshpass\s+-p\s*(?:" + _QUOTED + r"|(?P<bare>[^\s;'\"$`]+))"),
    ),
    ("a user:password pair", re.compile(r"\s-u\s+[\"']?[^\s:'\"$]+:(?P<bare>[^\s'\"$@]+)")),
    ("credentials in a URL", re.compile(r"://[^/\s:@'\"]+:(?P<bare>[^/\s@'\"$]+)@")),
)

_PLAIN_SECURE = re.compile(r"ConvertTo-SecureString\b", re.I)
_LIT = r"(?P<lit>'[^']*'|\"[^\"]*\")"
# The literal handed to ConvertTo-SecureString, as its argument or through the pipeline.
_SECURE_LITERALS = (
    re.compile(r"ConvertTo-SecureString\s+(?:-String\s+)?" + _LIT + r"(?=.*-AsPlainText)", re.I),
    re.compile(_LIT + r"\s*\|\s*ConvertTo-SecureString\b(?=.*-AsPlainText)", re.I),
)
_AS_PLAIN_TEXT = re.compile(r"-AsPlainText\b", re.I)
_EXPANSION = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\$[\w:]+|`.")


@dataclass(frozen=True)
class SecretHit:
    line: int
    what: str
    value: str


def _is_placeholder(value: str) -> bool:
    """Values that hold no secret: empty, a variable, a prompt or a visible placeholder."""
    v = value.strip()
    if len(v) < 3:
        return True
    if v.startswith(("$", "%", "(", "@(", "{{", "<", "[")) or v.endswith(">"):
        return True
    if re.fullmatch(r"\*+|x+|\.+|-+|_+|null|none|true|false|\d{1,3}", v, re.I):
        return True
    return bool(re.match(r"(Read-Host|Get-Credential|Get-Secret|\$env:)", v, re.I))


def _literal_text(quoted: str) -> str:
    """What a string literal holds once its variable expansions are taken out."""
    return _EXPANSION.sub("", quoted).strip()


def find_secrets(script: str, language: str) -> list[SecretHit]:
    """Every credential literal in the script, with its 1-based line."""
    hits: list[SecretHit] = []
    seen: set[tuple[int, str]] = set()

    def add(line: int, what: str, value: str) -> None:
        if (line, value) not in seen:
            seen.add((line, value))
            hits.append(SecretHit(line, what, value))

    raw_lines = script.splitlines()
    for number, line in enumerate(raw_lines, start=1):
        for what, pattern in _TOKEN_SHAPES:
            for match in pattern.finditer(line):
                add(number, what, match.group(0))

    bare_lines = without_comments(script, language).splitlines()
    for number, line in enumerate(bare_lines, start=1):
        for what, pattern in _ASSIGNMENTS:
            for match in pattern.finditer(line):
                groups = match.groupdict()
                value = groups.get("val")
                if value is None:
                    value = groups.get("bare") or ""
                if groups.get("q") == '"' or groups.get("q") is None:
                    value = _literal_text(value) if "$" in value else value
                if not _is_placeholder(value):
                    add(number, what, value)
        if language == "powershell":
            for pattern in _SECURE_LITERALS:
                for match in pattern.finditer(line):
                    quoted = match.group("lit")
                    value = quoted[1:-1]
                    if quoted.startswith('"'):
                        value = _literal_text(value)
                    if value:
                        add(number, "a literal turned into a SecureString", value)
    return hits


def plaintext_conversions(script: str) -> list[int]:
    """Lines converting plain text to a SecureString, literal or not (PowerShell)."""
    lines = without_comments(script, "powershell").splitlines()
    return [
        n
        for n, line in enumerate(lines, start=1)
        if _PLAIN_SECURE.search(line) and _AS_PLAIN_TEXT.search(line)
    ]


def redact(text: str, value: str) -> str:
    """The line with the secret value replaced, so reports never repeat it."""
    return text.replace(value, "***") if len(value) >= 3 else text
