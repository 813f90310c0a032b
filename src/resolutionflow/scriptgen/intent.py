"""Chooses the library script that fits an engineer's request, or says that none does."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from resolutionflow.scriptgen.catalogue import ScriptEntry, load_catalogue
from resolutionflow.scriptgen.risk import normalise_language
from resolutionflow.text.intent import (
    GENERIC_WORDS,
    content_words,
    correct_typos,
    normalise,
)

MATCH_THRESHOLD = 0.30
SUGGESTION_COUNT = 3
# The session breaks ties: among scripts the request alone scores within _TIE_MARGIN of its
# best, the session's text (scaled by _TIE_WEIGHT) and domain decide the order.
_TIE_MARGIN = 0.06
_TIE_WEIGHT = 0.08
# A script in the wrong language must beat the best allowed one by this much to mean
# "the library covers this, just not in the language asked for".
_OTHER_LANGUAGE_MARGIN = 0.3
_LINUX_HINT = re.compile(
    r"\b(linux|systemd|systemctl|journal|ssh|sudo|apt|yum|cron|rsync|restic|nginx|httpd"
    r"|apache2|docker|openssl|dig)\b"
)
_WINDOWS_HINT = re.compile(r"\b(windows|powershell|ps1|win10|win11|registry|cmdlet)\b")


@dataclass(frozen=True)
class ScoredScript:
    entry: ScriptEntry
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.entry.id, "title": self.entry.title, "score": round(self.score, 3)}


@dataclass(frozen=True)
class MatchResult:
    """The best script (None when nothing fits well enough) and the closest alternatives."""

    best: ScriptEntry | None
    score: float
    suggestions: list[ScoredScript] = field(default_factory=list)
    reason: str = ""

    @property
    def matched(self) -> bool:
        return self.best is not None


class _Index:
    """TF-IDF views of the library: whole documents (words and character n-grams) and
    each intent phrase on its own, since requests read most like those phrases."""

    def __init__(self, entries: Sequence[ScriptEntry]) -> None:
        self.entries = list(entries)
        docs = [self._document(e) for e in self.entries]
        phrases: list[str] = []
        self.phrase_owner: list[int] = []
        for i, entry in enumerate(self.entries):
            for phrase in (*entry.intents, *entry.keywords, entry.title):
                phrases.append(normalise(phrase))
                self.phrase_owner.append(i)
        self.vocabulary = {w for d in docs for w in d.split()}
        self.words = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            stop_words=sorted(w for w in GENERIC_WORDS if w.isalnum()),
            token_pattern=r"(?u)\b\w[\w./-]*\b",
        )
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        corpus = docs + phrases
        self.words.fit(corpus)
        self.chars.fit(corpus)
        self.doc_words = self.words.transform(docs)
        self.doc_chars = self.chars.transform(docs)
        self.phrase_words = self.words.transform(phrases)
        self.phrase_chars = self.chars.transform(phrases)
        self.keywords = [[normalise(k) for k in e.keywords if normalise(k)] for e in self.entries]
        # A keyword many scripts share ("restart", "host") says little about which one is meant.
        padded_docs = [f" {d} " for d in docs]
        self.keyword_weight = {
            k: 0.12 / max(1, sum(1 for d in padded_docs if f" {k} " in d))
            for kws in self.keywords
            for k in kws
        }

    @staticmethod
    def _document(entry: ScriptEntry) -> str:
        parts = [
            entry.title,
            entry.description,
            *entry.intents,
            *entry.intents,
            *entry.keywords,
            *entry.keywords,
            entry.domain.replace("_", " "),
        ]
        return normalise(" ".join(parts))

    def prepare(self, text: str) -> str:
        return correct_typos(normalise(text), self.vocabulary)

    def scores(self, text: str) -> np.ndarray:
        """One score per script in [0, ~1.3] for a prepared text."""
        qw = self.words.transform([text])
        qc = self.chars.transform([text])
        doc = (
            0.55 * (self.doc_words @ qw.T).toarray().ravel()
            + 0.45 * (self.doc_chars @ qc.T).toarray().ravel()
        )
        per_phrase = (
            0.5 * (self.phrase_words @ qw.T).toarray().ravel()
            + 0.5 * (self.phrase_chars @ qc.T).toarray().ravel()
        )
        best_phrase = np.zeros(len(self.entries))
        for value, owner in zip(per_phrase, self.phrase_owner, strict=True):
            best_phrase[owner] = max(best_phrase[owner], value)
        padded = f" {text} "
        boost = np.array(
            [
                min(0.3, sum(self.keyword_weight[k] for k in kws if f" {k} " in padded))
                for kws in self.keywords
            ]
        )
        return 0.45 * doc + 0.55 * best_phrase + boost


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(load_catalogue())


def _relevant(index: _Index, text: str) -> bool:
    """A text counts as a request for a library task only if it uses the library's words."""
    return any(w in index.vocabulary for w in content_words(text))


