"""Engineers' wording for script requests: synonyms, spellings and typos folded before the
script generator matches an intent (`resolutionflow.scriptgen.intent`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from resolutionflow.text.words import fold_quotes, word_set

# Phrases engineers use for one thing, folded onto one token the library also uses.
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"\bwi-?fi\b|\bwlan\b|\bwireless\b|\bwi fi\b", "wifi"),
    (r"\bo365\b|\boffice ?365\b|\bmicrosoft 365\b|\bm365\b|\bexo\b", "m365"),
    (r"\blicen[cs]e[sd]?\b|\blicen[cs]ing\b|\blisence\b|\blicence\b", "licence"),
    (r"\block(?:ed|s)?[- ]?out\b|\blockouts?\b|\blocked\b", "lockout"),
    (r"\bpw\b|\bpwd\b|\bpasswd\b|\bpasswords?\b|\bpasword\b|\bpassowrd\b", "password"),
    (r"\bprint(?:er|ers|ing|s)?\b|\bprinter\b|\bprintr\b", "printer"),
    (r"\bspool(?:er|ing)?\b", "spooler"),
    (r"\bhyper-?v\b", "hyperv"),
    (r"\bvirtual machines?\b|\bvms\b", "vm"),
    (r"\bcerts?\b|\bcertificates?\b|\bssl\b|\btls\b|\bx509\b", "certificate"),
    (r"\banti-?virus\b|\bav\b|\bvirus(?:es)?\b|\bmalware\b|\bdefender\b", "antivirus"),
    (r"\bgpos?\b|\bgroup polic(?:y|ies)\b|\bgpupdate\b|\bgp update\b", "grouppolicy"),
    (r"\bwindows updates?\b|\bwsus\b|\bwu\b|\bwin update\b", "windowsupdate"),
    (r"\bhdd\b|\bssd\b|\bhard (?:drive|disk)s?\b|\bsmart\b", "harddisk"),
    (r"\breboot(?:ed|ing|s)?\b|\brestart(?:ed|ing|s)?\b|\bbounce\b", "restart"),
    (r"\bactive directory\b|\bad\b|\bdomain account\b", "activedirectory"),
    (
        r"\bubuntu\b|\bdebian\b|\bcentos\b|\brhel\b|\bred ?hat\b|\bfedora\b|\brocky\b|\bbash\b",
        "linux",
    ),
    (r"\bflush ?dns\b|\bipconfig /flushdns\b", "flushdns dns"),
    (r"\bout of (?:disk )?space\b|\bno space\b|\bdisk ?space\b|\bstorage full\b", "diskspace"),
    (r"\bdisk full\b|\bdrive full\b|\bdrive is full\b|\bdisk is full\b", "diskspace"),
    (r"\bteams\b", "teams"),
    (r"\bemails?\b|\be-mails?\b|\bmails?\b", "email"),
    (r"\bmapped drives?\b|\bnetwork drives?\b|\bshared drives?\b|\bmapped\b", "mappeddrive"),
    (r"\bantivirus\b", "antivirus"),
    (r"\bbitlocker\b|\bbit locker\b", "bitlocker"),
    (r"\bsyslog\b|\bjournald?\b|\bjournalctl\b", "journal"),
    (r"\bram\b|\bmemory\b", "memory"),
    (r"\bnic\b|\bethernet\b|\badapter\b", "adapter"),
)
_COMPILED = tuple((re.compile(p, re.I), r) for p, r in SYNONYMS)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9._/-]*[a-z0-9]|[a-z0-9]")

# Words that say nothing about the task; they never count as evidence of a match.
GENERIC_WORDS = word_set(
    """a an the and or but if of for to in on at by with from into about as is are was were be
    been being am do does did doing have has had it its it's this that these those there
    here i me my we our you your he she they them their his her what which who whom when
    where why how can could would should will shall may might must please pls plz need needs
    want wants give get gets got make makes write writes run runs help script scripts
    powershell ps ps1 bash sh shell command commands code some any again still just now also
    very really quick quickly me up out off not no yes ok okay thanks thank hi hello hey
    step task thing stuff something fix fixes fixed check checks issue issues problem
    problems user users customer client all one new old way keeps keep like so than then too
    only see show tell let lets windows pc computer machine box server"""
)


def normalise(text: str) -> str:
    """Lower-case text with synonyms folded and punctuation reduced to spaces."""
    text = fold_quotes(text.lower())
    for pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text)
    return " ".join(_TOKEN.findall(text))


def correct_typos(text: str, vocabulary: Iterable[str]) -> str:
    """Replace words the library does not know with a close library word."""
    vocab = sorted(set(vocabulary))
    known = set(vocab)
    words = []
    for word in text.split():
        if word in known or word in GENERIC_WORDS or len(word) < 5 or not word.isalpha():
            words.append(word)
            continue
        # Same first letter: real typos rarely change it, and unrelated words often do.
        same_start = [v for v in vocab if v[0] == word[0] and len(v) >= 4]
        close = difflib.get_close_matches(word, same_start, n=1, cutoff=0.84)
        words.append(close[0] if close else word)
    return " ".join(words)


def content_words(text: str) -> list[str]:
    """The words of a normalised text that can carry meaning."""
    return [w for w in text.split() if w not in GENERIC_WORDS and len(w) > 1]
