"""Reading export files: one JSON document (tickets, or a bundle of entity lists) or JSON Lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import orjson

from resolutionflow.imports.vendors.common import Lookups


@dataclass
class BadRecord:
    """A line of a JSON Lines file that is not a JSON object; reported, never stored."""

    message: str


def load_export(vendor: ModuleType, text: str) -> tuple[list[Any], Lookups]:
    """The records of an export file and the lookups it carries.

    Raises ValueError when the file as a whole cannot be read.
    """
    stripped = text.lstrip()
    if not stripped:
        raise ValueError("the file is empty")
    if stripped[0] == "[" or (stripped[0] == "{" and "\n{" not in stripped.rstrip()):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            ) from None
        return vendor.bundle(data)
    records: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            reason = str(exc).split(":", 1)[0]
            records.append(BadRecord(f"line {number} is not valid JSON ({reason})"))
            continue
        records.append(
            value if isinstance(value, dict) else BadRecord(f"line {number} is not a JSON object")
        )
    return records, Lookups()
