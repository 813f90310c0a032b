"""The smallest pieces every text module shares: word lists written as one string, quotes
folded to ASCII, and lower-case alphanumeric runs."""

from __future__ import annotations

import re

_ALNUM = re.compile(r"[a-z0-9]+")


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text` as a set (how word lists are written here)."""
    return frozenset(text.split())


def fold_quotes(text: str) -> str:
    """Typographic apostrophes written as "'" (so "can’t" reads as "can't")."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def alnum_words(text: str) -> list[str]:
    """The runs of lower-case letters and digits of already case-folded text."""
    return _ALNUM.findall(text)
