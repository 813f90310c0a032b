"""Reads and writes the parameter defaults of library scripts, quoting values safely."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from resolutionflow.errors import Invalid, Problem
from resolutionflow.scriptgen.lexing import code_view

ParamKind = Literal["string", "int", "bool", "list"]
ParamValue = str | int | bool | list[str]

_PS_QUOTES = "'\u2018\u2019\u201a\u201b"
_PS_STRING = r"'(?:[^'\u2018\u2019\u201a\u201b]|['\u2018\u2019\u201a\u201b]{2})*'"
_PS_LITERAL = (
    r"(?P<lit>" + _PS_STRING + r"|-?\d+|\$(?:true|false)"
    r"|@\(\s*(?:" + _PS_STRING + r"(?:\s*,\s*" + _PS_STRING + r")*)?\s*\))"
)
_PS_TYPES: dict[str, ParamKind] = {
    "string": "string",
    "int": "int",
    "int32": "int",
    "int64": "int",
    "long": "int",
    "bool": "bool",
    "string[]": "list",
}
_BASH_LITERAL = (
    r"(?P<lit>'[^'\n]*'(?:\\''[^'\n]*')*|\"[^\"$`\\\n]*\"|-?\d+|[A-Za-z0-9_./:@%+-]*)[ \t]*$"
)
_MAX_VALUE = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class DefaultSlot:
    """Where a parameter's default literal sits in the script text."""

    start: int
    end: int
    literal: str
    kind: ParamKind


def _ps_param_block(script: str) -> tuple[int, int]:
    code = code_view(script, "powershell")
    match = re.search(r"\bparam\s*\(", code, re.I)
    if not match:
        raise ValueError("no param() block")
    depth = 0
    for i in range(match.end() - 1, len(code)):
        if code[i] == "(":
            depth += 1
        elif code[i] == ")":
            depth -= 1
            if depth == 0:
                return match.end(), i
    raise ValueError("param() block is not closed")


def find_default(script: str, language: str, name: str) -> DefaultSlot:
    """The default of parameter `name`; ValueError when the script does not declare it."""
    if language == "powershell":
        start, end = _ps_param_block(script)
        pattern = re.compile(
            r"\[(?P<type>[A-Za-z0-9\[\]]+)\]\s*\$" + re.escape(name) + r"\b\s*=\s*" + _PS_LITERAL,
            re.I,
        )
        match = pattern.search(script, start, end)
        if not match:
            raise ValueError(f"parameter ${name} has no typed default in the param() block")
        kind = _PS_TYPES.get(match.group("type").lower())
        if kind is None:
            raise ValueError(f"parameter ${name} has an unsupported type")
        return DefaultSlot(match.start("lit"), match.end("lit"), match.group("lit"), kind)
    match = re.compile(r"^" + re.escape(name) + r"=" + _BASH_LITERAL, re.M).search(script)
    if not match:
        raise ValueError(f"variable {name} has no default assignment")
    literal = match.group("lit")
    kind_b: ParamKind = "int" if re.fullmatch(r"-?\d+", literal) else "string"
    return DefaultSlot(match.start("lit"), match.end("lit"), literal, kind_b)


def decode(literal: str, kind: ParamKind, language: str) -> ParamValue:
    """The value a default literal stands for."""
    if kind == "int":
        return int(literal)
    if kind == "bool":
        return literal.lower() == "$true"
    if kind == "list":
        return [decode(m.group(0), "string", language) for m in re.finditer(_PS_STRING, literal)]  # type: ignore[misc]
    if language == "powershell":
        inner = literal[1:-1]
        return re.sub("[" + _PS_QUOTES + "]{2}", lambda m: m.group(0)[0], inner)
    if literal[:1] == "'":
        return literal[1:-1].replace("'\\''", "'")
    if literal[:1] == '"':
        return literal[1:-1]
    return literal


def _text(value: object, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(f"{name} must be text.", problems=[Problem(name, "must be text")])
    text = str(value)
    if len(text) > _MAX_VALUE or _CONTROL.search(text):
        raise Invalid(
            f"{name} is not a usable value.",
            problems=[Problem(name, "must be one line of at most 1000 characters")],
        )
    return text


def encode(value: object, kind: ParamKind, language: str, name: str) -> str:
    """A literal for value that the script's language reads back as exactly that value."""
    if kind == "int":
        text = str(value).strip() if not isinstance(value, bool) else ""
        if not re.fullmatch(r"-?\d{1,9}", text):
            raise Invalid(
                f"{name} must be a whole number.", problems=[Problem(name, "not a number")]
            )
        return str(int(text))
    if kind == "bool":
        if isinstance(value, bool):
            flag = value
        elif str(value).strip().lower() in ("true", "yes", "1", "$true", "on"):
            flag = True
        elif str(value).strip().lower() in ("false", "no", "0", "$false", "off", ""):
            flag = False
        else:
            raise Invalid(
                f"{name} must be true or false.", problems=[Problem(name, "not a yes/no")]
            )
        return "$true" if flag else "$false"
    if kind == "list":
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        quoted = [encode(str(item).strip(), "string", language, name) for item in items]
        return "@(" + ", ".join(q for q in quoted if q != "''") + ")"
    text = _text(value, name)
    if language == "powershell":
        # Doubling every kind of single quote keeps the value inside the literal, and
        # single-quoted strings never expand $variables or $(subexpressions).
        return "'" + re.sub("([" + _PS_QUOTES + "])", r"\1\1", text) + "'"
    return "'" + text.replace("'", "'\\''") + "'"
