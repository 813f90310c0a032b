"""Works out which parts of a script only run after confirmation (ShouldProcess or --yes)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CMDLET_BINDING = re.compile(r"\[CmdletBinding\s*\(([^\]]*)\)\s*\]", re.I)
_SHOULD = re.compile(r"\$PSCmdlet\s*\.\s*Should(?:Process|Continue)\s*\(", re.I)
_NEGATED = re.compile(r"(?:-not|!)\s*\(?\s*\$PSCmdlet", re.I)
_IF_HEAD = re.compile(r"\b(?:elseif|if)\s*\(", re.I)
_LEAVES = re.compile(r"\b(?:return|continue|break|exit|throw)\b", re.I)

_YES_ASSIGN = re.compile(
    r"\b([A-Za-z_]\w*)=(?:1|true|yes|\"1\"|\"true\"|\"yes\"|'1'|'true'|'yes')(?![\w])", re.I
)
_FUNCTION = re.compile(r"^[ \t]*(?:function\s+)?([A-Za-z_][\w-]*)\s*(?:\(\s*\))?\s*\{", re.M)
_KEYWORD = re.compile(r"(?:^|[;&|(])[ \t]*(if|then|elif|else|fi)(?=[\s;]|$)", re.M)
_SEGMENT_BREAK = re.compile(r"\|\||&&|[;|&(\n]|\b(?:then|do|else)\b")
_COMMAND_CHAR = re.compile(r"[^\s|;&({]")
_PREFIX_WORDS = frozenset({"sudo", "then", "do", "else", "!", "time", "command", "nice"})


@dataclass
class GuardMap:
    """Offsets of a script's code that run only once the engineer confirmed."""

    declared: bool
    regions: list[tuple[int, int]] = field(default_factory=list)
    guard_functions: frozenset[str] = frozenset()
    yes_vars: frozenset[str] = frozenset()
    code: str = ""
    kept: str = ""

    def is_guarded(self, offset: int) -> bool:
        if not self.declared:
            return False
        if any(start <= offset < end for start, end in self.regions):
            return True
        return self._wrapped(offset) or self._and_guarded(offset)

    def _segment_start(self, offset: int) -> int:
        start = self.code.rfind("\n", 0, offset) + 1
        for match in _SEGMENT_BREAK.finditer(self.code, start, offset):
            start = match.end()
        return start

    def _command_at(self, offset: int) -> int:
        """Where the command word starts when a match began on a separator before it."""
        found = _COMMAND_CHAR.search(self.code, offset)
        return found.start() if found else offset

    def _wrapped(self, offset: int) -> bool:
        """Bash: the command is handed to a function that honours --yes."""
        if not self.guard_functions:
            return False
        offset = self._command_at(offset)
        words = self.code[self._segment_start(offset) :].split()
        while words and words[0] in _PREFIX_WORDS:
            words.pop(0)
        return bool(words) and words[0] in self.guard_functions

    def _and_guarded(self, offset: int) -> bool:
        """Bash: `[[ $YES -eq 1 ]] && cmd` on one line."""
        if not self.yes_vars:
            return False
        offset = self._command_at(offset)
        line_start = self.code.rfind("\n", 0, offset) + 1
        prefix = (self.kept or self.code)[line_start:offset]
        for test in re.finditer(r"(\[\[?[^\]]*\]\]?|\(\([^)]*\)\))\s*&&\s*(?:sudo\s+)?$", prefix):
            if _bash_polarity(test.group(1), self.yes_vars) is True:
                return True
        return False


# --- PowerShell ---------------------------------------------------------------------------


def declares_should_process(code: str) -> bool:
    match = _CMDLET_BINDING.search(code)
    if not match or not re.search(r"SupportsShouldProcess", match.group(1), re.I):
        return False
    return not re.search(r"SupportsShouldProcess\s*=\s*\$false", match.group(1), re.I)


def powershell_guards(code: str) -> GuardMap:
    """Blocks under `if ($PSCmdlet.ShouldProcess(...))`, their `else` after a negated test,
    and the rest of a block after `if (-not $PSCmdlet.ShouldProcess(...)) { return }`."""
    guard = GuardMap(declared=declares_should_process(code), code=code)
    stack: list[dict[str, object]] = []
    boundary = 0
    last_closed: dict[int, tuple[bool, bool]] = {}
    for i, c in enumerate(code):
        if c == "{":
            header = code[boundary:i]
            positive = negative = False
            heads = list(_IF_HEAD.finditer(header))
            if heads:
                condition = header[heads[-1].end() :]
                if _SHOULD.search(condition):
                    negative = bool(_NEGATED.search(condition))
                    positive = not negative
            elif re.search(r"\belse\s*$", header, re.I):
                prev_pos, prev_neg = last_closed.get(len(stack), (False, False))
                positive, negative = prev_neg, prev_pos
            stack.append({"start": i, "positive": positive, "negative": negative, "rests": []})
            boundary = i + 1
        elif c == "}" and stack:
            block = stack.pop()
            start = int(str(block["start"]))
            for rest_start in block["rests"]:  # type: ignore[attr-defined]
                guard.regions.append((rest_start, i))
            if block["positive"]:
                guard.regions.append((start, i + 1))
            if block["negative"] and _LEAVES.search(code[start:i]):
                if stack:
                    stack[-1]["rests"].append(i + 1)  # type: ignore[attr-defined]
                else:
                    guard.regions.append((i + 1, len(code)))
            last_closed[len(stack)] = (bool(block["positive"]), bool(block["negative"]))
            boundary = i + 1
        elif c == ";":
            boundary = i + 1
    return guard


