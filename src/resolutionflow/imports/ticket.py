"""The vendor-neutral ticket every vendor mapping produces, and how it becomes a session."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from selectolax.parser import HTMLParser

from resolutionflow.errors import Problem

# What a status or an action outcome says when the ticket left its first engineer.
ESCALATION_WORDS = re.compile(r"escalat|reassign|tier\s*[23]|level\s*[23]", re.IGNORECASE)
MAX_STEPS = 200
MAX_TEXT = 20000


class RecordError(Exception):
    """One vendor record that cannot be imported, with every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Note:
    text: str
    internal: bool = True
    at: datetime | None = None
    author: str | None = None
    resolution: bool = False


@dataclass
class Ticket:
    """A ticket as every vendor describes it, in our words."""

    vendor: str
    ticket_id: str
    summary: str
    description: str = ""
    status: str = ""
    closed: bool = False
    escalated: bool = False
    escalation_reason: str | None = None
    resolution: str | None = None
    company: str | None = None
    contact: str | None = None
    board: str | None = None
    minutes: int | None = None
    created_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        return f"{self.vendor}:{self.ticket_id}"


def html_to_text(value: str | None) -> str:
    """Plain text of a note that may be HTML (Halo and Autotask keep rich text)."""
    if not value:
        return ""
    if "<" not in value:
        return value.strip()
    tree = HTMLParser(value)
    for tag in tree.css("script, style"):
        tag.decompose()
    for br in tree.css("br"):
        br.replace_with("\n")
    root = tree.body or tree.root
    text = root.text(separator="\n") if root is not None else ""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def parse_time(value: Any, where: str, problems: list[Problem]) -> datetime | None:
    """An ISO 8601 time as the vendors write it; naive times are UTC."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        problems.append(Problem(where, f"must be an ISO 8601 time, got {type(value).__name__}"))
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None:
        # Some APIs send seven fraction digits (.NET); Python reads six.
        text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip().replace("Z", "+00:00"))
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            problems.append(Problem(where, f"'{value}' is not an ISO 8601 time"))
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def name_of(value: Any) -> str | None:
    """The name of a reference: `{"id": 1, "name": "X"}` or a plain string."""
    if isinstance(value, dict):
        name = value.get("name") or value.get("identifier")
        return str(name).strip() or None if name is not None else None
    if isinstance(value, str):
        return value.strip() or None
    return None


def require_id(record: Any, key: str) -> str:
    """The record's id as text, or a RecordError naming what is missing."""
    if not isinstance(record, dict):
        raise RecordError([Problem("record", "must be a JSON object")])
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or str(value).strip() == "":
        raise RecordError([Problem(key, "is required (the vendor's ticket id)")])
    return str(value).strip()


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
