"""Step wording: how flow steps and answers are compared and shortened for display.

Steps are compared by their normalised text (`step_key`: lower case, punctuation and stop
words dropped, each word stemmed), so "Did syncing resume after the reset?" and "did sync
resume after reset" are one step. `clip` and `short_label` keep labels on one short line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import snowballstemmer

from resolutionflow.text.words import FUNCTION_WORDS, STEP_FILLER, alnum_words

STOP_WORDS = FUNCTION_WORDS | STEP_FILLER

_WORD = re.compile(r"[a-z0-9][a-z0-9._+#-]*[a-z0-9+#]|[a-z0-9]")


def clip(text: Any, limit: int) -> str:
    """Text on one line, cut at a word boundary with an ellipsis when longer than limit."""
    value = " ".join(str(text or "").split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 3]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "..."


def clip_text(text: Any, limit: int) -> str:
    """Like `clip`, for descriptions: paragraph breaks are kept."""
    paragraphs = [clip(p, limit) for p in str(text or "").split("\n\n")]
    value = "\n\n".join(p for p in paragraphs if p)
    return value if len(value) <= limit else clip(value, limit)


def short_label(text: Any, limit: int = 80) -> str:
    """A free-text answer as an option label: one line, wrapping quotes trimmed, capitalised,
    short."""
    value = " ".join(str(text or "").split())
    while len(value) > 1 and value[0] == value[-1] and value[0] in "\"'`":
        value = value[1:-1].strip()
    value = clip(value, limit)
    return value[:1].upper() + value[1:]


def words(text: Any) -> list[str]:
    """Meaningful lower-case words in order: stop words and one-letter words dropped."""
    found = _WORD.findall(str(text or "").casefold())
    return [w for w in found if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


def norm(text: Any) -> str:
    """Text for equality checks: lower-case words; text of symbols only compares as itself."""
    folded = str(text or "").casefold()
    return " ".join(alnum_words(folded)) or " ".join(folded.split())


_STEMMER = snowballstemmer.stemmer("english")
# Negations tell steps apart ("Is the printer online?" / "Is the printer not online?").
_KEY_STOP_WORDS = STOP_WORDS - {"no", "not", "nor"}


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


@lru_cache(maxsize=1 << 14)
def _key(text: str, every_word: bool) -> frozenset[str]:
    found = alnum_words(text.casefold())
    if not every_word:
        found = [w for w in found if w not in _KEY_STOP_WORDS and (len(w) > 1 or w.isdigit())]
    return frozenset(_stem(w) for w in found)


def step_key(text: Any, *, every_word: bool = False) -> frozenset[str]:
    """The normalised words of a step: case and punctuation ignored, stop words dropped
    (unless every_word), each word stemmed ("syncing" and "sync" are one word)."""
    return _key(str(text or ""), every_word)


def similarity(a: Any, b: Any, *, every_word: bool = False) -> float:
    """1.0 for the same text; else the overlap of normalised words (Jaccard). Option labels
    compare every word: "Not online" must not pass for "Online"."""
    if norm(a) and norm(a) == norm(b):
        return 1.0
    left, right = step_key(a, every_word=every_word), step_key(b, every_word=every_word)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)
