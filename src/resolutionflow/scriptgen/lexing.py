"""Splits PowerShell and Bash text into code, comments and strings, keeping every offset."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SegmentKind = Literal["code", "comment", "string"]

# PowerShell accepts the typographic single quotes as string delimiters too.
_PS_SQUOTES = "'\u2018\u2019\u201a\u201b"
_PS_DQUOTES = '"\u201c\u201d\u201e'
# A '#' starts a comment only where a new token may begin.
_PS_COMMENT_OPENERS = frozenset(" \t\r\n;|&(){}=,")
_BASH_COMMENT_OPENERS = frozenset(" \t\r\n;|&()")
_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    start: int
    end: int


class _Out:
    """Collects segments, merging neighbours of the same kind."""

    def __init__(self) -> None:
        self.items: list[Segment] = []

    def add(self, kind: SegmentKind, start: int, end: int) -> None:
        if end <= start:
            return
        if self.items and self.items[-1].kind == kind and self.items[-1].end == start:
            self.items[-1] = Segment(kind, self.items[-1].start, end)
        else:
            self.items.append(Segment(kind, start, end))


def _comment_may_start(text: str, i: int, openers: frozenset[str]) -> bool:
    return i == 0 or text[i - 1] in openers


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


# --- PowerShell ---------------------------------------------------------------------------


def _ps_code(text: str, i: int, out: _Out, in_subexpr: bool) -> int:
    """Scans code from i; inside "$( )" it stops after the closing parenthesis."""
    depth = 0
    start = i
    n = len(text)
    while i < n:
        c = text[i]
        if c == "`":
            i += 2
            continue
        if in_subexpr and c == "(":
            depth += 1
        elif in_subexpr and c == ")":
            if depth == 0:
                out.add("code", start, i + 1)
                return i + 1
            depth -= 1
        if text.startswith("<#", i):
            out.add("code", start, i)
            end = text.find("#>", i + 2)
            end = n if end < 0 else end + 2
            out.add("comment", i, end)
            i = start = end
            continue
        if c == "#" and _comment_may_start(text, i, _PS_COMMENT_OPENERS):
            out.add("code", start, i)
            end = _line_end(text, i)
            out.add("comment", i, end)
            i = start = end
            continue
        if c == "@" and i + 1 < n and text[i + 1] in _PS_SQUOTES + _PS_DQUOTES:
            nl = _line_end(text, i + 2)
            if text[i + 2 : nl].strip() == "":
                out.add("code", start, i)
                closer = re.compile(r"^[ \t]*[" + re.escape(_PS_SQUOTES + _PS_DQUOTES) + "]@", re.M)
                found = closer.search(text, nl)
                end = n if found is None else found.end()
                out.add("string", i, end)
                i = start = end
                continue
        if c in _PS_SQUOTES:
            out.add("code", start, i)
            i = start = _ps_single(text, i, out)
            continue
        if c in _PS_DQUOTES:
            out.add("code", start, i)
            i = start = _ps_double(text, i, out)
            continue
        i += 1
    out.add("code", start, n)
    return n


def _ps_single(text: str, i: int, out: _Out) -> int:
    j = i + 1
    n = len(text)
    while j < n:
        if text[j] in _PS_SQUOTES:
            if j + 1 < n and text[j + 1] in _PS_SQUOTES:
                j += 2
                continue
            out.add("string", i, j + 1)
            return j + 1
        j += 1
    out.add("string", i, n)
    return n


def _ps_double(text: str, i: int, out: _Out) -> int:
    j = i + 1
    start = i
    n = len(text)
    while j < n:
        c = text[j]
        if c == "`":
            j += 2
            continue
        if c in _PS_DQUOTES:
            if j + 1 < n and text[j + 1] in _PS_DQUOTES:
                j += 2
                continue
            out.add("string", start, j + 1)
            return j + 1
        if text.startswith("$(", j):
            out.add("string", start, j)
            out.add("code", j, j + 2)
            j = start = _ps_code(text, j + 2, out, in_subexpr=True)
            continue
        j += 1
    out.add("string", start, n)
    return n


# --- Bash ---------------------------------------------------------------------------------


def _bash_code(text: str, i: int, out: _Out, in_subst: bool) -> int:
    """Scans code from i; inside "$( )" it stops after the closing parenthesis."""
    depth = 0
    start = i
    n = len(text)
    pending: list[tuple[str, bool]] = []
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if in_subst and depth == 0:
                out.add("code", start, i + 1)
                return i + 1
            depth = max(0, depth - 1)
        if c == "\n" and pending:
            out.add("code", start, i + 1)
            i = start = _bash_heredocs(text, i + 1, pending, out)
            pending = []
            continue
        if c == "<" and text.startswith("<<", i) and not text.startswith("<<<", i):
            match = _HEREDOC.match(text, i)
            if match:
                pending.append((match.group(3), match.group(1) == "-"))
                i = match.end()
                continue
        if c == "#" and _comment_may_start(text, i, _BASH_COMMENT_OPENERS):
            out.add("code", start, i)
            end = _line_end(text, i)
            out.add("comment", i, end)
            i = start = end
            continue
        if c == "'" or (c == "$" and text.startswith("$'", i)):
            out.add("code", start, i)
            i = start = _bash_single(text, i, out)
            continue
        if c == '"':
            out.add("code", start, i)
            i = start = _bash_double(text, i, out)
            continue
        i += 1
    out.add("code", start, n)
    return n


def _bash_heredocs(text: str, i: int, pending: list[tuple[str, bool]], out: _Out) -> int:
    for word, strip_tabs in pending:
        pattern = r"^\t*" if strip_tabs else r"^"
        closer = re.compile(pattern + re.escape(word) + r"[ \t]*$", re.M)
        found = closer.search(text, i)
        end = len(text) if found is None else found.end()
        out.add("string", i, end)
        i = end
    return i


def _bash_single(text: str, i: int, out: _Out) -> int:
    ansi = text[i] == "$"
    j = i + (2 if ansi else 1)
    n = len(text)
    while j < n:
        if ansi and text[j] == "\\":
            j += 2
            continue
        if text[j] == "'":
            out.add("string", i, j + 1)
            return j + 1
        j += 1
    out.add("string", i, n)
    return n


def _bash_double(text: str, i: int, out: _Out) -> int:
    j = i + 1
    start = i
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == '"':
            out.add("string", start, j + 1)
            return j + 1
        if text.startswith("$(", j) and not text.startswith("$((", j):
            out.add("string", start, j)
            out.add("code", j, j + 2)
            j = start = _bash_code(text, j + 2, out, in_subst=True)
            continue
        j += 1
    out.add("string", start, n)
    return n


# --- Views --------------------------------------------------------------------------------


def segments(text: str, language: str) -> list[Segment]:
    """Every character of text, assigned to code, comment or string."""
    out = _Out()
    if language == "powershell":
        _ps_code(text, 0, out, in_subexpr=False)
    else:
        _bash_code(text, 0, out, in_subst=False)
    return out.items


def _mask(text: str, language: str, kinds: set[SegmentKind]) -> str:
    chars = list(text)
    for seg in segments(text, language):
        if seg.kind not in kinds:
            continue
        for k in range(seg.start, seg.end):
            if chars[k] != "\n":
                chars[k] = " "
    return "".join(chars)


def code_view(text: str, language: str) -> str:
    """The text with comments and string contents blanked out, same length and lines."""
    return _mask(text, language, {"comment", "string"})


def without_comments(text: str, language: str) -> str:
    """The text with only comments blanked out, same length and lines."""
    return _mask(text, language, {"comment"})
