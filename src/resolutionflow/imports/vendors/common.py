"""What the vendor mappings share: related records grouped by ticket, and bundle reading."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from resolutionflow.errors import Problem
from resolutionflow.imports.ticket import RecordError


@dataclass
class Lookups:
    """Records a ticket refers to, from a bundle file or fetched by a pull connector."""

    related: dict[str, dict[str, list[dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    by_id: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))

    def add_related(self, kind: str, ticket_key: str, records: Any) -> None:
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict) and record.get(ticket_key) is not None:
                self.related[kind][str(record[ticket_key])].append(record)

    def add_by_id(self, kind: str, records: Any, key: str = "id") -> None:
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict) and record.get(key) is not None:
                self.by_id[kind][str(record[key])] = record

    def of(self, kind: str, ticket_id: str) -> list[dict[str, Any]]:
        return self.related[kind].get(ticket_id, []) if kind in self.related else []

    def get(self, kind: str, key: Any) -> dict[str, Any] | None:
        if key is None or kind not in self.by_id:
            return None
        return self.by_id[kind].get(str(key))


def embedded_list(record: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """A list of related records carried inside the ticket, checked for shape."""
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RecordError([Problem(where, "must be a list of objects")])
    return value


def split_bundle(
    data: Any, tickets_key: str, related: dict[str, str], by_id: dict[str, str]
) -> tuple[list[Any], Lookups]:
    """Tickets and lookups from a file: a list of tickets, or an object of entity lists.

    `related` maps a bundle key to the field naming its ticket (e.g. notes -> ticketId);
    `by_id` maps a bundle key to the lookup kind its records fill (e.g. companies).
    """
    lookups = Lookups()
    if isinstance(data, list):
        return data, lookups
    if not isinstance(data, dict):
        raise ValueError("the file must hold a JSON array of tickets or an object of lists")
    tickets = data.get(tickets_key)
    if not isinstance(tickets, list):
        raise ValueError(f"the file's object has no '{tickets_key}' list")
    for key, ticket_field in related.items():
        lookups.add_related(key, ticket_field, data.get(key))
    for key, kind in by_id.items():
        lookups.add_by_id(kind, data.get(key))
    return tickets, lookups
