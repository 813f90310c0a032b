"""The smallest pieces every text module shares: the product's one stop-word vocabulary, word
lists written as one string, quotes folded to ASCII, and lower-case alphanumeric runs.

Every list of words to ignore is built from the sets here, so a word dropped from
similarity is dropped from keywords and titles alike: `text.normalise` (similarity, search,
grouping) ignores function words and desk filler; keywords (`text.clean`, article import)
also ignore contractions and words that say nothing in a keyword; step keys (`text.steps`)
ignore function words and step filler only, since "restart the client" must still tell
steps apart.
"""

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


# English function words: nothing to compare, search or show as a keyword.
FUNCTION_WORDS = word_set(
    """
    itself once
    a an the and or but if then so to of in on at by for with from into onto over under after
    before about as is are was were be been being am do does did doing done have has had having
    i me my mine we our us you your he she him her his they them their it its this that these
    those there here what which who whom whose when where why how all any some every each both
    few more most other such no nor not only own same than too very can could will would should
    shall may might must just now also again still even ever never always sometimes often yet
    already since while during until because though although up out off via per etc around
    across through between against without within upon whenever whatever whole entire longer
    several
    """
)

# Words of service-desk tickets about anything: who reports, how urgently, that it fails.
DESK_FILLER = word_set(
    """
    user users client clients customer customers staff employee employees someone everyone
    anyone people person colleague colleagues team member members manager new issue issues
    problem problems error errors help please thanks thank hi hello asap urgent working work
    works worked fail fails failed failing failure unable able try tried trying tries say says
    said saying report reports reported reporting ticket tickets today yesterday morning
    afternoon week day days time times random randomly suddenly properly correctly anything
    something nothing need needs needed want wants like using use uses used see sees seen show
    shows showing shown appear appears appearing come comes coming happen happens happening
    occur occurs occurring back keep keeps kept get gets getting got go goes going went make
    makes made seem seems seemed anymore computer computers pc pcs machine machines device
    devices workstation workstations system systems one
    """
)

# What a recorded step says around its point ("check whether the user sees ..."), for step keys.
STEP_FILLER = word_set(
    """anything check get getting got issue issues let problem problems says see seem seems
    show showing shows something tried try user users work working works yes"""
)

# Contractions, with their apostrophes (after `fold_quotes`).
CONTRACTIONS = word_set(
    """can't won't didn't doesn't don't isn't aren't wasn't haven't hasn't i'm i've we're
    they're it's that's there's she's he's"""
)

# Words that tell no problem apart when shown as a keyword (beyond the sets above).
KEYWORD_FILLER = word_set(
    """another asking cannot click currently down either else find fine gone happened know
    last let many much office once opens really sure thing things two weeks step steps check"""
)

KEYWORD_STOP = FUNCTION_WORDS | DESK_FILLER | CONTRACTIONS | KEYWORD_FILLER