def match_scripts(
    request: str,
    *,
    language: str | None = None,
    domain: str | None = None,
    context_texts: Sequence[str] = (),
) -> MatchResult:
    """The library script that best fits the request (and session context), if any fits.

    With a language only scripts in it are candidates. When nothing scores above the
    threshold, or the request is about something the library does not cover, `best` is
    None and `suggestions` holds the closest scripts."""
    lang = normalise_language(language) if language else None
    index = _index()
    text = index.prepare(request or "")
    context = index.prepare(" ".join(t for t in context_texts if t))
    request_relevant = _relevant(index, text)
    # A bare "give me a script for this" leans on the session context instead.
    leans_on_context = not content_words(text) and _relevant(index, context)

    scores = index.scores(text) if content_words(text) else np.zeros(len(index.entries))
    tie_break = np.zeros(len(index.entries))
    if leans_on_context:
        scores = index.scores(context) * 0.9
    else:
        # The request decides: the session's text and domain only order scripts the request
        # fits about equally well. A printing session asking to delete user profiles gets the
        # profile script, or "no script fits", never the print-spooler script.
        if context and request_relevant:
            tie_break = _TIE_WEIGHT * index.scores(context)
    # Asking for a language, or a session on a Linux host, says which kind of machine the
    # engineer is on: the same task's PowerShell and Bash scripts are told apart by it.
    hint_text = f"{text} {context}"
    linux = lang == "bash" or bool(_LINUX_HINT.search(hint_text))
    windows = lang == "powershell" or bool(_WINDOWS_HINT.search(normalise(request or "")))
    for i, entry in enumerate(index.entries):
        if domain and entry.domain == domain:
            if leans_on_context:
                scores[i] += 0.05
            else:
                tie_break[i] += _TIE_WEIGHT * 0.2
        if linux and not windows:
            scores[i] += 0.12 if entry.language == "bash" else -0.12
        elif windows and not linux:
            scores[i] += 0.08 if entry.language == "powershell" else -0.12
    if tie_break.any():
        # Only among scripts within the tie margin of the request's best fit.
        best = float(scores.max())
        near = scores >= best - _TIE_MARGIN
        scores = np.where(near, scores + tie_break, scores)

    order = sorted(range(len(index.entries)), key=lambda i: (-scores[i], index.entries[i].id))
    allowed = [i for i in order if lang is None or index.entries[i].language == lang]
    ranked = [ScoredScript(index.entries[i], float(max(scores[i], 0.0))) for i in allowed]
    relevant = request_relevant or leans_on_context

    if not relevant:
        return MatchResult(
            None,
            ranked[0].score if ranked else 0.0,
            ranked[:SUGGESTION_COUNT],
            "The request does not describe a task the script library covers.",
        )
    top = order[0]
    other_fits = (
        lang is not None
        and index.entries[top].language != lang
        and scores[top] >= MATCH_THRESHOLD
        and (not ranked or scores[top] - ranked[0].score >= _OTHER_LANGUAGE_MARGIN)
    )
    if not ranked or ranked[0].score < MATCH_THRESHOLD or other_fits:
        reason = "No library script fits the request closely enough."
        if other_fits:
            other = index.entries[top]
            reason = (
                f"No {lang} script in the library fits; there is a {other.language} script "
                f"for this: {other.title} ({other.id})."
            )
        return MatchResult(
            None, ranked[0].score if ranked else 0.0, ranked[:SUGGESTION_COUNT], reason
        )
    return MatchResult(
        ranked[0].entry, ranked[0].score, ranked[1 : 1 + SUGGESTION_COUNT], "Matched by intent."
    )
