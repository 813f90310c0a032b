"""Replacing what was found with typed placeholders, the same placeholder for the same value.

One `Redactor` serves one session (or one script request): the first e-mail address it meets
becomes {{EMAIL_1}}, and that address is {{EMAIL_1}} wherever it appears again, in the
transcript, the structured data and the steps alike, so a model can still tell that two
mentions are one person. The originals stay in the redactor's memory only; nothing here logs
or stores them.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from resolutionflow.redaction.personal import email_spans, ip_spans, name_spans, phone_spans
from resolutionflow.redaction.secrets import PLACEHOLDER, Span, secret_spans

LEVELS = ("standard", "strict", "off")
# Which finding wins where two overlap: a secret inside an address stays a secret.
_PRIORITY = {"SECRET": 0, "CARD": 1, "EMAIL": 2, "PHONE": 3, "IP": 4, "NAME": 5}
_SEPARATOR = "\n\x00\n"  # joins texts for one scan; no pattern matches across a NUL


def check_level(level: str) -> str:
    value = (level or "standard").strip().lower()
    if value not in LEVELS:
        raise ValueError(
            f"redaction level {level!r} is not one of {', '.join(LEVELS)} "
            "(RESOLUTIONFLOW_REDACTION)"
        )
    return value


def _key(category: str, value: str) -> str:
    if category in ("EMAIL", "NAME"):
        return value.strip().lower()
    if category in ("PHONE", "CARD"):
        return re.sub(r"[^\d+]", "", value)
    return value


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans: higher priority first, then the longer, then the earlier."""
    chosen: list[Span] = []
    ordered = sorted(spans, key=lambda s: (_PRIORITY.get(s.category, 9), s.start - s.end, s.start))
    for span in ordered:
        if span.end <= span.start:
            continue
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def find(text: str, level: str = "standard", *, names: Sequence[str] = ()) -> list[Span]:
    """Every finding in text at the level, overlaps resolved, in order."""
    if level == "off" or not text:
        return []
    spans: list[Span] = [*secret_spans(text), *email_spans(text), *phone_spans(text)]
    if level == "strict":
        spans += [*ip_spans(text), *name_spans(text, names)]
    spans = [s for s in spans if not PLACEHOLDER.search(text[s.start : s.end])]
    return resolve(spans)


# What `find` found in a text, kept per process: a worker redacts the same flow tree for
# every session that matched the flow, and scanning (detect-secrets, phonenumbers) is most of
# a redaction's cost. Keyed by the level and digests of the names and of the text, and
# holding offsets and categories only, so no text, no name and no value found is kept.
_FOUND: OrderedDict[tuple[str, bytes, bytes], tuple[Span, ...]] = OrderedDict()
_FOUND_KEPT = 50_000
_FOUND_LOCK = threading.Lock()


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Redactor:
    """Redacts texts for one session at one level, numbering placeholders per type."""

    def __init__(self, level: str = "standard", *, names: Iterable[str] = ()) -> None:
        self.level = check_level(level)
        self.names = tuple(n for n in names if n)
        self._names_digest = _digest("\x00".join(self.names))  # part of the scan cache's key
        self._numbers: dict[str, dict[str, int]] = {}
        self.counts: Counter[str] = Counter()

    @property
    def active(self) -> bool:
        return self.level != "off"

    def placeholder(self, category: str, value: str) -> str:
        numbers = self._numbers.setdefault(category, {})
        key = _key(category, value)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
        self.counts[category] += 1
        return "{{" + f"{category}_{numbers[key]}" + "}}"

    def texts(self, texts: Sequence[str]) -> list[str]:
        """Each text redacted. Texts scanned before (in this process, at this level, with
        these names) are not scanned again; the rest are scanned together, in one pass."""
        if not self.active or not texts:
            return list(texts)
        keys = [(self.level, self._names_digest, _digest(text)) for text in texts]
        found: dict[int, tuple[Span, ...]] = {}
        with _FOUND_LOCK:
            for index, key in enumerate(keys):
                known = _FOUND.get(key)
                if known is not None:
                    _FOUND.move_to_end(key)
                    found[index] = known
        unknown = [index for index in range(len(texts)) if index not in found]
        if unknown:
            scanned = self._scan([texts[index] for index in unknown])
            with _FOUND_LOCK:
                for index, spans in zip(unknown, scanned, strict=True):
                    found[index] = _FOUND[keys[index]] = spans
                while len(_FOUND) > _FOUND_KEPT:
                    _FOUND.popitem(last=False)
        # Replaced in text order, so placeholders are numbered as the values first appear.
        return [
            self._replace(text, list(found[index])) if found[index] else text
            for index, text in enumerate(texts)
        ]

    def _scan(self, texts: list[str]) -> list[tuple[Span, ...]]:
        """What `find` finds in each text, from one scan of them all joined."""
        joined = _SEPARATOR.join(texts)
        starts: list[int] = []
        offset = 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + len(_SEPARATOR)
        by_text: list[list[Span]] = [[] for _ in texts]
        for span in find(joined, self.level, names=self.names):
            index = bisect.bisect_right(starts, span.start) - 1
            base = starts[index]
            if "\x00" in joined[span.start : span.end] or span.end > base + len(texts[index]):
                continue  # would cross from one text into the next
            moved = Span(span.start - base, span.end - base, span.category, span.what)
            by_text[index].append(moved)
        return [tuple(spans) for spans in by_text]

    def _replace(self, text: str, spans: list[Span]) -> str:
        parts: list[str] = []
        at = 0
        for span in spans:
            parts.append(text[at : span.start])
            parts.append(self.placeholder(span.category, text[span.start : span.end]))
            at = span.end
        parts.append(text[at:])
        return "".join(parts)

    def text(self, text: str | None) -> str | None:
        if text is None or not isinstance(text, str):
            return text
        return self.texts([text])[0]

    def value(self, obj: Any, *, keep: frozenset[str] = frozenset()) -> Any:
        """A copy of a JSON-like value with every string redacted; the values of `keep`
        keys (ids and the like) are left as they are."""
        if not self.active:
            return obj
        found: list[str] = []

        def collect(item: Any) -> None:
            if isinstance(item, str):
                found.append(item)
            elif isinstance(item, dict):
                for key, sub in item.items():
                    if key not in keep:
                        collect(sub)
            elif isinstance(item, list | tuple):
                for sub in item:
                    collect(sub)

        collect(obj)
        replaced = iter(self.texts(found))

        def rebuild(item: Any) -> Any:
            if isinstance(item, str):
                return next(replaced)
            if isinstance(item, dict):
                return {k: (v if k in keep else rebuild(v)) for k, v in item.items()}
            if isinstance(item, list | tuple):
                return [rebuild(sub) for sub in item]
            return item

        return rebuild(obj)

    def summary(self) -> dict[str, int]:
        """How many values of each type were replaced (never the values)."""
        return dict(self.counts)


def redact_text(text: str, level: str = "standard") -> str:
    """One text redacted on its own (placeholders numbered within it)."""
    return Redactor(level).text(text) or ""
