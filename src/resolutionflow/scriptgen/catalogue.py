"""The script library: each script's metadata, parameters and text, loaded once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from resolutionflow.scriptgen.params import ParamKind, ParamValue, decode, find_default
from resolutionflow.vocabulary import PROBLEM_DOMAINS

LIBRARY_DIR = Path(__file__).parent / "library"
DOMAINS = PROBLEM_DOMAINS
_EXTENSIONS = {"powershell": ".ps1", "bash": ".sh"}


@dataclass(frozen=True)
class ScriptParameter:
    name: str
    description: str
    default: ParamValue
    required: bool
    kind: ParamKind
    flag: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "default": list(self.default) if isinstance(self.default, list) else self.default,
            "required": self.required,
            "type": self.kind,
        }
        if self.flag:
            data["flag"] = self.flag
        return data


@dataclass(frozen=True)
class ScriptEntry:
    id: str
    title: str
    language: str
    domain: str
    description: str
    intents: tuple[str, ...]
    keywords: tuple[str, ...]
    parameters: tuple[ScriptParameter, ...]
    source: str

    @property
    def filename(self) -> str:
        return self.id + _EXTENSIONS[self.language]

    def parameter(self, name: str) -> ScriptParameter | None:
        wanted = name.lower().lstrip("-$")
        for param in self.parameters:
            if param.name.lower() == wanted:
                return param
        return None

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "language": self.language,
            "domain": self.domain,
        }

    def as_dict(self, *, with_source: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            **self.summary(),
            "description": self.description,
            "intents": list(self.intents),
            "keywords": list(self.keywords),
            "parameters": [p.as_dict() for p in self.parameters],
        }
        if with_source:
            data["source"] = self.source
        return data


class CatalogueError(ValueError):
    """The library's files and its catalogue disagree; a packaging fault, not user input."""


def _entry(raw: dict[str, Any]) -> ScriptEntry:
    script_id = str(raw["id"])
    language = str(raw["language"])
    if language not in _EXTENSIONS:
        raise CatalogueError(f"{script_id}: unknown language {language!r}")
    if raw["domain"] not in DOMAINS:
        raise CatalogueError(f"{script_id}: unknown domain {raw['domain']!r}")
    path = LIBRARY_DIR / (script_id + _EXTENSIONS[language])
    if not path.is_file():
        raise CatalogueError(f"{script_id}: {path.name} is missing")
    source = path.read_text(encoding="utf-8")
    parameters = []
    for item in raw.get("parameters", []):
        try:
            slot = find_default(source, language, item["name"])
        except ValueError as exc:
            raise CatalogueError(f"{script_id}: {exc}") from exc
        parameters.append(
            ScriptParameter(
                name=item["name"],
                description=item["description"],
                default=decode(slot.literal, slot.kind, language),
                required=bool(item.get("required", False)),
                kind=slot.kind,
                flag=item.get("flag"),
            )
        )
    return ScriptEntry(
        id=script_id,
        title=str(raw["title"]),
        language=language,
        domain=str(raw["domain"]),
        description=" ".join(str(raw["description"]).split()),
        intents=tuple(raw.get("intents", [])),
        keywords=tuple(raw.get("keywords", [])),
        parameters=tuple(parameters),
        source=source,
    )


@lru_cache(maxsize=1)
def load_catalogue() -> tuple[ScriptEntry, ...]:
    """Every library script, in catalogue order; raises CatalogueError on a broken library."""
    with (LIBRARY_DIR / "catalogue.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    entries = tuple(_entry(item) for item in raw["script"])
    ids = [e.id for e in entries]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise CatalogueError(f"duplicate script ids: {sorted(duplicates)}")
    return entries
