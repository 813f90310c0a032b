"""Service-desk text normalisation and the sparse TF-IDF vectoriser shared by similarity code.

Problem summaries are short and written in a hurry, so two people describe one fault with
different words: "can't print", "printer offline", "print jobs stuck". Before anything is
compared, text is lower-cased, common IT phrasings are folded onto one canonical token
("sign in" / "log on" -> "login", "2FA" -> "mfa", "wi-fi" -> "wifi"), regular plurals are
dropped, and words that say nothing about *which* problem it is ("user", "issue", "not",
"working", "please") are removed. Negation is dropped on purpose: nearly every ticket says
something is "not working", so the nouns around it are what tell problems apart.

The vectoriser that reads this text is `resolutionflow.text.vectors`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from resolutionflow.text.words import DESK_FILLER, FUNCTION_WORDS, fold_quotes
from resolutionflow.text.words import word_set as _words

# Applied to the lower-cased text before tokenising; order matters (longer phrases first).
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\b(?:can't|cant|cannot|can not|won't|wont|doesn't|doesnt|isn't|isnt|don't|dont)\b", " "),
    (r"\b(?:didn't|didnt|aren't|arent|wasn't|wasnt|haven't|havent|hasn't|hasnt)\b", " "),
    (r"\b(?:multi[- ]?factor|two[- ]?factor|2[- ]?step|two[- ]?step|2fa)\b", " mfa "),
    (r"\b(?:log(?:ging|s|ged)?|sign(?:ing|s|ed)?)[- ]?(?:in|on)\b", " login "),
    (r"\b(?:locked|locking|locks|lock)[- ]out\b", " lockout "),
    (r"\bone[- ]drive\b", " onedrive "),
    (r"\bshare[- ]point\b", " sharepoint "),
    (r"\bwi[- ]?fi\b", " wifi "),
    (r"\be[- ]mail", " email"),
    (r"\boff[- ]line\b", " offline "),
    (r"\bblue[- ]screens?\b", " bsod "),
    (r"\b(?:office|microsoft)[- ]?365\b|\bo365\b", " m365 "),
    (r"\btak(?:es?|ing) (?:\w+ )?(?:ages|forever|a long time|minutes)\b", " slow "),
    (r"\b(?:several|many|five|ten|\d+) minutes\b", " slow "),
    (r"\b(?:again and again|over and over)\b", " loop "),
    (r"\bpass[- ]word", " password"),
)
_PHRASE_RES = tuple((re.compile(p), r) for p, r in _PHRASES)
# Most texts hold none of the phrases; one scan for any of them spares the sixteen passes.
# (A text no phrase matches is never rewritten, so no later phrase can match either.)
_ANY_PHRASE = re.compile("|".join(f"(?:{p})" for p, _ in _PHRASES))
_TOKEN_RE = re.compile(r"[a-z0-9][a-z0-9_.\-]*[a-z0-9]|[a-z0-9]")

# Surface form -> canonical token. Canonical forms are real words so labels stay readable.
_CANONICAL: dict[str, list[str]] = {
    "printer": ["print", "prints", "printing", "printed", "printers", "mfp", "copier", "plotter"],
    "sync": [
        "syncing",
        "synced",
        "synching",
        "syncs",
        "synchronise",
        "synchronize",
        "synchronising",
        "synchronizing",
        "synchronisation",
        "synchronization",
    ],
    "password": ["passwords", "pwd", "pw", "passwd"],
    "lockout": ["locked", "lockouts"],
    "login": ["logon", "logins", "signin", "logging"],
    "slow": ["slowly", "sluggish", "slowness", "laggy", "lag", "lagging"],
    "mapped": ["map", "maps", "mapping", "mappings"],
    "disconnect": [
        "disconnects",
        "disconnected",
        "disconnecting",
        "drops",
        "dropping",
        "dropped",
        "drop",
        "dropout",
        "dropouts",
    ],
    "connect": ["connects", "connected", "connecting", "connection", "connections", "connectivity"],
    "camera": ["webcam", "webcams", "cam", "cameras"],
    "microphone": ["mic", "mics", "microphones"],
    "drain": ["drains", "draining", "drained"],
    "sleep": [
        "sleeping",
        "slept",
        "hibernate",
        "hibernation",
        "hibernating",
        "standby",
        "wake",
        "wakes",
        "waking",
        "woke",
        "resume",
        "resumes",
        "resuming",
        "lid",
    ],
    "reboot": [
        "reboots",
        "rebooting",
        "rebooted",
        "restart",
        "restarts",
        "restarting",
        "restarted",
    ],
    "detect": [
        "detected",
        "detecting",
        "detects",
        "detection",
        "recognised",
        "recognized",
        "recognise",
        "recognize",
        "recognising",
        "recognizing",
    ],
    "freeze": ["freezes", "freezing", "frozen", "froze", "hangs", "hanging", "hung", "hang"],
    "crash": ["crashes", "crashing", "crashed"],
    "email": ["emails", "mail", "mails"],
    "stuck": ["stalled", "stalls", "stall"],
    "prompt": ["prompts", "prompting", "prompted"],
    "loop": ["loops", "looping", "looped"],
    "missing": [
        "disappeared",
        "disappears",
        "disappear",
        "gone",
        "vanished",
        "vanish",
        "vanishes",
        "lost",
    ],
    "mfa": ["authenticator"],
    "send": ["sends", "sending", "sent", "outgoing"],
    "approve": ["approval", "approved", "approving", "approves", "accept", "accepted"],
    "laptop": ["laptops", "notebook", "notebooks"],
    "wifi": ["wireless", "wlan"],
}
SYNONYMS: dict[str, str] = {s: c for c, forms in _CANONICAL.items() for s in forms}

# Words that end in "s" but are not plurals (or whose singular means something else).
_KEEP_S = _words(
    "windows teams dns https macos ios always access address status alias aws sms news "
    "analytics express plus gps bios chaos lens canvas atlas "
)

STOP_WORDS: frozenset[str] = FUNCTION_WORDS | DESK_FILLER


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word in _KEEP_S:
        return word
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def tokens(text: str) -> list[str]:
    """The meaningful, canonical tokens of a piece of text, in order."""
    low = fold_quotes(text.lower())
    if _ANY_PHRASE.search(low):
        for pattern, repl in _PHRASE_RES:
            low = pattern.sub(repl, low)
    out: list[str] = []
    for raw in _TOKEN_RE.findall(low):
        word = raw.strip(".-_")
        if not word or word.isdigit() or len(word) < 2:
            continue
        if word in STOP_WORDS:
            continue
        word = SYNONYMS.get(word, word)
        word = _singular(word)
        word = SYNONYMS.get(word, word)
        if word not in STOP_WORDS:
            out.append(word)
    return out


@lru_cache(maxsize=32768)
def normalise(text: str) -> str:
    """The text as canonical tokens joined by spaces (what the vectoriser reads). Cached: a
    worker compares the same pending proposals' summaries batch after batch."""
    return " ".join(tokens(text))