# --- Bash ---------------------------------------------------------------------------------


def _bash_polarity(condition: str, yes_vars: frozenset[str]) -> bool | None:
    """True when the test passes only with --yes, False when only without, None otherwise."""
    if not any(
        re.search(r"\$\{?" + re.escape(v) + r"\b|\(\(\s*!?\s*" + re.escape(v) + r"\b", condition)
        for v in yes_vars
    ):
        return None
    positive = True
    compare = re.search(r"(==?|!=|-eq\b|-ne\b)\s*[\"']?(\w*)", condition)
    if compare:
        positive = compare.group(1) in ("=", "==", "-eq")
        if compare.group(2).lower() in ("0", "false", "no", ""):
            positive = not positive
    elif re.search(r"-z\b", condition):
        positive = False
    if re.match(r"\s*!", condition) or re.search(r"\[\[?\s*!\s|\(\(\s*!", condition):
        positive = not positive
    return positive


def _yes_variables(comment_free: str) -> frozenset[str]:
    found: set[str] = set()
    for match in re.finditer(r"--yes\b", comment_free):
        window = comment_free[match.end() : match.end() + 160]
        assign = _YES_ASSIGN.search(window)
        if assign:
            found.add(assign.group(1))
    return frozenset(found)


def _brace_end(code: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(code)):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(code)


def bash_guards(code: str, comment_free: str) -> GuardMap:
    """Commands wrapped in a function that checks the --yes variable, `if` branches that run
    only with --yes, and everything after `if [[ $YES -ne 1 ]]; then ...; exit 0; fi`."""
    yes_vars = _yes_variables(comment_free)
    guard = GuardMap(declared=bool(yes_vars), yes_vars=yes_vars, code=code, kept=comment_free)
    functions: set[str] = set()
    for match in _FUNCTION.finditer(code):
        end = _brace_end(code, match.end() - 1)
        body = comment_free[match.end() : end]
        if any(re.search(r"\$\{?" + re.escape(v) + r"\b", body) for v in yes_vars):
            functions.add(match.group(1))
    guard.guard_functions = frozenset(functions)

    frames: list[dict[str, object]] = []
    for match in _KEYWORD.finditer(code):
        word, at = match.group(1), match.start(1)
        if word == "if":
            frames.append(
                {
                    "cond_start": match.end(1),
                    "polarity": None,
                    "branch": "cond",
                    "branch_start": 0,
                    "leaves": False,
                    "elif": False,
                }
            )
            continue
        if not frames:
            continue
        frame = frames[-1]
        _close_branch(frame, code, at, guard)
        if word == "then":
            condition = comment_free[int(str(frame["cond_start"])) : at]
            frame["polarity"] = _bash_polarity(condition, yes_vars)
            frame["branch"], frame["branch_start"] = "then", match.end(1)
        elif word == "elif":
            frame["elif"] = True
            frame["cond_start"], frame["branch"] = match.end(1), "cond"
        elif word == "else":
            frame["branch"], frame["branch_start"] = "else", match.end(1)
        else:
            frames.pop()
            if frame["polarity"] is False and frame["leaves"] and not frame["elif"]:
                guard.regions.append((match.end(1), _scope_end(code, match.end(1))))
    return guard


def _close_branch(frame: dict[str, object], code: str, at: int, guard: GuardMap) -> None:
    start = int(str(frame["branch_start"]))
    polarity = frame["polarity"]
    if frame["branch"] == "then":
        if re.search(r"\b(?:exit|return)\b", code[start:at]):
            frame["leaves"] = True
        if polarity is True and not frame["elif"]:
            guard.regions.append((start, at))
    elif frame["branch"] == "else" and polarity is False and not frame["elif"]:
        guard.regions.append((start, at))


def _scope_end(code: str, offset: int) -> int:
    """The end of the function body holding offset, or of the script."""
    for match in _FUNCTION.finditer(code):
        if match.end() <= offset:
            end = _brace_end(code, match.end() - 1)
            if offset < end:
                return end
    return len(code)
